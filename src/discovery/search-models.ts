import { badRequest } from "../core/errors.ts";
import type { HubContext } from "../hub/hub.ts";
import type { FacetArrays } from "./facet-counts.ts";
import { buildInsights, toFacets } from "./facet-lists.ts";
import { facetScan } from "./facet-scan.ts";
import { getSearchIndex } from "./get-search-index.ts";
import { hashLower } from "./indexed-model.ts";
import { parseQuery } from "./parse-query.ts";
import { compileFilters, unknownValue } from "./query-plan.ts";
import { memberOf, passesPlan, sortKey, topK, walkTop } from "./rank-results.ts";
import { explainScore, type ScoreExplanation } from "./ranking.ts";
import { scan } from "./scan.ts";
import { SearchIndex } from "./search-index.ts";
import {
  DEFAULT_FACET_LIMIT,
  DEFAULT_PAGE_SIZE,
  FACET_DIMENSIONS,
  type FacetDimension,
  MAX_PAGE_SIZE,
  MAX_RESULT_DEPTH,
  SEARCH_SORTS,
  type SearchModelsParams,
  type SearchSort,
} from "./search-params.ts";
import { COMMERCIAL_VALUES, MODALITIES, SCAN_STATUSES } from "./vocabulary.ts";

export interface FacetValue {
  value: string;
  count: number;
  /** Range facets: the bucket's bounds (null for an open end). */
  min?: number | null;
  max?: number | null;
}

export interface SearchHit {
  id: string;
  score: number;
  task: string | null;
  modality: string | null;
  library: string | null;
  license: string | null;
  commercialUse: string;
  languages: string[];
  parameters: number | null;
  storageBytes: number | null;
  downloads: number;
  likes: number;
  trendingScore: number;
  createdAt: string;
  lastModified: string;
  gated: false | "auto" | "manual";
  private: boolean;
  runsLocally: boolean;
  scanStatus: string;
  baseModels: string[];
  datasets: string[];
  evalResults: number;
  /** Normalised quality in [0, 1] (0 without evaluation results). */
  quality: number;
  explain?: ScoreExplanation;
}

export interface SearchInsights {
  popularTasks: Array<{ task: string; count: number; share: number }>;
  trendingModels: Array<{ id: string; trend: number; estimated: boolean }>;
  quality: {
    withEvaluations: number;
    withoutEvaluations: number;
    /** Mean normalised evaluation value of the models that report one, in ten bins from 0 to 1. */
    histogram: Array<{ from: number; to: number; count: number }>;
  };
  relatedSearches: Array<{ label: string; params: Record<string, string>; count: number }>;
}

export interface SearchModelsResult {
  total: number;
  page: number;
  limit: number;
  sort: SearchSort;
  results: SearchHit[];
  facets?: Record<FacetDimension, FacetValue[]>;
  /** How facet counts treat a dimension's own filter (see docs/search-ranking.md). */
  facetMode?: "disjunctive";
  insights?: SearchInsights;
  query: { words: Array<{ word: string; exact: boolean; prefixes: number; typos: number }> };
  tookMs: number;
}

/**
 * Searches the catalog's models: text, filters, sorts, facet counts over the whole result set and insights,
 * in one pass over the candidates. `source` is a hub (its index is built or refreshed as needed) or an index.
 */
export async function searchModels(
  source: Pick<HubContext, "catalog"> | SearchIndex,
  params: SearchModelsParams = {},
): Promise<SearchModelsResult> {
  return searchInIndex(source instanceof SearchIndex ? source : await getSearchIndex(source), params);
}

