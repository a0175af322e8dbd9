/**
 * PostgreSQL full-text search as a team would ship it for this search (the scale-out engine): one `models`
 * table with a stored `tsvector` (name weight A, author B, tags C, description D, tokenised as Hangar
 * tokenises so both see the same words) under a GIN index, B-tree indexes on every filter and sort column,
 * GIN indexes on the language and base-model arrays, `VACUUM ANALYZE` after the load. Words are AND-ed
 * prefix queries (`word:*`) ranked by `ts_rank`; typo tolerance the way the pg_trgm documentation suggests
 * for text search: a table of the index's words under a trigram GIN index, and each word of four letters or
 * more also matches its most similar words (`%`, similarity ≥ 0.3). One round trip answers a query: a single
 * statement whose materialised `hits` CTE holds the text matches once, and whose UNION ALL parts give the
 * page, the total and the facet counts (one GROUPING SETS pass per set of filters for the single-valued
 * dimensions, one GROUP BY over `unnest` per array dimension; disjunctive like Hangar's). Statements are
 * named (prepared once per shape on the connection). Whole-catalog counts are computed at build time.
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { tokenize } from "../../../src/discovery/tokenize.ts";
import {
  type BaselineAnswer,
  type BaselineModel,
  type BenchQuery,
  FACET_DIMENSIONS,
  FACET_LIMIT,
  type FacetColumn,
  type FacetCounts,
  facetJobs,
  facetLists,
  filtersOf,
  licensesWithCommercial,
  queryWords,
  type SearchBaseline,
  withoutFilter,
} from "./common.ts";

const ORDER: Record<string, string> = {
  trending: "m.trending DESC, m.downloads DESC, m.doc",
  downloads: "m.downloads DESC, m.doc",
  likes: "m.likes DESC, m.downloads DESC, m.doc",
  updated: "m.modified DESC, m.downloads DESC, m.doc",
  created: "m.created DESC, m.downloads DESC, m.doc",
  parameters: "m.parameters DESC NULLS LAST, m.downloads DESC, m.doc",
};

const SCALAR_SQL: Record<string, string> = {
  task: "m.task",
  library: "m.library",
  license: "m.license",
  author: "m.author",
  pbucket: "m.pbucket::text",
  gated: "m.gated::text",
};

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS = 100;
const TYPO_MIN_LENGTH = 4;
const TYPO_EXPANSIONS = 8;

/** A tsquery lexeme: our tokens are letters and digits only, so no quoting is needed. */
function lexeme(word: string): string {
  return word.replace(/[^\p{L}\p{N}]/gu, "");
}

export class PostgresFtsBaseline implements SearchBaseline {
  readonly name = "PostgreSQL FTS";
  private client!: pg.Client;
  private readonly names = new Map<string, string>();
  private licenses: string[] = [];
  private wholeCatalog = new Map<FacetColumn, Array<[string | number | null, number]>>();
  private backendPid: number | null = null;

  constructor(private readonly databaseUrl: string) {}

