/**
 * Orama (`@orama/orama`), the in-memory JavaScript engine with typo tolerance and facets, configured as its
 * documentation shows for this kind of catalog: the text fields as `string` (BM25, prefix matching, boosted
 * name > author > tags > description like Hangar's field weights), every filter dimension as `enum` or
 * `enum[]` (exact filters, facets), parameters as a `number` (range filter, sort), the sort columns as
 * sortable numbers. Text is tokenised as Hangar tokenises it before insertion, so both engines see the same
 * words (Orama's own English splitter keeps `llama-3-8b` as one token). Searches use `tolerance: 1` (one
 * edit, Hangar's typo rule) when every word has four letters or more, and `threshold: 0` (every word must
 * match, as in Hangar). Facets come from Orama's `facets`; a dimension whose own filter is set is counted
 * by a second, preflight search without that filter (disjunctive, as Hangar counts). Facets of the whole
 * catalog (no text, no filter) are computed once at build time, as Hangar's engine caches them.
 */
import { type AnyOrama, create, insertMultiple, search } from "@orama/orama";
import { tokenize } from "../../../src/discovery/tokenize.ts";
import {
  type BaselineAnswer,
  type BaselineModel,
  type BenchQuery,
  FACET_DIMENSIONS,
  type FacetColumn,
  type FacetCounts,
  facetJobs,
  facetLists,
  filtersOf,
  GATED_LABELS,
  licensesWithCommercial,
  queryWords,
  type SearchBaseline,
  withoutFilter,
} from "./common.ts";

const SCHEMA = {
  id: "string",
  name: "string",
  author: "string",
  tags: "string",
  description: "string",
  authorValue: "enum",
  task: "enum",
  library: "enum",
  license: "enum",
  languages: "enum[]",
  baseModels: "enum[]",
  parameters: "number",
  pbucket: "enum",
  gated: "enum",
  downloads: "number",
  likes: "number",
  trending: "number",
  created: "number",
  modified: "number",
} as const;

/** The Orama property holding each facet column. */
const FACET_PROPERTY: Record<FacetColumn, string> = {
  task: "task",
  library: "library",
  license: "license",
  language: "languages",
  author: "authorValue",
  pbucket: "pbucket",
  gated: "gated",
  base_model: "baseModels",
};

const SORT_PROPERTY: Record<string, string> = {
  trending: "trending",
  downloads: "downloads",
  likes: "likes",
  updated: "modified",
  created: "created",
  parameters: "parameters",
};

type Counts = Array<[string | number | null, number]>;

export class OramaBaseline implements SearchBaseline {
  readonly name = "Orama";
  private db!: AnyOrama;
  private licenses: string[] = [];
  private readonly wholeCatalog = new Map<FacetColumn, Counts>();

  async build(models: () => Iterable<BaselineModel>): Promise<{ storedBytes: number | null }> {
    // Only `id` is returned; the text fields are searched, not stored for display, but Orama keeps the
    // whole document either way.
    this.db = create({
      schema: SCHEMA,
      sort: { unsortableProperties: ["id", "name", "author", "tags", "description"] },
    });
    const licenses = new Set<string | null>();
    let batch: Record<string, unknown>[] = [];
    const flush = async () => {
      await insertMultiple(this.db, batch as never, 10_000);
      batch = [];
    };
    for (const model of models()) {
      licenses.add(model.license);
      const doc: Record<string, unknown> = {
        id: model.id,
        name: tokenize(model.name).join(" "),
        author: tokenize(model.author).join(" "),
        tags: tokenize(model.tags).join(" "),
        description: tokenize(model.description).join(" "),
        authorValue: model.author,
        languages: [...new Set(model.languages)],
        baseModels: model.baseModels,
        pbucket: model.parameterBucket,
        gated: GATED_LABELS[model.gated],
        downloads: model.downloads,
        likes: model.likes,
        trending: model.trending,
        created: model.created,
        modified: model.modified,
      };
      if (model.task !== null) doc.task = model.task;
      if (model.library !== null) doc.library = model.library;
      if (model.license !== null) doc.license = model.license;
      if (model.parameters !== null) doc.parameters = model.parameters;
      batch.push(doc);
      if (batch.length === 10_000) await flush();
    }
    await flush();
    this.licenses = [...licenses].filter((license): license is string => license !== null);
    const facets = Object.fromEntries(Object.values(FACET_PROPERTY).map((property) => [property, {}]));
    const whole = await search(this.db, { facets, limit: 0, preflight: true } as never);
    for (const [column, property] of Object.entries(FACET_PROPERTY)) {
      this.wholeCatalog.set(column as FacetColumn, Object.entries(whole.facets![property]!.values));
    }
    return { storedBytes: null };
  }