/** `searchModels` on an index already at hand: synchronous, CPU only. */
export function searchInIndex(index: SearchIndex, params: SearchModelsParams = {}): SearchModelsResult {
  const started = performance.now();
  const parsed = parseQuery(params.query ?? "");
  const inline = parsed.filters;

  const sort = params.sort ?? "relevance";
  if (!SEARCH_SORTS.includes(sort)) unknownValue("sort", sort, SEARCH_SORTS);
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(params.limit ?? DEFAULT_PAGE_SIZE)));
  const page = Math.max(1, Math.floor(params.page ?? 1));
  if (page * limit > MAX_RESULT_DEPTH) {
    throw badRequest(
      `page ${page} with limit ${limit} goes past the first ${MAX_RESULT_DEPTH} results: narrow the query instead`,
    );
  }
  const facetLimit = Math.min(500, Math.max(1, Math.floor(params.facetLimit ?? DEFAULT_FACET_LIMIT)));

  const { plan, chosen } = compileFilters(index, params, inline);

  const textMatch =
    parsed.words.length > 0
      ? index.text.match(parsed.words, index.size, index.capacity, index.patched)
      : null;
  const candidates = restrictToIds(index, textMatch, params.idContains);
  const queryHash = parsed.text ? hashLower(parsed.text) : 0;
  const queryLower = parsed.text.toLowerCase();
  const wantFacets = params.facets !== false;
  const wantInsights = params.insights !== false;
  const withCounts = wantFacets || wantInsights;

  let total: number;
  let counts: FacetArrays | null = null;
  let results: Uint32Array | null = null;
  if (candidates === null) {
    const scanned = facetScan(index, plan, withCounts, index.resultBuffer());
    total = scanned.total;
    counts = scanned.counts;
    results = scanned.results;
  } else {
    const scanned = scan(index, plan, candidates.docs, candidates.count, withCounts, index.resultBuffer());
    total = scanned.total;
    counts = scanned.counts;
    results = scanned.results;
  }

  const textScores = textMatch?.scores;
  const exactOf = (doc: number): number => {
    if (!parsed.text) return 0;
    if (index.idHash[doc] === queryHash && index.ids[doc]!.toLowerCase() === queryLower) return 1;
    if (index.nameHash[doc] === queryHash) {
      const id = index.ids[doc]!;
      if (id.slice(id.indexOf("/") + 1).toLowerCase() === queryLower) return 1;
    }
    return 0;
  };
  const ascending = params.ascending === true;
  const keyOf = sortKey(index, sort, ascending, textScores, exactOf);
  const depth = Math.min(total, page * limit);
  const sampleSize = Math.min(total, Math.max(depth, 50));
  // Few results: rank them directly. Many, in an order that does not depend on the words: walk the
  // precomputed order until enough pass (the filters, or membership of the text matches).
  const inOrder = (ordered: boolean): boolean =>
    candidates === null
      ? results === null || total * 20 >= index.size
      : ordered && results !== null && total * 100 >= index.size;
  let passes: ((doc: number) => boolean) | undefined;
  const passing = (): ((doc: number) => boolean) => {
    passes ??=
      candidates === null || results === null ? passesPlan(index, plan) : memberOf(index, results, total);
    return passes;
  };
  const ranked = inOrder(sort !== "relevance")
    ? walkTop(index, passing(), index.sortedDocs(`${sort}:${ascending}`, keyOf), sampleSize, keyOf)
    : topK(index, results!, total, sampleSize, keyOf);
  const pageDocs = ranked.slice((page - 1) * limit, depth);

  const hits = pageDocs.map((doc) => hitOf(index, doc, params.explain === true, textScores, exactOf));
  const answer: SearchModelsResult = {
    total,
    page,
    limit,
    sort,
    results: hits,
    query: { words: textMatch?.words ?? [] },
    tookMs: 0,
  };
  if (counts !== null && wantFacets) {
    answer.facets = toFacets(index, counts, facetLimit);
    answer.facetMode = "disjunctive";
  }
  if (counts !== null && wantInsights) {
    const trendKey = (doc: number) => index.trend[doc]!;
    const trending = inOrder(true)
      ? walkTop(index, passing(), index.sortedDocs("trending:false", trendKey), Math.min(5, total), trendKey)
      : topK(index, results!, total, Math.min(5, total), trendKey);
    answer.insights = buildInsights(index, {
      total,
      counts,
      taskFilter: plan.allowTask,
      trending,
      sample: ranked,
      query: parsed.text,
      params: chosen,
    });
  }
  answer.tookMs = Number((performance.now() - started).toFixed(2));
  return answer;
}

