import { badRequest } from "../core/errors.ts";
import { visibleNamespaces } from "../hub/access.ts";
import type { HubContext } from "../hub/hub.ts";
import { KNOWN_LICENSES } from "../hub/metadata/licenses.ts";
import { makeClassifier } from "./classify.ts";
import type { FacetArrays } from "./facet-counts.ts";
import { facetScan } from "./facet-scan.ts";
import { getSearchIndex } from "./get-search-index.ts";
import type { MultiValueColumn } from "./index-columns.ts";
import { hashLower } from "./indexed-model.ts";
import { parseQuery } from "./parse-query.ts";
import type { FilterPlan } from "./plan.ts";
import { explainScore, RANKING_WEIGHTS, type ScoreExplanation } from "./ranking.ts";
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
import {
  COMMERCIAL_VALUES,
  closestValues,
  didYouMean,
  GATED_VALUES,
  KNOWN_LIBRARIES,
  MODALITIES,
  PARAMETER_BUCKETS,
  type RangeBucket,
  SCAN_STATUSES,
  STORAGE_BUCKETS,
  TASKS,
} from "./vocabulary.ts";

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

const LANGUAGE_CODE = /^([a-z]{2,3}(-[a-z0-9]+)?|multilingual)$/i;

function unknownValue(kind: string, value: string, valid: readonly string[], listLimit = 40): never {
  const suggestions = closestValues(value, valid);
  const listed = valid.length > listLimit ? `${valid.slice(0, listLimit).join(", ")}, ...` : valid.join(", ");
  throw badRequest(`Unknown ${kind} "${value}"${didYouMean(suggestions) || "."} Valid: ${listed}`, {
    details: { parameter: kind, didYouMean: suggestions, valid: valid.slice(0, 500) },
  });
}

/** A filter over one dictionary dimension: which value ids pass. Unknown-but-valid values match nothing. */
function allowList(size: number, ids: Array<number | undefined>): Uint8Array {
  const allowed = new Uint8Array(Math.max(size, 1));
  for (const id of ids) if (id !== undefined) allowed[id] = 1;
  return allowed;
}

function checkValues(
  kind: string,
  values: string[] | undefined,
  isValid: (value: string) => boolean,
  valid: () => readonly string[],
): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  for (const value of values) if (!isValid(value)) unknownValue(kind, value, valid());
  return values;
}

function mergeLists(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return [...a, ...b];
}

