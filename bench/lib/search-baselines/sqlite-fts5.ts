/**
 * SQLite FTS5 as a team would ship it for this search: one denormalised `models` table with a B-tree index
 * per filter and sort column, the multi-valued dimensions (languages, base models) in side tables keyed both
 * ways, and a contentless FTS5 table over name, author, tags and description with prefix indexes (2 and 3
 * letters) so `lla*` does not walk the whole term list. Ranking is bm25 with per-column weights (name >
 * author > tags > description, as Hangar weighs its fields); words are AND-ed, each as a prefix query.
 * FTS5 has no typo tolerance: a misspelt word matches nothing (the agreement columns show it).
 * Statements are prepared once and reused. A text query's matches go into a temporary table once, and the
 * page, the total and every facet GROUP BY join it; facet counts are one indexed GROUP BY per dimension
 * (disjunctive: a dimension's own filter is left out of its count). Counts over the whole catalog (no text,
 * no filter) are computed at build time and kept, as Hangar's engine keeps them.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  type BaselineAnswer,
  type BaselineModel,
  type BenchQuery,
  FACET_DIMENSIONS,
  FACET_LIMIT,
  type FacetColumn,
  type FacetCounts,
  type FilterDimension,
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

const COLUMN_SQL: Record<Exclude<FacetColumn, "language" | "base_model">, string> = {
  task: "m.task",
  library: "m.library",
  license: "m.license",
  author: "m.author",
  pbucket: "m.pbucket",
  gated: "m.gated",
};

export class SqliteFts5Baseline implements SearchBaseline {
  readonly name = "SQLite FTS5";
  private db!: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private wholeCatalog = new Map<FacetColumn, Array<[string | number | null, number]>>();
  private licenses: string[] = [];

  constructor(private readonly folder: string) {}

  private get path(): string {
    return join(this.folder, "fts5.db");
  }

  async build(models: () => Iterable<BaselineModel>): Promise<{ storedBytes: number | null }> {
    const db = new Database(this.path);
    this.db = db;
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -262144"); // 256 MB of page cache
    db.pragma("temp_store = MEMORY");
    db.exec(`
      CREATE TABLE models (
        doc INTEGER PRIMARY KEY, id TEXT NOT NULL, author TEXT NOT NULL, task TEXT, library TEXT, license TEXT,
        parameters REAL, pbucket INTEGER NOT NULL, gated INTEGER NOT NULL, downloads INTEGER NOT NULL,
        likes INTEGER NOT NULL, trending REAL NOT NULL, created INTEGER NOT NULL, modified INTEGER NOT NULL);
      CREATE TABLE model_languages (language TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (language, doc)) WITHOUT ROWID;
      CREATE TABLE model_bases (base_model TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (base_model, doc)) WITHOUT ROWID;
      CREATE VIRTUAL TABLE models_fts USING fts5(name, author, tags, description, content='', prefix='2 3', tokenize='unicode61');
    `);
    const insertModel = db.prepare(
      "INSERT INTO models VALUES (@doc, @id, @author, @task, @library, @license, @parameters, @parameterBucket, @gated, @downloads, @likes, @trending, @created, @modified)",
    );
    const insertLanguage = db.prepare("INSERT INTO model_languages VALUES (?, ?)");
    const insertBase = db.prepare("INSERT OR IGNORE INTO model_bases VALUES (?, ?)");
    const insertText = db.prepare(
      "INSERT INTO models_fts (rowid, name, author, tags, description) VALUES (?, ?, ?, ?, ?)",
    );
    const insertBatch = db.transaction((batch: BaselineModel[]) => {
      for (const model of batch) {
        insertModel.run({
          ...model,
          languages: undefined,
          baseModels: undefined,
          name: undefined,
          tags: undefined,
          description: undefined,
        });
        for (const language of new Set(model.languages)) insertLanguage.run(language, model.doc);
        for (const base of model.baseModels) insertBase.run(base, model.doc);
        insertText.run(model.doc, model.name, model.author, model.tags, model.description);
      }
    });
    let batch: BaselineModel[] = [];
    for (const model of models()) {
      batch.push(model);
      if (batch.length === 10_000) {
        insertBatch(batch);
        batch = [];
      }
    }
    insertBatch(batch);
    db.exec(`
      INSERT INTO models_fts (models_fts) VALUES ('optimize');
      CREATE INDEX models_task ON models (task);
      CREATE INDEX models_library ON models (library);
      CREATE INDEX models_license ON models (license);
      CREATE INDEX models_author ON models (author);
      CREATE INDEX models_pbucket ON models (pbucket);
      CREATE INDEX models_gated ON models (gated);
      CREATE INDEX models_parameters ON models (parameters);
      CREATE INDEX models_downloads ON models (downloads);
      CREATE INDEX models_likes ON models (likes);
      CREATE INDEX models_trending ON models (trending);
      CREATE INDEX models_modified ON models (modified);
      CREATE INDEX models_created ON models (created);
      CREATE INDEX model_languages_doc ON model_languages (doc, language);
      CREATE INDEX model_bases_doc ON model_bases (doc, base_model);
      ANALYZE;
      CREATE TEMP TABLE hits (doc INTEGER PRIMARY KEY, rank REAL NOT NULL);
    `);
    this.licenses = db.prepare("SELECT DISTINCT license FROM models").pluck().all() as string[];
    for (const column of [
      "task",
      "library",
      "license",
      "language",
      "author",
      "pbucket",
      "gated",
      "base_model",
    ] as const) {
      this.wholeCatalog.set(column, this.countColumn(column, {}, false));
    }
    return { storedBytes: statSync(this.path).size };
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** WHERE clauses and arguments for a query's filters (on `m`). */
  private where(query: BenchQuery): { sql: string; args: unknown[] } {
    const clauses: string[] = [];
    const args: unknown[] = [];
    const list = (column: string, values: string[]) => {
      clauses.push(`${column} IN (${values.map(() => "?").join(", ")})`);
      args.push(...values);
    };
    for (const filter of filtersOf(query)) {
      const dimension: FilterDimension = filter;
      if (dimension === "task") list("m.task", query.tasks!);
      else if (dimension === "library") list("m.library", query.libraries!);
      else if (dimension === "license") list("m.license", query.licenses!);
      else if (dimension === "commercial")
        list("m.license", licensesWithCommercial(this.licenses, query.commercial!));
      else if (dimension === "language") {
        clauses.push(
          `m.doc IN (SELECT doc FROM model_languages WHERE language IN (${query.languages!.map(() => "?").join(", ")}))`,
        );
        args.push(...query.languages!);
      } else if (dimension === "parameters") {
        clauses.push("m.parameters BETWEEN ? AND ?");
        args.push(query.parametersMin ?? 0, query.parametersMax ?? Number.MAX_VALUE);
      } else if (dimension === "gated") clauses.push(query.gated ? "m.gated > 0" : "m.gated = 0");
    }
    return { sql: clauses.length > 0 ? `WHERE ${clauses.join(" AND ")}` : "", args };
  }

  private countColumn(
    column: FacetColumn,
    query: BenchQuery,
    text: boolean,
  ): Array<[string | number | null, number]> {
    if (!text && filtersOf(query).length === 0 && this.wholeCatalog.has(column))
      return this.wholeCatalog.get(column)!;
    const from = text ? "hits h JOIN models m ON m.doc = h.doc" : "models m";
    const { sql, args } = this.where(query);
    const limit =
      column === "author" || column === "base_model" ? ` ORDER BY n DESC LIMIT ${FACET_LIMIT}` : "";
    let statement: string;
    if (column === "language") {
      statement = `SELECT l.language AS value, COUNT(*) AS n FROM ${from} JOIN model_languages l ON l.doc = m.doc ${sql} GROUP BY l.language`;
    } else if (column === "base_model") {
      statement = `SELECT b.base_model AS value, COUNT(*) AS n FROM ${from} JOIN model_bases b ON b.doc = m.doc ${sql} GROUP BY b.base_model${limit}`;
    } else {
      statement = `SELECT ${COLUMN_SQL[column]} AS value, COUNT(*) AS n FROM ${from} ${sql} GROUP BY 1${limit}`;
    }
    return this.prepare(statement)
      .raw()
      .all(...args) as Array<[string | number | null, number]>;
  }

  async search(query: BenchQuery): Promise<BaselineAnswer> {
    const words = queryWords(query);
    const text = words.length > 0;
    const sort = query.sort ?? "relevance";
    if (text) {
      this.prepare("DELETE FROM hits").run();
      const match = words.map((word) => `"${word}"*`).join(" ");
      const rank = sort === "relevance" ? "bm25(models_fts, 10.0, 8.0, 6.0, 4.0)" : "0";
      this.prepare(`INSERT INTO hits SELECT rowid, ${rank} FROM models_fts WHERE models_fts MATCH ?`).run(
        match,
      );
    }
    const from = text ? "hits h JOIN models m ON m.doc = h.doc" : "models m";
    const { sql, args } = this.where(query);
    const order =
      sort === "relevance" ? (text ? "h.rank, m.downloads DESC" : "m.downloads DESC") : ORDER[sort]!;
    const ids = this.prepare(`SELECT m.id FROM ${from} ${sql} ORDER BY ${order} LIMIT ?`)
      .pluck()
      .all(...args, query.limit ?? 20) as string[];
    const total = this.prepare(`SELECT COUNT(*) FROM ${from} ${sql}`)
      .pluck()
      .get(...args) as number;
    const facets = {} as FacetCounts;
    for (const job of facetJobs(query)) {
      const counts = this.countColumn(job.column, withoutFilter(query, job.without), text);
      for (const dimension of job.dimensions) facets[dimension] = facetLists(dimension, counts);
    }
    for (const dimension of FACET_DIMENSIONS) facets[dimension] ??= [];
    return { ids, total, facets };
  }

  async close(): Promise<void> {
    this.db?.close();
  }
}
