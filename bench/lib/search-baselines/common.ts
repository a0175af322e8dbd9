/**
 * What every search baseline of `bench:search` shares: the query shape (the subset of `SearchModelsParams`
 * the benchmark's query mix uses), the models as read from the benchmark's SQLite catalog, the facet
 * dimensions with their disjunctive semantics (a dimension's counts ignore that dimension's own filter, as
 * Hangar's engine counts them), and the result every engine returns so answers can be compared.
 */
import Database from "better-sqlite3";
import { popularityComponent, trendComponent } from "../../../src/discovery/ranking.ts";
import {
  bucketOf,
  COMMERCIAL_VALUES,
  commercialValue,
  MODALITIES,
  modalityOfTask,
  PARAMETER_BUCKETS,
} from "../../../src/discovery/vocabulary.ts";
import { commercialUseOf } from "../../../src/hub/metadata/licenses.ts";

export type BenchSort =
  | "relevance"
  | "trending"
  | "downloads"
  | "likes"
  | "updated"
  | "created"
  | "parameters";

/** One benchmark query (the fields of `SearchModelsParams` the query mix sets). */
export interface BenchQuery {
  query?: string;
  tasks?: string[];
  libraries?: string[];
  licenses?: string[];
  commercial?: string[];
  languages?: string[];
  parametersMin?: number;
  parametersMax?: number;
  gated?: boolean;
  sort?: BenchSort;
  limit?: number;
}

/** A filter a query can carry: the facet dimension it narrows. */
export type FilterDimension =
  | "task"
  | "library"
  | "license"
  | "commercial"
  | "language"
  | "parameters"
  | "gated";

/**
 * The facet dimensions every baseline counts: those of Hangar's 14 that vary on the synthetic catalog (storage,
 * runs_locally, scan_status and dataset are one value for every synthetic model). Modality and commercial use
 * are functions of the task and the licence: engines count those columns and map the counts.
 */
export const FACET_DIMENSIONS = [
  "task",
  "modality",
  "library",
  "license",
  "commercial",
  "language",
  "author",
  "parameters",
  "gated",
  "base_model",
] as const;
export type FacetDimension = (typeof FACET_DIMENSIONS)[number];

/** The stored column a facet dimension is counted from. */
export type FacetColumn =
  | "task"
  | "library"
  | "license"
  | "language"
  | "author"
  | "pbucket"
  | "gated"
  | "base_model";

export const FACET_LIMIT = 30;

/** One model as every baseline indexes it. */
export interface BaselineModel {
  doc: number;
  id: string;
  author: string;
  name: string;
  /** Plain tags (no `key:value`), as Hangar's index takes them as words. */
  tags: string;
  description: string;
  task: string | null;
  library: string | null;
  license: string | null;
  languages: string[];
  baseModels: string[];
  /** Null when unknown. */
  parameters: number | null;
  /** Index into PARAMETER_BUCKETS, PARAMETER_BUCKETS.length for unknown (as Hangar buckets). */
  parameterBucket: number;
  gated: number;
  downloads: number;
  likes: number;
  /** Hangar's trend component (what its `trending` sort orders by), stored as a column. */
  trending: number;
  created: number;
  modified: number;
}

export type FacetCounts = Record<FacetDimension, Array<[string, number]>>;

export interface BaselineAnswer {
  /** The page's ids, best first. */
  ids: string[];
  total: number;
  facets: FacetCounts;
}

export interface SearchBaseline {
  readonly name: string;
  /** Indexes every model; returns what it keeps besides the process heap (bytes on disk or in a server). */
  build(models: () => Iterable<BaselineModel>, count: number): Promise<{ storedBytes: number | null }>;
  search(query: BenchQuery): Promise<BaselineAnswer>;
  /** CPU time spent so far outside this process on its behalf (a database server's backend), in ms. */
  serverCpuMs?(): number;
  close(): Promise<void>;
}

const GATED_CODES: Record<string, number> = { false: 0, auto: 1, manual: 2 };
export const GATED_LABELS = ["false", "auto", "manual"];

function parseList(json: string | null): string[] {
  if (!json || json === "[]") return [];
  const value = JSON.parse(json) as unknown;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** Every public model of the benchmark's catalog (the same rows Hangar's index reads), in pk order. */