function rangeValue(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw badRequest(`${name} must be a non-negative number, got ${value}`);
  return value;
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

  // Validation: every value must exist in the vocabulary (or in the catalog, for open vocabularies).
  const tasks = checkValues(
    "task",
    mergeLists(params.tasks, inline.task),
    (value) => TASKS.includes(value) || index.tasks.find(value) !== undefined,
    () => TASKS,
  );
  const modalities = checkValues(
    "modality",
    mergeLists(params.modalities, inline.modality),
    (value) => MODALITIES.includes(value),
    () => MODALITIES,
  );
  const libraries = checkValues(
    "library",
    mergeLists(params.libraries, inline.library),
    (value) => KNOWN_LIBRARIES.has(value) || index.libraries.find(value) !== undefined,
    () => [...new Set([...index.libraries.values.slice(1), ...KNOWN_LIBRARIES])].sort(),
  );
  const licenses = checkValues(
    "license",
    mergeLists(params.licenses, inline.license),
    (value) => KNOWN_LICENSES.includes(value) || index.licenses.find(value) !== undefined,
    () => [...new Set([...KNOWN_LICENSES, ...index.licenses.values.slice(1)])].sort(),
  );
  const languages = checkValues(
    "language",
    mergeLists(params.languages, inline.language),
    (value) => LANGUAGE_CODE.test(value) || index.languages.dictionary.find(value) !== undefined,
    () => index.languages.dictionary.values.slice(1).sort(),
  );
  const commercial = checkValues(
    "commercial",
    params.commercial,
    (value) => (COMMERCIAL_VALUES as readonly string[]).includes(value),
    () => COMMERCIAL_VALUES,
  );
  const scanStatuses = checkValues(
    "scan_status",
    params.scanStatuses,
    (value) => (SCAN_STATUSES as readonly string[]).includes(value),
    () => SCAN_STATUSES,
  );
  const authors = mergeLists(params.authors, inline.author);
  const datasets = mergeLists(params.datasets, inline.dataset);
  const baseModels = mergeLists(params.baseModels, inline.base_model);
  const parametersMin = rangeValue("params_min", params.parametersMin);
  const parametersMax = rangeValue("params_max", params.parametersMax);
  const storageMin = rangeValue("storage_min", params.storageMin);
  const storageMax = rangeValue("storage_max", params.storageMax);
  if (parametersMin !== undefined && parametersMax !== undefined && parametersMin > parametersMax) {
    throw badRequest(`params_min (${parametersMin}) is larger than params_max (${parametersMax})`);
  }
  if (storageMin !== undefined && storageMax !== undefined && storageMin > storageMax) {
    throw badRequest(`storage_min (${storageMin}) is larger than storage_max (${storageMax})`);
  }

  const visible = visibleNamespaces(params.caller ?? null);
  const visibleAuthors = new Uint8Array(index.authors.size);
  if (visible !== "all") {
    for (const name of visible) {
      const id = index.authors.find(name);
      if (id !== undefined) visibleAuthors[id] = 1;
    }
  }
  const requiredTags = params.tags?.filter(Boolean).map((tag) => index.tags.dictionary.find(tag)) ?? [];
  // Visibility is part of the plan: applied at query time from the index's current private flags.
  const plan: FilterPlan = {
    allowTask: tasks
      ? allowList(
          index.tasks.size,
          tasks.map((value) => index.tasks.find(value)),
        )
      : null,
    allowModality: modalities
      ? allowList(
          256,
          modalities.map((value) => MODALITIES.indexOf(value)),
        )
      : null,
    allowLibrary: libraries
      ? allowList(
          index.libraries.size,
          libraries.map((value) => index.libraries.find(value)),
        )
      : null,
    allowLicense: licenses
      ? allowList(
          index.licenses.size,
          licenses.map((value) => index.licenses.find(value)),
        )
      : null,
    allowCommercial: commercial
      ? allowList(
          COMMERCIAL_VALUES.length,
          commercial.map((value) => COMMERCIAL_VALUES.indexOf(value as never)),
        )
      : null,
    allowAuthor: authors
      ? allowList(
          index.authors.size,
          authors.map((value) => index.authors.find(value)),
        )
      : null,
    allowLanguage: languages
      ? allowList(
          index.languages.dictionary.size,
          languages.map((value) => index.languages.dictionary.find(value)),
        )
      : null,
    allowDataset: datasets
      ? allowList(
          index.datasets.dictionary.size,
          datasets.map((value) => index.datasets.dictionary.find(value)),
        )
      : null,
    allowBase: baseModels
      ? allowList(
          index.baseModels.dictionary.size,
          baseModels.map((value) => index.baseModels.dictionary.find(value)),
        )
      : null,
    allowScan: scanStatuses
      ? allowList(
          SCAN_STATUSES.length,
          scanStatuses.map((value) => SCAN_STATUSES.indexOf(value as never)),
        )
      : null,
    gated: params.gated === undefined ? -1 : params.gated ? 1 : 0,
    runsLocally: params.runsLocally === undefined ? -1 : params.runsLocally ? 1 : 0,
    parameterRange:
      parametersMin !== undefined || parametersMax !== undefined
        ? [parametersMin ?? 0, parametersMax ?? Number.POSITIVE_INFINITY]
        : null,
    storageRange:
      storageMin !== undefined || storageMax !== undefined
        ? [storageMin ?? 0, storageMax ?? Number.POSITIVE_INFINITY]
        : null,
    requiredTags: requiredTags.filter((id): id is number => id !== undefined),
    impossibleTags: requiredTags.some((id) => id === undefined),
    seeAll: visible === "all",
    visibleAuthors,
  };

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
  // Few results: rank them directly. Many (and no text): walk the precomputed order until enough pass.
  const ranked =
    results !== null && (candidates !== null || total * 20 < index.size)
      ? topK(index, results, total, sampleSize, keyOf)
      : walkTop(index, plan, index.sortedDocs(`${sort}:${ascending}`, keyOf), sampleSize, keyOf);
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
    const trending =
      results !== null && (candidates !== null || total * 20 < index.size)
        ? topK(index, results, total, Math.min(5, total), trendKey)
        : walkTop(index, plan, index.sortedDocs("trending:false", trendKey), Math.min(5, total), trendKey);
    answer.insights = buildInsights(index, {
      total,
      counts,
      taskFilter: plan.allowTask,
      trending,
      sample: ranked,
      query: parsed.text,
      params: { tasks, libraries, languages, baseModels },
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

type KeyFunction = (doc: number) => number;

function sortKey(
  index: SearchIndex,
  sort: SearchSort,
  ascending: boolean,
  textScores: Float32Array | undefined,
  exactOf: (doc: number) => number,
): KeyFunction {
  const sign = ascending && sort !== "relevance" ? -1 : 1;
  switch (sort) {
    case "relevance":
      if (!textScores) return (doc) => index.staticScore[doc]!;
      return (doc) =>
        RANKING_WEIGHTS.text * textScores[doc]! +
        RANKING_WEIGHTS.exactMatch * exactOf(doc) +
        index.staticScore[doc]!;
    case "trending":
      return (doc) => sign * index.trend[doc]!;
    case "downloads":
      return (doc) => sign * index.downloads[doc]!;
    case "likes":
      return (doc) => sign * index.likes[doc]!;
    case "updated":
      return (doc) => sign * index.lastModified[doc]!;
    case "created":
      return (doc) => sign * index.createdAt[doc]!;
    case "parameters":
      // Unknown sizes go last either way.
      return (doc) => {
        const value = index.parameters[doc]!;
        return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : sign * value;
      };
  }
}

/**
 * The best `k` documents by key (ties: more downloads, then older row), best first: a bounded min-heap over
 * the results, O(n log k).
 */
function topK(
  index: SearchIndex,
  results: Uint32Array,
  total: number,
  k: number,
  keyOf: KeyFunction,
): number[] {
  if (k === 0) return [];
  const heapDocs = new Uint32Array(k);
  const heapKeys = new Float64Array(k);
  let size = 0;
  const downloads = index.downloads;
  const pk = index.pk;
  // Whether a ranks below b (a is worse).
  const worse = (keyA: number, docA: number, keyB: number, docB: number): boolean => {
    if (keyA !== keyB) return keyA < keyB;
    const downloadsA = downloads[docA]!;
    const downloadsB = downloads[docB]!;
    if (downloadsA !== downloadsB) return downloadsA < downloadsB;
    return pk[docA]! > pk[docB]!;
  };
  const siftDown = (from: number): void => {
    let at = from;
    for (;;) {
      const left = at * 2 + 1;
      if (left >= size) return;
      const right = left + 1;
      let child = left;
      if (right < size && worse(heapKeys[right]!, heapDocs[right]!, heapKeys[left]!, heapDocs[left]!))
        child = right;
      if (!worse(heapKeys[child]!, heapDocs[child]!, heapKeys[at]!, heapDocs[at]!)) return;
      const doc = heapDocs[at]!;
      const key = heapKeys[at]!;
      heapDocs[at] = heapDocs[child]!;
      heapKeys[at] = heapKeys[child]!;
      heapDocs[child] = doc;
      heapKeys[child] = key;
      at = child;
    }
  };
  for (let at = 0; at < total; at++) {
    const doc = results[at]!;
    const key = keyOf(doc);
    if (size < k) {
      let position = size++;
      heapDocs[position] = doc;
      heapKeys[position] = key;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!worse(heapKeys[position]!, heapDocs[position]!, heapKeys[parent]!, heapDocs[parent]!)) break;
        const parentDoc = heapDocs[parent]!;
        const parentKey = heapKeys[parent]!;
        heapDocs[parent] = heapDocs[position]!;
        heapKeys[parent] = heapKeys[position]!;
        heapDocs[position] = parentDoc;
        heapKeys[position] = parentKey;
        position = parent;
      }
    } else if (worse(heapKeys[0]!, heapDocs[0]!, key, doc)) {
      heapDocs[0] = doc;
      heapKeys[0] = key;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, at) => at);
  order.sort((a, b) =>
    worse(heapKeys[a]!, heapDocs[a]!, heapKeys[b]!, heapDocs[b]!)
      ? 1
      : worse(heapKeys[b]!, heapDocs[b]!, heapKeys[a]!, heapDocs[a]!)
        ? -1
        : 0,
  );
  return order.map((at) => heapDocs[at]!);
}

/**
 * The best `k` documents in a precomputed order (built documents only), skipping ones that fail the plan;
 * documents changed since the build are ranked separately and merged in.
 */
function walkTop(
  index: SearchIndex,
  plan: FilterPlan,
  order: Uint32Array,
  k: number,
  keyOf: KeyFunction,
): number[] {
  const classify = makeClassifier(index, plan);
  const picked: number[] = [];
  for (let at = 0; at < order.length && picked.length < k; at++) {
    const doc = order[at]!;
    if (index.patched[doc] === 1) continue;
    if (classify(doc) === -1) picked.push(doc);
  }
  if (index.patchedList.length === 0) return picked;
  const merged = [...picked];
  for (const doc of index.patchedList) if (classify(doc) === -1) merged.push(doc);
  return topK(index, Uint32Array.from(merged), merged.length, Math.min(k, merged.length), keyOf);
}

function valuesOf(column: MultiValueColumn, doc: number, patched: boolean): string[] {
  return Array.from(column.of(doc, patched), (id) => column.dictionary.values[id]!);
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
    languages: valuesOf(index.languages, doc, patched),
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
    baseModels: valuesOf(index.baseModels, doc, patched),
    datasets: valuesOf(index.datasets, doc, patched),
    evalResults: index.evalCount[doc]!,
    quality: index.quality[doc]!,
    ...(explain ? { explain: explanation } : {}),
  };
}

