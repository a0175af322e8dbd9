import type { CommercialUse } from "../../core/types.ts";

/**
 * Whether a Hub licence id allows commercial use. "conditional" means allowed under terms that can
 * forbid it (user caps, acceptable-use policies, separate agreements): read the licence.
 * Licences not listed, `other` and `unknown` give null: Hangar does not guess.
 */
const COMMERCIAL_USE: Record<string, CommercialUse> = {
  "apache-2.0": "yes",
  mit: "yes",
  bsd: "yes",
  "bsd-2-clause": "yes",
  "bsd-3-clause": "yes",
  "bsd-3-clause-clear": "yes",
  isc: "yes",
  zlib: "yes",
  unlicense: "yes",
  wtfpl: "yes",
  postgresql: "yes",
  "bsl-1.0": "yes",
  "artistic-2.0": "yes",
  "mpl-2.0": "yes",
  "epl-1.0": "yes",
  "epl-2.0": "yes",
  "ecl-2.0": "yes",
  "afl-3.0": "yes",
  "osl-3.0": "yes",
  "ms-pl": "yes",
  "ofl-1.1": "yes",
  "gpl-2.0": "yes",
  "gpl-3.0": "yes",
  "lgpl-2.1": "yes",
  "lgpl-3.0": "yes",
  "agpl-3.0": "yes",
  "lgpl-lr": "yes",
  "cc0-1.0": "yes",
  "cc-by-2.0": "yes",
  "cc-by-2.5": "yes",
  "cc-by-3.0": "yes",
  "cc-by-4.0": "yes",
  "cc-by-sa-3.0": "yes",
  "cc-by-sa-4.0": "yes",
  "cc-by-nd-4.0": "yes",
  "odc-by": "yes",
  odbl: "yes",
  pddl: "yes",
  "cdla-permissive-1.0": "yes",
  "cdla-permissive-2.0": "yes",
  "cdla-sharing-1.0": "yes",
  "etalab-2.0": "yes",
  openrail: "yes",
  "openrail++": "yes",
  "creativeml-openrail-m": "yes",
  "bigscience-openrail-m": "yes",
  "bigscience-bloom-rail-1.0": "yes",
  "bigcode-openrail-m": "yes",
  "open-mdw": "yes",
  llama2: "conditional",
  llama3: "conditional",
  "llama3.1": "conditional",
  "llama3.2": "conditional",
  "llama3.3": "conditional",
  llama4: "conditional",
  gemma: "conditional",
  "health-ai-developer-foundations": "conditional",
  "deepfloyd-if-license": "no",
  "fair-noncommercial-research-license": "no",
  "apple-amlr": "no",
  "apple-ascl": "no",
  "c-uda": "no",
  "intel-research": "no",
  "cc-by-nc-2.0": "no",
  "cc-by-nc-3.0": "no",
  "cc-by-nc-4.0": "no",
  "cc-by-nc-nd-3.0": "no",
  "cc-by-nc-nd-4.0": "no",
  "cc-by-nc-sa-2.0": "no",
  "cc-by-nc-sa-3.0": "no",
  "cc-by-nc-sa-4.0": "no",
};

/** Hub licence ids whose commercial use Hangar does not judge (`other` points to a licence of the repo's own). */
const UNJUDGED_LICENSES = [
  "other",
  "unknown",
  "cc",
  "gfdl",
  "lgpl",
  "eupl-1.1",
  "eupl-1.2",
  "ncsa",
  "lppl-1.3c",
];

/** Every licence id Hangar knows from the Hub's list, for validating filters. */
export const KNOWN_LICENSES: readonly string[] = [
  ...Object.keys(COMMERCIAL_USE),
  ...UNJUDGED_LICENSES,
].sort();

/** Licences the OSI approves (as Hub ids). */
export const OPEN_SOURCE_LICENSES: ReadonlySet<string> = new Set([
  "apache-2.0",
  "mit",
  "bsd",
  "bsd-2-clause",
  "bsd-3-clause",
  "bsd-3-clause-clear",
  "isc",
  "zlib",
  "unlicense",
  "mpl-2.0",
  "epl-1.0",
  "epl-2.0",
  "gpl-2.0",
  "gpl-3.0",
  "lgpl-2.1",
  "lgpl-3.0",
  "agpl-3.0",
  "artistic-2.0",
  "bsl-1.0",
  "postgresql",
  "ecl-2.0",
  "afl-3.0",
  "osl-3.0",
  "ms-pl",
]);
/** Licences that allow use, change and redistribution with attribution at most. */
export const PERMISSIVE_LICENSES: ReadonlySet<string> = new Set([
  "apache-2.0",
  "mit",
  "bsd",
  "bsd-2-clause",
  "bsd-3-clause",
  "bsd-3-clause-clear",
  "isc",
  "zlib",
  "unlicense",
  "bsl-1.0",
  "postgresql",
  "cc0-1.0",
  "cc-by-3.0",
  "cc-by-4.0",
  "wtfpl",
]);

export function commercialUseOf(license: string | null): CommercialUse | null {
  if (!license) return null;
  const id = license.toLowerCase();
  const listed = COMMERCIAL_USE[id];
  if (listed) return listed;
  // Creative Commons variants not in the table still say it in their id.
  if (id.startsWith("cc-by-nc")) return "no";
  return null;
}