/**
 * The documents a query may return when it is narrowed by words (`textMatch`) or by id substrings, or null
 * for the whole catalog. Substrings are checked against the ids of the word matches, or of every document.
 */
function restrictToIds(
  index: SearchIndex,
  textMatch: { docs: Uint32Array; count: number } | null,
  idContains: string[] | undefined,
): { docs: Uint32Array; count: number } | null {
  const needles = (idContains ?? []).map((value) => value.toLowerCase()).filter(Boolean);
  if (needles.length === 0) return textMatch;
  const matches = (doc: number): boolean => {
    const id = index.ids[doc]!.toLowerCase();
    return needles.every((needle) => id.includes(needle));
  };
  const docs = new Uint32Array(textMatch ? textMatch.count : index.size);
  let count = 0;
  if (textMatch) {
    for (let at = 0; at < textMatch.count; at++) {
      const doc = textMatch.docs[at]!;
      if (matches(doc)) docs[count++] = doc;
    }
  } else {
    for (let doc = 0; doc < index.size; doc++) if (matches(doc)) docs[count++] = doc;
  }
  return { docs, count };
}

const GATED_OUT: Array<false | "auto" | "manual"> = [false, "auto", "manual"];

function hitOf(
  index: SearchIndex,
  doc: number,
  explain: boolean,
  textScores: Float32Array | undefined,
  exactOf: (doc: number) => number,
): SearchHit {
  const patched = index.patched[doc] === 1;
  const taskId = index.task[doc]!;
  const modality = index.modalityOfTaskId[taskId]!;
  const explanation = explainScore(
    {
      text: textScores ? textScores[doc]! : 0,
      exactMatch: textScores ? exactOf(doc) : 0,
      popularity: index.popularity[doc]!,
      trend: index.trend[doc]!,
      recency: index.recency[doc]!,
      quality: index.quality[doc]!,
    },
    index.trendEstimated[doc] === 1,
  );
  const parameters = index.parameters[doc]!;
  const storage = index.storageBytes[doc]!;
  return {
    id: index.ids[doc]!,
    score: explanation.score,
    task: index.tasks.values[taskId] || null,
    modality: modality === 255 ? null : MODALITIES[modality]!,
    library: index.libraries.values[index.library[doc]!] || null,
    license: index.licenses.values[index.license[doc]!] || null,
    commercialUse: COMMERCIAL_VALUES[index.commercialOfLicenseId[index.license[doc]!]!]!,
    languages: index.languages.names(doc, patched),
    parameters: Number.isNaN(parameters) ? null : parameters,
    storageBytes: Number.isNaN(storage) ? null : storage,
    downloads: index.downloads[doc]!,
    likes: index.likes[doc]!,
    trendingScore: index.trendingScore[doc]!,
    createdAt: new Date(index.createdAt[doc]!).toISOString(),
    lastModified: new Date(index.lastModified[doc]!).toISOString(),
    gated: GATED_OUT[index.gated[doc]!] ?? false,
    private: index.isPrivate[doc] === 1,
    runsLocally: index.runsLocally[doc] === 1,
    scanStatus: SCAN_STATUSES[index.scanStatus[doc]!]!,
    baseModels: index.baseModels.names(doc, patched),
    datasets: index.datasets.names(doc, patched),
    evalResults: index.evalCount[doc]!,
    quality: index.quality[doc]!,
    ...(explain ? { explain: explanation } : {}),
  };
}

export { FACET_DIMENSIONS };