export function* readModels(databasePath: string): Generator<BaselineModel> {
  const db = new Database(databasePath, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.pk, r.namespace, r.name, r.gated, r.created_at, r.last_modified, r.downloads, r.likes,
           r.trending_score, COALESCE(r.pipeline_tag, f.pipeline_tag) AS task,
           COALESCE(r.library_name, f.library) AS library, r.tags, f.description, f.license, f.languages,
           f.parameters, f.base_models
         FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk
         WHERE r.type = 'model' AND r.private = 0 ORDER BY r.pk`,
      )
      .raw()
      .iterate() as Iterable<unknown[]>;
    let doc = 0;
    const now = Date.now();
    for (const row of rows) {
      const parameters = row[15] as number | null;
      const downloads = row[6] as number;
      const likes = row[7] as number;
      const modified = Date.parse(row[5] as string);
      const popularity = popularityComponent(downloads, likes);
      yield {
        doc: doc++,
        id: `${row[1]}/${row[2]}`,
        author: row[1] as string,
        name: row[2] as string,
        tags: parseList(row[11] as string)
          .filter((tag) => !tag.includes(":"))
          .join(" "),
        description: (row[12] as string | null) ?? "",
        task: row[9] as string | null,
        library: row[10] as string | null,
        license: row[13] as string | null,
        languages: parseList(row[14] as string | null),
        baseModels: parseList(row[16] as string | null),
        parameters,
        parameterBucket: bucketOf(PARAMETER_BUCKETS, parameters ?? Number.NaN),
        gated: GATED_CODES[row[3] as string] ?? 0,
        downloads,
        likes,
        trending: trendComponent(row[8] as number, popularity, modified, now).value,
        created: Date.parse(row[4] as string),
        modified,
      };
    }
  } finally {
    db.close();
  }
}

export function countModels(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db
      .prepare("SELECT COUNT(*) FROM repos WHERE type = 'model' AND private = 0")
      .pluck()
      .get() as number;
  } finally {
    db.close();
  }
}

/** The licences of the catalog whose commercial use is one of `values` (the commercial filter as a licence list). */
export function licensesWithCommercial(licenses: Iterable<string | null>, values: string[]): string[] {
  const wanted = new Set(values);
  return [...licenses].filter(
    (license): license is string => license !== null && wanted.has(commercialValue(commercialUseOf(license))),
  );
}

/** The filters a query carries, by dimension. */
export function filtersOf(query: BenchQuery): FilterDimension[] {
  const filters: FilterDimension[] = [];
  if (query.tasks) filters.push("task");
  if (query.libraries) filters.push("library");
  if (query.licenses) filters.push("license");
  if (query.commercial) filters.push("commercial");
  if (query.languages) filters.push("language");
  if (query.parametersMin !== undefined || query.parametersMax !== undefined) filters.push("parameters");
  if (query.gated !== undefined) filters.push("gated");
  return filters;
}

/** The column a dimension is counted from, and the filter its counts leave out (disjunctive facets). */
const FACET_SOURCES: Record<FacetDimension, { column: FacetColumn; own: FilterDimension | null }> = {
  task: { column: "task", own: "task" },
  modality: { column: "task", own: null },
  library: { column: "library", own: "library" },
  license: { column: "license", own: "license" },
  commercial: { column: "license", own: "commercial" },
  language: { column: "language", own: "language" },
  author: { column: "author", own: null },
  parameters: { column: "pbucket", own: "parameters" },
  gated: { column: "gated", own: "gated" },
  base_model: { column: "base_model", own: null },
};

/**
 * The counting jobs a query needs: one per (column, filter left out) pair, null meaning every filter applies.
 * A dimension whose own filter is not in the query shares the all-filters job of its column.
 */
export function facetJobs(
  query: BenchQuery,
): Array<{ column: FacetColumn; without: FilterDimension | null; dimensions: FacetDimension[] }> {
  const active = new Set(filtersOf(query));
  const jobs = new Map<
    string,
    { column: FacetColumn; without: FilterDimension | null; dimensions: FacetDimension[] }
  >();
  for (const dimension of FACET_DIMENSIONS) {
    const source = FACET_SOURCES[dimension];
    const without = source.own !== null && active.has(source.own) ? source.own : null;
    const key = `${source.column}|${without}`;
    let job = jobs.get(key);
    if (!job) {
      job = { column: source.column, without, dimensions: [] };
      jobs.set(key, job);
    }
    job.dimensions.push(dimension);
  }
  return [...jobs.values()];
}

/** A query without one of its filters. */
export function withoutFilter(query: BenchQuery, filter: FilterDimension | null): BenchQuery {
  if (filter === null) return query;
  const copy = { ...query };
  if (filter === "task") delete copy.tasks;
  if (filter === "library") delete copy.libraries;
  if (filter === "license") delete copy.licenses;
  if (filter === "commercial") delete copy.commercial;
  if (filter === "language") delete copy.languages;
  if (filter === "parameters") {
    delete copy.parametersMin;
    delete copy.parametersMax;
  }
  if (filter === "gated") delete copy.gated;
  return copy;
}

/**
 * Turns one column's raw counts (value to count) into the facet lists of the dimensions counted from it:
 * the top FACET_LIMIT values by count, modality and commercial use mapped from tasks and licences, parameter
 * buckets and gated codes named as Hangar names them.
 */
export function facetLists(
  dimension: FacetDimension,
  counts: Iterable<[string | number | null, number]>,
): Array<[string, number]> {
  const totals = new Map<string, number>();
  const add = (value: string | null, count: number) => {
    if (value === null || value === "") return;
    totals.set(value, (totals.get(value) ?? 0) + count);
  };
  for (const [raw, count] of counts) {
    if (dimension === "modality") add(raw === null ? null : modalityOfTask(String(raw)), count);
    else if (dimension === "commercial")
      add(commercialValue(commercialUseOf(raw === null ? null : String(raw))), count);
    else if (dimension === "parameters") {
      const bucket = Number(raw);
      add(bucket >= PARAMETER_BUCKETS.length ? "unknown" : PARAMETER_BUCKETS[bucket]!.label, count);
    } else if (dimension === "gated") add(GATED_LABELS[Number(raw)] ?? null, count);
    else add(raw === null ? null : String(raw), count);
  }
  return [...totals]
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, FACET_LIMIT);
}

export { COMMERCIAL_VALUES, MODALITIES };

/** A query's words as Hangar's parser reads bare words (the query mix has no quotes or `field:` parts). */
export function queryWords(query: BenchQuery): string[] {
  return (query.query ?? "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Peak resident memory of this process (VmHWM), in bytes. */
export async function peakRss(): Promise<number> {
  const { readFileSync } = await import("node:fs");
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}
