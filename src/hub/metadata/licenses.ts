import type { CommercialUse } from "../../core/types.ts";
import {
  LICENSE_ALIASES,
  LICENSE_CATEGORIES,
  LICENSE_TABLE,
  type LicenseCategory,
  type LicenseEntry,
} from "./license-table.ts";

export { LICENSE_CATEGORIES, LICENSE_TABLE, type LicenseCategory, type LicenseEntry };

/** Every licence id Hangar knows from the Hub's list, for validating filters and policy rules. */
export const KNOWN_LICENSES: readonly string[] = Object.keys(LICENSE_TABLE).sort();

/** Licences the OSI approves (as Hub ids). */
export const OPEN_SOURCE_LICENSES: ReadonlySet<string> = new Set(
  KNOWN_LICENSES.filter((id) => LICENSE_TABLE[id]!.osi),
);

/** Licences that allow use, change and redistribution with attribution at most. */
export const PERMISSIVE_LICENSES: ReadonlySet<string> = new Set(
  KNOWN_LICENSES.filter((id) => LICENSE_TABLE[id]!.category === "permissive"),
);

/**
 * The Hub id a card's licence names: lower case, spaces and underscores as `-`, known aliases resolved
 * (`Apache 2.0` and `apache_2.0` are `apache-2.0`). An id Hangar does not know is kept as written (lower
 * case); null for no licence.
 */
export function normalizeLicense(license: string | null | undefined): string | null {
  if (typeof license !== "string") return null;
  const id = license
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  if (!id) return null;
  if (LICENSE_TABLE[id]) return id;
  return LICENSE_ALIASES[id] ?? LICENSE_ALIASES[id.replace(/-license$/, "")] ?? id;
}

/**
 * A licence id's entry: the table's, else `non-commercial` for Creative Commons NC variants not listed
 * (they say it in their id), else `unknown` with commercial use not judged. No licence is `unknown` too.
 */
export function licenseEntryOf(license: string | null | undefined): LicenseEntry {
  const id = normalizeLicense(license);
  if (id === null) return { category: "unknown", commercialUse: null };
  const listed = LICENSE_TABLE[id];
  if (listed) return listed;
  if (id.startsWith("cc-by-nc")) return { category: "non-commercial", commercialUse: "no" };
  return { category: "unknown", commercialUse: null };
}

export function licenseCategoryOf(license: string | null | undefined): LicenseCategory {
  return licenseEntryOf(license).category;
}

/**
 * Whether a Hub licence id allows commercial use. Licences not listed, `other` and `unknown` give null:
 * Hangar does not guess.
 */
export function commercialUseOf(license: string | null): CommercialUse | null {
  return licenseEntryOf(license).commercialUse;
}

/** How restrictive a category is: its place in LICENSE_CATEGORIES (higher is stricter). */
export function categoryStrictness(category: LicenseCategory): number {
  return LICENSE_CATEGORIES.indexOf(category);
}
