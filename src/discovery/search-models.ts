import { badRequest } from "../core/errors.ts";
import { visibleNamespaces } from "../hub/access.ts";
import type { HubContext } from "../hub/hub.ts";
import { getSearchIndex } from "./get-search-index.ts";
import { parseQuery } from "./parse-query.ts";
import { explainScore, RANKING_WEIGHTS, type ScoreExplanation } from "./ranking.ts";
import { hashLower, type MultiValueColumn, SearchIndex } from "./search-index.ts";
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
  closestValue,
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

const DIM = {
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

const LANGUAGE_CODE = /^([a-z]{2,3}(-[a-z0-9]+)?|multilingual)$/i;

function unknownValue(kind: string, value: string, valid: readonly string[], listLimit = 40): never {
  const suggestion = closestValue(value, valid);
  const listed = valid.length > listLimit ? `${valid.slice(0, listLimit).join(", ")}, ...` : valid.join(", ");
  throw badRequest(
    `Unknown ${kind} "${value}"${suggestion ? `; did you mean ${suggestion}?` : "."} Valid: ${listed}`,
    { details: { parameter: kind, valid: valid.slice(0, 500) } },
  );
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

function hasMulti(column: MultiValueColumn, allowed: Uint8Array, doc: number, patched: boolean): boolean {
  const values = column.of(doc, patched);
  for (let at = 0; at < values.length; at++) if (allowed[values[at]!] === 1) return true;
  return false;
}

/**
 * Searches the catalog's models: text, filters, sorts, facet counts over the whole result set and insights,
 * in one pass over the candidates. `source` is a hub (its index is built or refreshed as needed) or an index.
 */
export function searchModels(
  source: Pick<HubContext, "catalog"> | SearchIndex,
  params: SearchModelsParams = {},
): SearchModelsResult {
  const started = performance.now();
  const index = source instanceof SearchIndex ? source : getSearchIndex(source);
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
    (value) => index.licenses.find(value) !== undefined || /^[a-z0-9][a-z0-9.+-]*$/.test(value),
    () => index.licenses.values.slice(1).sort(),
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

  const allowTask = tasks
    ? allowList(
        index.tasks.size,
        tasks.map((value) => index.tasks.find(value)),
      )
    : null;
  const allowModality = modalities
    ? allowList(
        256,
        modalities.map((value) => MODALITIES.indexOf(value)),
      )
    : null;
  const allowLibrary = libraries
    ? allowList(
        index.libraries.size,
        libraries.map((value) => index.libraries.find(value)),
      )
    : null;
  const allowLicense = licenses
    ? allowList(
        index.licenses.size,
        licenses.map((value) => index.licenses.find(value)),
      )
    : null;
  const allowCommercial = commercial
    ? allowList(
        COMMERCIAL_VALUES.length,
        commercial.map((value) => COMMERCIAL_VALUES.indexOf(value as never)),
      )
    : null;
  const allowAuthor = authors
    ? allowList(
        index.authors.size,
        authors.map((value) => index.authors.find(value)),
      )
    : null;
  const allowLanguage = languages
    ? allowList(
        index.languages.dictionary.size,
        languages.map((value) => index.languages.dictionary.find(value)),
      )
    : null;
  const allowDataset = datasets
    ? allowList(
        index.datasets.dictionary.size,
        datasets.map((value) => index.datasets.dictionary.find(value)),
      )
    : null;
  const allowBase = baseModels
    ? allowList(
        index.baseModels.dictionary.size,
        baseModels.map((value) => index.baseModels.dictionary.find(value)),
      )
    : null;
  const allowScan = scanStatuses
    ? allowList(
        SCAN_STATUSES.length,
        scanStatuses.map((value) => SCAN_STATUSES.indexOf(value as never)),
      )
    : null;
  const gatedFilter = params.gated === undefined ? -1 : params.gated ? 1 : 0;
  const localFilter = params.runsLocally === undefined ? -1 : params.runsLocally ? 1 : 0;
  const hasParameterRange = parametersMin !== undefined || parametersMax !== undefined;
  const parameterLow = parametersMin ?? 0;
  const parameterHigh = parametersMax ?? Number.POSITIVE_INFINITY;
  const hasStorageRange = storageMin !== undefined || storageMax !== undefined;
  const storageLow = storageMin ?? 0;
  const storageHigh = storageMax ?? Number.POSITIVE_INFINITY;
  const requiredTags = params.tags?.filter(Boolean).map((tag) => index.tags.dictionary.find(tag)) ?? [];
  const impossibleTags = requiredTags.some((id) => id === undefined);

  // Visibility is applied here, at query time, from the index's current private flags.
  const visible = visibleNamespaces(params.caller ?? null);
  const seeAll = visible === "all";
  const visibleAuthors = new Uint8Array(index.authors.size);
  if (!seeAll)
    for (const name of visible) {
      const id = index.authors.find(name);
      if (id !== undefined) visibleAuthors[id] = 1;
    }

  // Text candidates.
  const textMatch =
    parsed.words.length > 0
      ? index.text.match(parsed.words, index.size, index.capacity, index.patched)
      : null;
  const queryHash = parsed.text ? hashLower(parsed.text) : 0;
  const queryLower = parsed.text.toLowerCase();

  const wantFacets = params.facets !== false;
  const wantInsights = params.insights !== false;
  const counts = wantFacets || wantInsights ? new FacetCounts(index) : null;
  const resultTasks = new Float64Array(index.tasks.size);
  const qualityHistogram = new Uint32Array(10);
  let withEvaluations = 0;

  const results = new Uint32Array(textMatch ? textMatch.count : index.size);
  let total = 0;
  const universe = textMatch ? textMatch.docs : null;
  const universeSize = textMatch ? textMatch.count : index.size;
  const { task, library, license, author, removed, isPrivate, gated, runsLocally, scanStatus, patched } =
    index;
  const modalityOf = index.modalityOfTaskId;
  const commercialOf = index.commercialOfLicenseId;
  const parameters = index.parameters;
  const storage = index.storageBytes;

  for (let at = 0; at < universeSize; at++) {
    const doc = universe ? universe[at]! : at;
    if (removed[doc] === 1) continue;
    if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] === 0) continue;
    const isPatched = patched[doc] === 1;
    if (requiredTags.length > 0) {
      if (impossibleTags) break;
      const values = index.tags.of(doc, isPatched);
      let all = true;
      for (const id of requiredTags) {
        let found = false;
        for (let k = 0; k < values.length; k++)
          if (values[k] === id) {
            found = true;
            break;
          }
        if (!found) {
          all = false;
          break;
        }
      }
      if (!all) continue;
    }
    let fails = 0;
    let failed = -1;
    if (allowTask !== null && allowTask[task[doc]!] !== 1) {
      fails++;
      failed = DIM.task;
    }
    if (allowModality !== null && allowModality[modalityOf[task[doc]!]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.modality;
    }
    if (allowLibrary !== null && allowLibrary[library[doc]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.library;
    }
    if (allowLicense !== null && allowLicense[license[doc]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.license;
    }
    if (allowCommercial !== null && allowCommercial[commercialOf[license[doc]!]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.commercial;
    }
    if (allowAuthor !== null && allowAuthor[author[doc]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.author;
    }
    if (hasParameterRange) {
      const value = parameters[doc]!;
      if (!(value >= parameterLow && value <= parameterHigh)) {
        if (++fails > 1) continue;
        failed = DIM.parameters;
      }
    }
    if (hasStorageRange) {
      const value = storage[doc]!;
      if (!(value >= storageLow && value <= storageHigh)) {
        if (++fails > 1) continue;
        failed = DIM.storage;
      }
    }
    if (gatedFilter >= 0 && (gated[doc]! > 0 ? 1 : 0) !== gatedFilter) {
      if (++fails > 1) continue;
      failed = DIM.gated;
    }
    if (localFilter >= 0 && runsLocally[doc] !== localFilter) {
      if (++fails > 1) continue;
      failed = DIM.runsLocally;
    }
    if (allowScan !== null && allowScan[scanStatus[doc]!] !== 1) {
      if (++fails > 1) continue;
      failed = DIM.scan;
    }
    if (allowLanguage !== null && !hasMulti(index.languages, allowLanguage, doc, isPatched)) {
      if (++fails > 1) continue;
      failed = DIM.language;
    }
    if (allowBase !== null && !hasMulti(index.baseModels, allowBase, doc, isPatched)) {
      if (++fails > 1) continue;
      failed = DIM.baseModel;
    }
    if (allowDataset !== null && !hasMulti(index.datasets, allowDataset, doc, isPatched)) {
      if (++fails > 1) continue;
      failed = DIM.dataset;
    }
    if (fails === 0) {
      results[total++] = doc;
      if (counts !== null) {
        counts.all(doc, isPatched);
        resultTasks[task[doc]!]!++;
        if (index.evalCount[doc]! > 0) {
          withEvaluations++;
          const mean = index.evalMean[doc]!;
          if (!Number.isNaN(mean)) qualityHistogram[Math.min(9, Math.floor(mean * 10))]!++;
        }
      }
    } else if (counts !== null) counts.one(failed, doc, isPatched);
  }

  // Ranking keys.
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
  const keyOf = sortKey(index, sort, params.ascending === true, textScores, exactOf);
  const depth = Math.min(total, page * limit);
  const sampleSize = Math.min(total, Math.max(depth, 50));
  const ranked = topK(index, results, total, sampleSize, keyOf);
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
    answer.facets = counts.toFacets(facetLimit);
    answer.facetMode = "disjunctive";
  }
  if (counts !== null && wantInsights) {
    answer.insights = buildInsights(index, {
      results,
      total,
      resultTasks,
      qualityHistogram,
      withEvaluations,
      sample: ranked,
      query: parsed.text,
      params: { tasks, libraries, languages, baseModels },
    });
  }
  answer.tookMs = Number((performance.now() - started).toFixed(2));
  return answer;
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
 * Facet counts, disjunctive: a document that passes every filter counts in every dimension; one that fails
 * exactly one filter counts only in that filter's dimension. Each dimension's counts are therefore "what you
 * would get choosing this value instead", the usual faceted-search convention.
 */
class FacetCounts {
  readonly task: Float64Array;
  readonly modality = new Float64Array(256);
  readonly library: Float64Array;
  readonly language: Float64Array;
  readonly license: Float64Array;
  readonly commercial = new Float64Array(COMMERCIAL_VALUES.length);
  readonly author: Float64Array;
  readonly parameters = new Float64Array(PARAMETER_BUCKETS.length + 1);
  readonly storage = new Float64Array(STORAGE_BUCKETS.length + 1);
  readonly gated = new Float64Array(3);
  readonly runsLocally = new Float64Array(2);
  readonly scan = new Float64Array(SCAN_STATUSES.length);
  readonly baseModel: Float64Array;
  readonly dataset: Float64Array;

  constructor(private readonly index: SearchIndex) {
    this.task = new Float64Array(index.tasks.size);
    this.library = new Float64Array(index.libraries.size);
    this.language = new Float64Array(index.languages.dictionary.size);
    this.license = new Float64Array(index.licenses.size);
    this.author = new Float64Array(index.authors.size);
    this.baseModel = new Float64Array(index.baseModels.dictionary.size);
    this.dataset = new Float64Array(index.datasets.dictionary.size);
  }

  all(doc: number, patched: boolean): void {
    const index = this.index;
    const task = index.task[doc]!;
    this.task[task]!++;
    this.modality[index.modalityOfTaskId[task]!]!++;
    this.library[index.library[doc]!]!++;
    const license = index.license[doc]!;
    this.license[license]!++;
    this.commercial[index.commercialOfLicenseId[license]!]!++;
    this.author[index.author[doc]!]!++;
    this.parameters[index.parameterBucket[doc]!]!++;
    this.storage[index.storageBucket[doc]!]!++;
    this.gated[index.gated[doc]!]!++;
    this.runsLocally[index.runsLocally[doc]!]!++;
    this.scan[index.scanStatus[doc]!]!++;
    this.multi(index.languages, this.language, doc, patched);
    this.multi(index.baseModels, this.baseModel, doc, patched);
    this.multi(index.datasets, this.dataset, doc, patched);
  }

  private multi(column: MultiValueColumn, counts: Float64Array, doc: number, patched: boolean): void {
    if (patched) {
      for (const id of column.overrides.get(doc) ?? []) counts[id]!++;
      return;
    }
    const end = column.offsets[doc + 1]!;
    for (let at = column.offsets[doc]!; at < end; at++) counts[column.values[at]!]!++;
  }

  one(dimension: number, doc: number, patched: boolean): void {
    const index = this.index;
    switch (dimension) {
      case DIM.task:
        this.task[index.task[doc]!]!++;
        return;
      case DIM.modality:
        this.modality[index.modalityOfTaskId[index.task[doc]!]!]!++;
        return;
      case DIM.library:
        this.library[index.library[doc]!]!++;
        return;
      case DIM.license:
        this.license[index.license[doc]!]!++;
        return;
      case DIM.commercial:
        this.commercial[index.commercialOfLicenseId[index.license[doc]!]!]!++;
        return;
      case DIM.author:
        this.author[index.author[doc]!]!++;
        return;
      case DIM.parameters:
        this.parameters[index.parameterBucket[doc]!]!++;
        return;
      case DIM.storage:
        this.storage[index.storageBucket[doc]!]!++;
        return;
      case DIM.gated:
        this.gated[index.gated[doc]!]!++;
        return;
      case DIM.runsLocally:
        this.runsLocally[index.runsLocally[doc]!]!++;
        return;
      case DIM.scan:
        this.scan[index.scanStatus[doc]!]!++;
        return;
      case DIM.language:
        this.multi(index.languages, this.language, doc, patched);
        return;
      case DIM.baseModel:
        this.multi(index.baseModels, this.baseModel, doc, patched);
        return;
      case DIM.dataset:
        this.multi(index.datasets, this.dataset, doc, patched);
        return;
    }
  }

  toFacets(limit: number): Record<FacetDimension, FacetValue[]> {
    const index = this.index;
    const named = (counts: Float64Array, names: readonly string[], skipZeroId = true): FacetValue[] => {
      const values: FacetValue[] = [];
      for (let id = skipZeroId ? 1 : 0; id < counts.length; id++) {
        if (counts[id]! > 0) values.push({ value: names[id]!, count: counts[id]! });
      }
      values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      return values.slice(0, limit);
    };
    const ranges = (counts: Float64Array, buckets: readonly RangeBucket[]): FacetValue[] => {
      const values: FacetValue[] = buckets.map((bucket, at) => ({
        value: bucket.label,
        count: counts[at]!,
        min: bucket.min,
        max: bucket.max,
      }));
      values.push({ value: "unknown", count: counts[buckets.length]!, min: null, max: null });
      return values.filter((value) => value.count > 0);
    };
    const gated = GATED_VALUES.map((value, at) => ({ value, count: this.gated[at]! })).filter(
      (v) => v.count > 0,
    );
    return {
      task: named(this.task, index.tasks.values),
      modality: named(this.modality, MODALITIES, false),
      library: named(this.library, index.libraries.values),
      language: named(this.language, index.languages.dictionary.values),
      license: named(this.license, index.licenses.values),
      commercial: named(this.commercial, COMMERCIAL_VALUES, false),
      author: named(this.author, index.authors.values),
      parameters: ranges(this.parameters, PARAMETER_BUCKETS),
      storage: ranges(this.storage, STORAGE_BUCKETS),
      gated,
      runs_locally: named(this.runsLocally, ["false", "true"], false),
      scan_status: named(this.scan, SCAN_STATUSES, false),
      base_model: named(this.baseModel, index.baseModels.dictionary.values),
      dataset: named(this.dataset, index.datasets.dictionary.values),
    };
  }
}

function buildInsights(
  index: SearchIndex,
  input: {
    results: Uint32Array;
    total: number;
    resultTasks: Float64Array;
    qualityHistogram: Uint32Array;
    withEvaluations: number;
    sample: number[];
    query: string;
    params: { tasks?: string[]; libraries?: string[]; languages?: string[]; baseModels?: string[] };
  },
): SearchInsights {
  const popularTasks: SearchInsights["popularTasks"] = [];
  for (let id = 1; id < input.resultTasks.length; id++) {
    const count = input.resultTasks[id]!;
    if (count > 0) popularTasks.push({ task: index.tasks.values[id]!, count, share: count / input.total });
  }
  popularTasks.sort((a, b) => b.count - a.count);
  popularTasks.splice(5);

  const trending = topK(
    index,
    input.results,
    input.total,
    Math.min(5, input.total),
    (doc) => index.trend[doc]!,
  );
  const trendingModels = trending.map((doc) => ({
    id: index.ids[doc]!,
    trend: index.trend[doc]!,
    estimated: index.trendEstimated[doc] === 1,
  }));

  const histogram = Array.from(input.qualityHistogram, (count, bin) => ({
    from: bin / 10,
    to: (bin + 1) / 10,
    count,
  }));

  return {
    popularTasks,
    trendingModels,
    quality: {
      withEvaluations: input.withEvaluations,
      withoutEvaluations: input.total - input.withEvaluations,
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