/**
 * Facet lists from counts. The counts are disjunctive (see `scan`): a document that passes every filter
 * counts in every dimension; one that fails exactly one filter counts only in that filter's dimension, so a
 * dimension's counts are "what you would get choosing this value instead", the usual faceted-search convention.
 */
function toFacets(
  index: SearchIndex,
  counts: FacetArrays,
  limit: number,
): Record<FacetDimension, FacetValue[]> {
  const named = (values: Uint32Array, names: readonly string[], skipZeroId = true): FacetValue[] => {
    // Authors and base models run to hundreds of thousands of values: keep only counts that can make the
    // list (at least the limit-th largest) before building and sorting objects.
    let threshold = 1;
    if (values.length > limit * 8) {
      const cap = 4096;
      const histogram = new Uint32Array(cap + 1);
      for (let id = skipZeroId ? 1 : 0; id < values.length; id++) histogram[Math.min(cap, values[id]!)]!++;
      let seen = 0;
      for (let count = cap; count >= 1; count--) {
        seen += histogram[count]!;
        if (seen >= limit) {
          threshold = count;
          break;
        }
      }
    }
    const list: FacetValue[] = [];
    for (let id = skipZeroId ? 1 : 0; id < values.length; id++) {
      if (values[id]! >= threshold) list.push({ value: names[id]!, count: values[id]! });
    }
    list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    return list.slice(0, limit);
  };
  const ranges = (values: Uint32Array, buckets: readonly RangeBucket[]): FacetValue[] => {
    const list: FacetValue[] = buckets.map((bucket, at) => ({
      value: bucket.label,
      count: values[at]!,
      min: bucket.min,
      max: bucket.max,
    }));
    list.push({ value: "unknown", count: values[buckets.length]!, min: null, max: null });
    return list.filter((value) => value.count > 0);
  };
  return {
    task: named(counts.task, index.tasks.values),
    modality: named(counts.modality, MODALITIES, false),
    library: named(counts.library, index.libraries.values),
    language: named(counts.language, index.languages.dictionary.values),
    license: named(counts.license, index.licenses.values),
    commercial: named(counts.commercial, COMMERCIAL_VALUES, false),
    author: named(counts.author, index.authors.values),
    parameters: ranges(counts.parameters, PARAMETER_BUCKETS),
    storage: ranges(counts.storage, STORAGE_BUCKETS),
    gated: named(counts.gated, GATED_VALUES, false),
    runs_locally: named(counts.runsLocally, ["false", "true"], false),
    scan_status: named(counts.scan, SCAN_STATUSES, false),
    base_model: named(counts.baseModel, index.baseModels.dictionary.values),
    dataset: named(counts.dataset, index.datasets.dictionary.values),
  };
}

