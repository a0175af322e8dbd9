import type { Caller } from "../hub/accounts/principal.ts";
import type { CommercialValue } from "./vocabulary.ts";

export const SEARCH_SORTS = [
  "relevance",
  "trending",
  "downloads",
  "likes",
  "updated",
  "created",
  "parameters",
] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** Sort names the Hub's clients use, mapped to Hangar's. */
export const SORT_ALIASES: Record<string, SearchSort> = {
  trendingScore: "trending",
  lastModified: "updated",
  modified: "updated",
  createdAt: "created",
  num_parameters: "parameters",
  params: "parameters",
};

/** Largest page; deeper than MAX_RESULT_DEPTH results a query must be narrowed instead of paged. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_RESULT_DEPTH = 10_000;
export const DEFAULT_FACET_LIMIT = 30;

/**
 * A search over the catalog. Values within one dimension are alternatives (task=a&task=b: either); dimensions
 * combine with AND. Tags (the Hub's `filter`) must all be present.
 */
export interface SearchModelsParams {
  /** Free text, with optional `"exact words"` and `field:value` filters. */
  query?: string;
  /** Case-insensitive substrings that must all occur in the repo id (the Hub's `search`). */
  idContains?: string[];
  tasks?: string[];
  modalities?: string[];
  libraries?: string[];
  languages?: string[];
  licenses?: string[];
  /** Commercial use of the licence; `commercial=true` on the wire means ["yes"]. */
  commercial?: CommercialValue[];
  authors?: string[];
  datasets?: string[];
  baseModels?: string[];
  scanStatuses?: string[];
  tags?: string[];
  parametersMin?: number;
  parametersMax?: number;
  storageMin?: number;
  storageMax?: number;
  gated?: boolean;
  runsLocally?: boolean;
  sort?: SearchSort;
  /** Ascending order for the column sorts (relevance is always best first). */
  ascending?: boolean;
  /** 1-based. */
  page?: number;
  limit?: number;
  explain?: boolean;
  /** Facet counts (default true) and insights (default true) can be skipped when only hits are needed. */
  facets?: boolean;
  insights?: boolean;
  /** Values listed per facet (counts are exact; the list is cut to the largest ones). */
  facetLimit?: number;
  /** Whose private repos may appear; null or absent: public models only. */
  caller?: Caller;
}

/** The filter dimensions, as named on the wire and in facets. */
export const FACET_DIMENSIONS = [
  "task",
  "modality",
  "library",
  "language",
  "license",
  "commercial",
  "author",
  "parameters",
  "storage",
  "gated",
  "runs_locally",
  "scan_status",
  "base_model",
  "dataset",
] as const;
export type FacetDimension = (typeof FACET_DIMENSIONS)[number];