  async build(models: () => Iterable<BaselineModel>): Promise<{ storedBytes: number | null }> {
    this.client = new pg.Client({ connectionString: this.databaseUrl });
    await this.client.connect();
    const client = this.client;
    this.backendPid = Number((await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
    await client.query("SET work_mem = '64MB'");
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
    await client.query(`
      CREATE TABLE models (
        doc integer PRIMARY KEY, id text NOT NULL, author text NOT NULL, task text, library text, license text,
        parameters double precision, pbucket smallint NOT NULL, gated smallint NOT NULL, downloads bigint NOT NULL,
        likes bigint NOT NULL, trending double precision NOT NULL, created bigint NOT NULL, modified bigint NOT NULL,
        languages text[] NOT NULL, base_models text[] NOT NULL, document tsvector NOT NULL)`);
    await client.query("CREATE TABLE words (word text PRIMARY KEY)");
    const words = new Set<string>();
    const columns = [
      "doc",
      "id",
      "author",
      "task",
      "library",
      "license",
      "parameters",
      "pbucket",
      "gated",
      "downloads",
      "likes",
      "trending",
      "created",
      "modified",
      "languages",
      "base_models",
      "name_text",
      "author_text",
      "tags_text",
      "description_text",
    ];
    const types = [
      "int4",
      "text",
      "text",
      "text",
      "text",
      "text",
      "float8",
      "int2",
      "int2",
      "int8",
      "int8",
      "float8",
      "int8",
      "int8",
      "text",
      "text",
      "text",
      "text",
      "text",
      "text",
    ];
    const insert = `INSERT INTO models SELECT doc, id, author, task, library, license, parameters, pbucket, gated,
        downloads, likes, trending, created, modified, languages::text[], base_models::text[],
        setweight(to_tsvector('simple', name_text), 'A') || setweight(to_tsvector('simple', author_text), 'B') ||
        setweight(to_tsvector('simple', tags_text), 'C') || setweight(to_tsvector('simple', description_text), 'D')
      FROM unnest(${types.map((type, at) => `$${at + 1}::${type}[]`).join(", ")})
        AS t(${columns.join(", ")})`;
    const arrayLiteral = (values: string[]) =>
      `{${values.map((value) => `"${value.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
    const flush = async (batch: BaselineModel[]) => {
      if (batch.length === 0) return;
      const text = (value: string) => {
        const tokens = tokenize(value);
        for (const token of tokens) words.add(token);
        return tokens.join(" ");
      };
      const values: unknown[][] = columns.map(() => []);
      for (const model of batch) {
        const row = [
          model.doc,
          model.id,
          model.author,
          model.task,
          model.library,
          model.license,
          model.parameters,
          model.parameterBucket,
          model.gated,
          model.downloads,
          model.likes,
          model.trending,
          model.created,
          model.modified,
          arrayLiteral([...new Set(model.languages)]),
          arrayLiteral(model.baseModels),
          text(model.name),
          text(model.author),
          text(model.tags),
          text(model.description),
        ];
        for (let column = 0; column < row.length; column++) values[column]!.push(row[column]);
      }
      await client.query({ name: "load", text: insert, values });
    };
    let batch: BaselineModel[] = [];
    for (const model of models()) {
      batch.push(model);
      if (batch.length === 5000) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    const list = [...words];
    for (let at = 0; at < list.length; at += 20_000) {
      await client.query("INSERT INTO words SELECT unnest($1::text[])", [list.slice(at, at + 20_000)]);
    }
    for (const sql of [
      "CREATE INDEX models_document ON models USING gin (document)",
      "CREATE INDEX models_languages ON models USING gin (languages)",
      "CREATE INDEX models_base_models ON models USING gin (base_models)",
      "CREATE INDEX words_trgm ON words USING gin (word gin_trgm_ops)",
      ...[
        "task",
        "library",
        "license",
        "author",
        "pbucket",
        "gated",
        "parameters",
        "downloads",
        "likes",
        "trending",
        "modified",
        "created",
      ].map((column) => `CREATE INDEX models_${column} ON models (${column})`),
      "VACUUM ANALYZE models",
      "VACUUM ANALYZE words",
    ]) {
      await client.query(sql);
    }
    this.licenses = (await client.query("SELECT DISTINCT license FROM models")).rows.map(
      (row) => row.license,
    );
    const whole = await this.run({});
    for (const [column, counts] of whole.columns) this.wholeCatalog.set(column, counts);
    const size = await client.query(
      "SELECT pg_total_relation_size('models') + pg_total_relation_size('words') AS bytes",
    );
    return { storedBytes: Number(size.rows[0].bytes) };
  }

  private async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    let name = this.names.get(text);
    if (!name) {
      name = `q${this.names.size}`;
      this.names.set(text, name);
    }
    return this.client.query({ name, text, values, rowMode: "array" });
  }

  /** The tsquery of a query's words: each a prefix, widened by similar words from the trigram index. */
  private async tsquery(words: string[]): Promise<string> {
    const parts: string[] = [];
    for (const word of words) {
      const alternatives = [`${lexeme(word)}:*`];
      if (word.length >= TYPO_MIN_LENGTH) {
        const similar = await this.query(
          `SELECT word FROM words WHERE word % $1 AND word <> $1 ORDER BY similarity(word, $1) DESC LIMIT ${TYPO_EXPANSIONS}`,
          [word],
        );
        for (const [similarWord] of similar.rows as string[][]) alternatives.push(lexeme(similarWord!));
      }
      parts.push(`(${alternatives.join(" | ")})`);
    }
    return parts.join(" & ");
  }

  /** WHERE clauses for a query's filters, numbering parameters after `args`. */
  private where(query: BenchQuery, args: unknown[]): string[] {
    const clauses: string[] = [];
    const param = (value: unknown) => {
      args.push(value);
      return `$${args.length}`;
    };
    for (const filter of filtersOf(query)) {
      if (filter === "task") clauses.push(`m.task = ANY(${param(query.tasks)}::text[])`);
      else if (filter === "library") clauses.push(`m.library = ANY(${param(query.libraries)}::text[])`);
      else if (filter === "license") clauses.push(`m.license = ANY(${param(query.licenses)}::text[])`);
      else if (filter === "commercial")
        clauses.push(
          `m.license = ANY(${param(licensesWithCommercial(this.licenses, query.commercial!))}::text[])`,
        );
      else if (filter === "language") clauses.push(`m.languages && ${param(query.languages)}::text[]`);
      else if (filter === "parameters")
        clauses.push(
          `m.parameters BETWEEN ${param(query.parametersMin ?? 0)}::float8 AND ${param(query.parametersMax ?? Number.MAX_VALUE)}::float8`,
        );
      else if (filter === "gated") clauses.push(query.gated ? "m.gated > 0" : "m.gated = 0");
    }
    return clauses;
  }

  /** One statement for the page, the total and every facet count; one round trip. */
  private async run(
    query: BenchQuery,
    tsquery: string | null = null,
  ): Promise<{
    ids: string[];
    total: number;
    columns: Map<FacetColumn, Array<[string, number]>>;
    jobs: Map<string, Array<[string, number]>>;
  }> {
    const args: unknown[] = [];
    const sort = query.sort ?? "relevance";
    let with_ = "";
    let from = "models m";
    if (tsquery !== null) {
      args.push(tsquery);
      const rank = sort === "relevance" ? "ts_rank(m.document, q)" : "0";
      with_ = `WITH hits AS MATERIALIZED (SELECT m.doc, ${rank} AS rank FROM models m, to_tsquery('simple', $1) q WHERE m.document @@ q) `;
      from = "hits h JOIN models m ON m.doc = h.doc";
    }
    const whereOf = (q: BenchQuery) => {
      const clauses = this.where(q, args);
      return clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "";
    };
    const parts: string[] = [];
    const order =
      sort === "relevance"
        ? tsquery !== null
          ? "h.rank DESC, m.downloads DESC"
          : "m.downloads DESC"
        : ORDER[sort]!;
    const all = whereOf(query);
    parts.push(
      `(SELECT 'page' AS kind, m.id AS value, 0::bigint AS n FROM ${from} ${all} ORDER BY ${order} LIMIT ${query.limit ?? 20})`,
    );
    parts.push(`(SELECT 'total', NULL, COUNT(*) FROM ${from} ${all})`);
    const jobs = facetJobs(query).filter(
      (job) =>
        tsquery !== null ||
        filtersOf(withoutFilter(query, job.without)).length > 0 ||
        !this.wholeCatalog.has(job.column),
    );
    const scalarByFilters = new Map<string, FacetColumn[]>();
    for (const job of jobs) {
      const key = job.without ?? "";
      if (job.column === "language" || job.column === "base_model") {
        const where = whereOf(withoutFilter(query, job.without));
        const array = job.column === "language" ? "m.languages" : "m.base_models";
        const limit = job.column === "base_model" ? ` ORDER BY 3 DESC LIMIT ${FACET_LIMIT}` : "";
        parts.push(
          `(SELECT '${job.column}|${key}', v, COUNT(*) FROM ${from} CROSS JOIN LATERAL unnest(${array}) v ${where} GROUP BY v${limit})`,
        );
      } else if (job.column === "author") {
        // A hundred thousand authors: only the top of the list leaves the server.
        const where = whereOf(withoutFilter(query, job.without));
        parts.push(
          `(SELECT 'author|${key}', m.author, COUNT(*) FROM ${from} ${where} GROUP BY m.author ORDER BY 3 DESC LIMIT ${FACET_LIMIT})`,
        );
      } else {
        const columns = scalarByFilters.get(key) ?? [];
        columns.push(job.column);
        scalarByFilters.set(key, columns);
      }
    }
    for (const [key, columns] of scalarByFilters) {
      const where = whereOf(withoutFilter(query, (key || null) as never));
      const label = `CASE ${columns.map((column) => `WHEN GROUPING(${SCALAR_SQL[column]}) = 0 THEN '${column}|${key}'`).join(" ")} END`;
      const value = `COALESCE(${columns.map((column) => `CASE WHEN GROUPING(${SCALAR_SQL[column]}) = 0 THEN ${SCALAR_SQL[column]} END`).join(", ")})`;
      parts.push(
        `(SELECT ${label}, ${value}, COUNT(*) FROM ${from} ${where} GROUP BY GROUPING SETS (${columns.map((column) => `(${SCALAR_SQL[column]})`).join(", ")}))`,
      );
    }
    const result = await this.query(`${with_}${parts.join(" UNION ALL ")}`, args);
    const ids: string[] = [];
    let total = 0;
    const byJob = new Map<string, Array<[string, number]>>();
    for (const [kind, value, n] of result.rows as Array<[string, string | null, string]>) {
      if (kind === "page") ids.push(value!);
      else if (kind === "total") total = Number(n);
      else {
        const list = byJob.get(kind) ?? [];
        list.push([value as string, Number(n)]);
        byJob.set(kind, list);
      }
    }
    const columns = new Map<FacetColumn, Array<[string, number]>>();
    for (const [kind, list] of byJob)
      if (kind.endsWith("|")) columns.set(kind.slice(0, -1) as FacetColumn, list);
    return { ids, total, columns, jobs: byJob };
  }

  async search(query: BenchQuery): Promise<BaselineAnswer> {
    const words = queryWords(query);
    const tsquery = words.length > 0 ? await this.tsquery(words) : null;
    const answer = await this.run(query, tsquery);
    const facets = {} as FacetCounts;
    for (const job of facetJobs(query)) {
      const key = `${job.column}|${job.without ?? ""}`;
      const counts =
        answer.jobs.get(key) ??
        (tsquery === null && filtersOf(withoutFilter(query, job.without)).length === 0
          ? this.wholeCatalog.get(job.column)
          : undefined) ??
        [];
      for (const dimension of job.dimensions) facets[dimension] = facetLists(dimension, counts);
    }
    for (const dimension of FACET_DIMENSIONS) facets[dimension] ??= [];
    return { ids: answer.ids, total: answer.total, facets };
  }

  /** The backend's user + system CPU from /proc (the server runs on this machine in the benchmark). */
  serverCpuMs(): number {
    if (this.backendPid === null) return 0;
    try {
      const stat = readFileSync(`/proc/${this.backendPid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}
