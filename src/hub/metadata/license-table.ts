import type { CommercialUse } from "../../core/types.ts";

/**
 * What kind of licence an id is, from the least to the most restrictive for a team that builds on a model
 * (the order is `LICENSE_CATEGORIES`'s, and decides which licence of a `base_model` chain is the strictest):
 * - `permissive`: use, change and redistribute with attribution at most;
 * - `weak-copyleft`: share-alike on the files or data changed (MPL, LGPL, EPL, CC BY-SA, ODbL...);
 * - `responsible-ai`: the OpenRAIL family, whose use restrictions pass to every derivative and user;
 * - `copyleft`: strong or network copyleft over the whole work (GPL, AGPL, EUPL, OSL);
 * - `model-community`: a model maker's own licence (Llama's, Gemma's), commercial under conditions;
 * - `no-derivatives`: use as is, but no fine-tune or merge (CC BY-ND);
 * - `unknown`: `other`, `unknown`, no licence at all, or an id Hangar does not know;
 * - `non-commercial`: research or non-commercial use only.
 */
export const LICENSE_CATEGORIES = [
  "permissive",
  "weak-copyleft",
  "responsible-ai",
  "copyleft",
  "model-community",
  "no-derivatives",
  "unknown",
  "non-commercial",
] as const;

export type LicenseCategory = (typeof LICENSE_CATEGORIES)[number];

export interface LicenseEntry {
  category: LicenseCategory;
  /** Whether the licence allows commercial use; null when Hangar does not judge it (read the licence). */
  commercialUse: CommercialUse | null;
  /** Approved by the OSI. */
  osi?: true;
}

const permissive = (osi = false): LicenseEntry => ({
  category: "permissive",
  commercialUse: "yes",
  ...(osi ? { osi: true } : {}),
});
const weakCopyleft = (osi = false): LicenseEntry => ({
  category: "weak-copyleft",
  commercialUse: "yes",
  ...(osi ? { osi: true } : {}),
});
const copyleft = (osi = false): LicenseEntry => ({
  category: "copyleft",
  commercialUse: "yes",
  ...(osi ? { osi: true } : {}),
});
const RESPONSIBLE_AI: LicenseEntry = { category: "responsible-ai", commercialUse: "yes" };
const COMMUNITY: LicenseEntry = { category: "model-community", commercialUse: "conditional" };
const NON_COMMERCIAL: LicenseEntry = { category: "non-commercial", commercialUse: "no" };
const UNJUDGED: LicenseEntry = { category: "unknown", commercialUse: null };

/**
 * Every licence id of the Hub's list that Hangar knows, with its category and commercial use. The CLI's
 * choices, the server's validation (search filters, licence policies) and search's commercial facet all
 * read this one table. "conditional" commercial use means allowed under terms that can forbid it (user
 * caps, acceptable-use policies, separate agreements).
 */