function buildInsights(
  index: SearchIndex,
  input: {
    total: number;
    counts: FacetArrays;
    taskFilter: Uint8Array | null;
    trending: number[];
    sample: number[];
    query: string;
    params: { tasks?: string[]; libraries?: string[]; languages?: string[]; baseModels?: string[] };
  },
): SearchInsights {
  // Task counts are disjunctive; within the result set only the chosen tasks (if any) remain.
  const popularTasks: SearchInsights["popularTasks"] = [];
  for (let id = 1; id < input.counts.task.length; id++) {
    if (input.taskFilter !== null && input.taskFilter[id] !== 1) continue;
    const count = input.counts.task[id]!;
    if (count > 0) popularTasks.push({ task: index.tasks.values[id]!, count, share: count / input.total });
  }
  popularTasks.sort((a, b) => b.count - a.count);
  popularTasks.splice(5);
  const trendingModels = input.trending.map((doc) => ({
    id: index.ids[doc]!,
    trend: index.trend[doc]!,
    estimated: index.trendEstimated[doc] === 1,
  }));
  const histogram = Array.from(input.counts.qualityHistogram, (count, bin) => ({
    from: bin / 10,
    to: (bin + 1) / 10,
    count,
  }));
  return {
    popularTasks,
    trendingModels,
    quality: {
      withEvaluations: input.counts.withEvaluations,
      withoutEvaluations: input.total - input.counts.withEvaluations,
      histogram,
    },
    relatedSearches: relatedSearches(index, input.sample.slice(0, 50), input.query, input.params),
  };
}