  private where(query: BenchQuery): Record<string, unknown> {
    const where: Record<string, unknown> = {};
    for (const filter of filtersOf(query)) {
      if (filter === "task") where.task = { in: query.tasks };
      else if (filter === "library") where.library = { in: query.libraries };
      else if (filter === "license") where.license = { in: query.licenses };
      else if (filter === "commercial") {
        const allowed = licensesWithCommercial(this.licenses, query.commercial!);
        // A licence filter and a commercial filter both narrow the licence: intersect them.
        const current = (where.license as { in: string[] } | undefined)?.in;
        where.license = { in: current ? current.filter((license) => allowed.includes(license)) : allowed };
      } else if (filter === "language") where.languages = { containsAny: query.languages };
      else if (filter === "parameters")
        where.parameters = { between: [query.parametersMin ?? 0, query.parametersMax ?? Number.MAX_VALUE] };
      else if (filter === "gated") where.gated = query.gated ? { nin: ["false"] } : { eq: "false" };
    }
    return where;
  }

  private textParams(query: BenchQuery): Record<string, unknown> {
    const words = queryWords(query);
    if (words.length === 0) return {};
    return {
      term: words.join(" "),
      properties: ["name", "author", "tags", "description"],
      boost: { name: 2.5, author: 2, tags: 1.5, description: 1 },
      // One typo from four letters on, as Hangar (and Meilisearch's `minWordSizeForTypos`) rule: Orama applies
      // a tolerance to every word of the term, and one edit on a two-letter prefix matches most of the index.
      tolerance: words.every((word) => word.length >= 4) ? 1 : 0,
      threshold: 0,
    };
  }

  async search(query: BenchQuery): Promise<BaselineAnswer> {
    const text = this.textParams(query);
    const hasText = "term" in text;
    const sort = query.sort ?? "relevance";
    const jobs = facetJobs(query);
    const ownJobs = jobs.filter((job) => job.without === null);
    const needs = (job: (typeof jobs)[number]) =>
      hasText || filtersOf(withoutFilter(query, job.without)).length > 0;
    const facets = Object.fromEntries(ownJobs.filter(needs).map((job) => [FACET_PROPERTY[job.column], {}]));
    const where = this.where(query);
    const result = await search(this.db, {
      ...text,
      ...(Object.keys(where).length > 0 ? { where } : {}),
      ...(Object.keys(facets).length > 0 ? { facets } : {}),
      ...(sort !== "relevance" || !hasText
        ? { sortBy: { property: SORT_PROPERTY[sort === "relevance" ? "downloads" : sort]!, order: "DESC" } }
        : {}),
      limit: query.limit ?? 20,
    } as never);
    const answer = {} as FacetCounts;
    const countsOf = async (job: (typeof jobs)[number]): Promise<Counts> => {
      if (!needs(job)) return this.wholeCatalog.get(job.column)!;
      const property = FACET_PROPERTY[job.column];
      if (job.without === null) return Object.entries(result.facets![property]!.values);
      const narrowed = this.where(withoutFilter(query, job.without));
      const own = await search(this.db, {
        ...text,
        ...(Object.keys(narrowed).length > 0 ? { where: narrowed } : {}),
        facets: { [property]: {} },
        limit: 0,
        preflight: true,
      } as never);
      return Object.entries(own.facets![property]!.values);
    };
    for (const job of jobs) {
      const counts = await countsOf(job);
      for (const dimension of job.dimensions) answer[dimension] = facetLists(dimension, counts);
    }
    for (const dimension of FACET_DIMENSIONS) answer[dimension] ??= [];
    return {
      ids: result.hits.map((hit) => (hit.document as { id: string }).id),
      total: result.count,
      facets: answer,
    };
  }

  async close(): Promise<void> {}
}