export const LICENSE_TABLE: Readonly<Record<string, LicenseEntry>> = {
  "apache-2.0": permissive(true),
  mit: permissive(true),
  bsd: permissive(true),
  "bsd-2-clause": permissive(true),
  "bsd-3-clause": permissive(true),
  "bsd-3-clause-clear": permissive(true),
  isc: permissive(true),
  zlib: permissive(true),
  unlicense: permissive(true),
  "bsl-1.0": permissive(true),
  postgresql: permissive(true),
  "ecl-2.0": permissive(true),
  "afl-3.0": permissive(true),
  ncsa: permissive(true),
  wtfpl: permissive(),
  "cc0-1.0": permissive(),
  "cc-by-2.0": permissive(),
  "cc-by-2.5": permissive(),
  "cc-by-3.0": permissive(),
  "cc-by-4.0": permissive(),
  "odc-by": permissive(),
  pddl: permissive(),
  "cdla-permissive-1.0": permissive(),
  "cdla-permissive-2.0": permissive(),
  "etalab-2.0": permissive(),
  "open-mdw": permissive(),
  "mpl-2.0": weakCopyleft(true),
  "epl-1.0": weakCopyleft(true),
  "epl-2.0": weakCopyleft(true),
  "lgpl-2.1": weakCopyleft(true),
  "lgpl-3.0": weakCopyleft(true),
  lgpl: weakCopyleft(),
  "lgpl-lr": weakCopyleft(),
  "ms-pl": weakCopyleft(true),
  "artistic-2.0": weakCopyleft(true),
  "ofl-1.1": weakCopyleft(),
  "lppl-1.3c": weakCopyleft(),
  "cc-by-sa-3.0": weakCopyleft(),
  "cc-by-sa-4.0": weakCopyleft(),
  "cdla-sharing-1.0": weakCopyleft(),
  odbl: weakCopyleft(),
  "gpl-2.0": copyleft(true),
  "gpl-3.0": copyleft(true),
  "agpl-3.0": copyleft(true),
  "osl-3.0": copyleft(true),
  "eupl-1.1": copyleft(),
  "eupl-1.2": copyleft(),
  gfdl: copyleft(),
  openrail: RESPONSIBLE_AI,
  "openrail++": RESPONSIBLE_AI,
  "creativeml-openrail-m": RESPONSIBLE_AI,
  "bigscience-openrail-m": RESPONSIBLE_AI,
  "bigscience-bloom-rail-1.0": RESPONSIBLE_AI,
  "bigcode-openrail-m": RESPONSIBLE_AI,
  llama2: COMMUNITY,
  llama3: COMMUNITY,
  "llama3.1": COMMUNITY,
  "llama3.2": COMMUNITY,
  "llama3.3": COMMUNITY,
  llama4: COMMUNITY,
  gemma: COMMUNITY,
  "health-ai-developer-foundations": COMMUNITY,
  // Its terms are not verified here: a community licence whose commercial use Hangar does not judge.
  "grok2-community": { category: "model-community", commercialUse: null },
  "cc-by-nd-4.0": { category: "no-derivatives", commercialUse: "yes" },
  "deepfloyd-if-license": NON_COMMERCIAL,
  "fair-noncommercial-research-license": NON_COMMERCIAL,
  "apple-amlr": NON_COMMERCIAL,
  "apple-ascl": NON_COMMERCIAL,
  "c-uda": NON_COMMERCIAL,
  "intel-research": NON_COMMERCIAL,
  "h-research": NON_COMMERCIAL,
  "cc-by-nc-2.0": NON_COMMERCIAL,
  "cc-by-nc-3.0": NON_COMMERCIAL,
  "cc-by-nc-4.0": NON_COMMERCIAL,
  "cc-by-nc-nd-3.0": NON_COMMERCIAL,
  "cc-by-nc-nd-4.0": NON_COMMERCIAL,
  "cc-by-nc-sa-2.0": NON_COMMERCIAL,
  "cc-by-nc-sa-3.0": NON_COMMERCIAL,
  "cc-by-nc-sa-4.0": NON_COMMERCIAL,
  // `other` points to a licence of the repo's own (license_name / license_link); `cc` names no variant.
  other: UNJUDGED,
  unknown: UNJUDGED,
  cc: UNJUDGED,
};

/** Spellings cards use for a known id (after lower-casing and turning spaces and underscores into `-`). */
export const LICENSE_ALIASES: Readonly<Record<string, string>> = {
  apache: "apache-2.0",
  apache2: "apache-2.0",
  "apache-2": "apache-2.0",
  "apache-license-2.0": "apache-2.0",
  "apache-license-version-2.0": "apache-2.0",
  "mit-license": "mit",
  "gpl-3": "gpl-3.0",
  gpl3: "gpl-3.0",
  "gpl-2": "gpl-2.0",
  "agpl-3": "agpl-3.0",
  cc0: "cc0-1.0",
  "cc-by": "cc-by-4.0",
  "cc-by-nc": "cc-by-nc-4.0",
  "cc-by-sa": "cc-by-sa-4.0",
  "llama-2": "llama2",
  "llama-3": "llama3",
  "llama-3.1": "llama3.1",
  "llama-3.2": "llama3.2",
  "llama-3.3": "llama3.3",
  "llama-4": "llama4",
};
