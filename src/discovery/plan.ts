/** Dimension numbers, as a failed filter reports them. */
export const DIM = {
  task: 0,
  modality: 1,
  library: 2,
  language: 3,
  license: 4,
  commercial: 5,
  author: 6,
  parameters: 7,
  storage: 8,
  gated: 9,
  runsLocally: 10,
  scan: 11,
  baseModel: 12,
  dataset: 13,
} as const;

/** A query's filters compiled to lookups: for each dictionary dimension, which value ids pass. */
export interface FilterPlan {
  allowTask: Uint8Array | null;
  allowModality: Uint8Array | null;
  allowLibrary: Uint8Array | null;
  allowLicense: Uint8Array | null;
  allowCommercial: Uint8Array | null;
  allowAuthor: Uint8Array | null;
  allowLanguage: Uint8Array | null;
  allowDataset: Uint8Array | null;
  allowBase: Uint8Array | null;
  allowScan: Uint8Array | null;
  /** -1: no filter; 0 / 1: not gated / gated. */
  gated: number;
  runsLocally: number;
  parameterRange: [number, number] | null;
  storageRange: [number, number] | null;
  /** Tag ids that must all be present (the Hub's `filter`); `impossibleTags` when one is unknown. */
  requiredTags: number[];
  impossibleTags: boolean;
  seeAll: boolean;
  visibleAuthors: Uint8Array;
}

/** Whether a plan has any facet filter (tags and visibility are not facets). */
export function hasFacetFilter(plan: FilterPlan): boolean {
  return (
    plan.allowTask !== null ||
    plan.allowModality !== null ||
    plan.allowLibrary !== null ||
    plan.allowLicense !== null ||
    plan.allowCommercial !== null ||
    plan.allowAuthor !== null ||
    plan.allowLanguage !== null ||
    plan.allowDataset !== null ||
    plan.allowBase !== null ||
    plan.allowScan !== null ||
    plan.gated >= 0 ||
    plan.runsLocally >= 0 ||
    plan.parameterRange !== null ||
    plan.storageRange !== null
  );
}

/** A plan with no filter, for a caller who sees the public models and those of `visibleAuthors`. */
export function openPlan(visibleAuthors: Uint8Array): FilterPlan {
  return {
    allowTask: null,
    allowModality: null,
    allowLibrary: null,
    allowLicense: null,
    allowCommercial: null,
    allowAuthor: null,
    allowLanguage: null,
    allowDataset: null,
    allowBase: null,
    allowScan: null,
    gated: -1,
    runsLocally: -1,
    parameterRange: null,
    storageRange: null,
    requiredTags: [],
    impossibleTags: false,
    seeAll: false,
    visibleAuthors,
  };
}