/**
 * Suggested refinements: the libraries, tasks, languages and base models that co-occur most among the top
 * results and are not already chosen, each turned into the query plus that filter.
 */
function relatedSearches(
  index: SearchIndex,
  sample: number[],
  query: string,
  chosen: { tasks?: string[]; libraries?: string[]; languages?: string[]; baseModels?: string[] },
): SearchInsights["relatedSearches"] {
  if (sample.length === 0) return [];
  const tally = (values: Array<string | null>, exclude: string[] | undefined): Array<[string, number]> => {
    const counts = new Map<string, number>();
    for (const value of values) {
      if (!value || exclude?.includes(value)) continue;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const suggestions: SearchInsights["relatedSearches"] = [];
  const add = (entries: Array<[string, number]>, parameter: string, take: number): void => {
    for (const [value, count] of entries.slice(0, take)) {
      if (count < 2) continue;
      const params: Record<string, string> = { ...(query ? { q: query } : {}), [parameter]: value };
      suggestions.push({
        label: query ? `${query} ${parameter}:${value}` : `${parameter}:${value}`,
        params,
        count,
      });
    }
  };
  const patched = (doc: number) => index.patched[doc] === 1;
  add(
    tally(
      sample.map((doc) => index.libraries.values[index.library[doc]!] || null),
      chosen.libraries,
    ),
    "library",
    2,
  );
  add(
    tally(
      sample.map((doc) => index.tasks.values[index.task[doc]!] || null),
      chosen.tasks,
    ),
    "task",
    2,
  );
  add(
    tally(
      sample.flatMap((doc) => valuesOf(index.languages, doc, patched(doc))),
      chosen.languages,
    ),
    "language",
    1,
  );
  add(
    tally(
      sample.flatMap((doc) => valuesOf(index.baseModels, doc, patched(doc))),
      chosen.baseModels,
    ),
    "base_model",
    1,
  );
  return suggestions.sort((a, b) => b.count - a.count).slice(0, 6);
}

export { FACET_DIMENSIONS };
