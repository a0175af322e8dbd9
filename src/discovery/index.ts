/** Discovery over the catalog: search with facets, ranking and insights (compare and recommend build on it). */
export { forgetSearchIndex, getSearchIndex, settleSearchIndex, warmSearchIndex } from "./get-search-index.ts";
export { parseQuery, QUERY_FIELDS } from "./parse-query.ts";
export { explainScore, RANKING_WEIGHTS, type ScoreExplanation } from "./ranking.ts";
export { SearchIndex, type SearchIndexStats } from "./search-index.ts";
export {
  type FacetValue,
  type SearchHit,
  type SearchInsights,
  type SearchModelsResult,
  searchModels,
} from "./search-models.ts";
export {
  DEFAULT_PAGE_SIZE,
  FACET_DIMENSIONS,
  type FacetDimension,
  MAX_PAGE_SIZE,
  MAX_RESULT_DEPTH,
  SEARCH_SORTS,
  type SearchModelsParams,
  type SearchSort,
} from "./search-params.ts";
export {
  COMMERCIAL_VALUES,
  MODALITIES,
  PARAMETER_BUCKETS,
  SCAN_STATUSES,
  STORAGE_BUCKETS,
  TASKS,
} from "./vocabulary.ts";
