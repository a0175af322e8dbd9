import {
  type BaseRelation,
  type CatalogFacts,
  type EntryWriteOutcome,
  type EvalScore,
  tagsForFacts,
  type UpstreamModelEntry,
} from "../core/catalog-types.ts";
import { badRequest } from "../core/errors.ts";
import type { SqlExecutor, SqlValue } from "./sql/sql-database.ts";

interface RawFacts {
  description: string | null;
  license: string | null;
  languages: string;
  parameters: number | null;
  base_models: string;
  base_relation: BaseRelation | null;
  library: string | null;
  pipeline_tag: string | null;
  eval_results: string;
  snapshot_date: string | null;
  snapshot_source: string | null;
  sources: string;
}

/**
 * Writes upstream-only entries (a repos row with `origin = 'upstream'` and no commit, its tags and its facts)
 * with statements prepared once, for bulk loads. The caller owns the transaction.
 */
export interface UpstreamEntryWriter {
  /** Inserts a new entry; refreshes an existing upstream-only one; never touches a repo with local content. */
  write(entry: UpstreamModelEntry): Promise<EntryWriteOutcome>;
  /** Inserts without looking for an existing row first: the caller guarantees the id is new. */
  insertNew(entry: UpstreamModelEntry): Promise<number>;
  /**
   * `write` for many entries with a few multi-row statements (one lookup of which ids exist, one INSERT per
   * table for the new ones) instead of several statements each: bulk loads of a million entries on
   * PostgreSQL, where every statement is a round trip. Entries already there go through `write`. Returns
   * one outcome per entry, in order.
   */
  writeMany(entries: readonly UpstreamModelEntry[]): Promise<EntryWriteOutcome[]>;
}

/** Rows per multi-row statement: within both engines' parameter limits (13 columns x 1000 < 32,766). */
const ROWS_PER_STATEMENT = 1000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = [];
  for (let start = 0; start < items.length; start += size) parts.push(items.slice(start, start + size));
  return parts;
}

const UPSERT_FACTS = `INSERT INTO repo_facts (repo_pk, description, license, languages, parameters, base_models, base_relation,
     library, pipeline_tag, eval_results, snapshot_date, snapshot_source, sources)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (repo_pk) DO UPDATE SET description = excluded.description, license = excluded.license,
     languages = excluded.languages, parameters = excluded.parameters, base_models = excluded.base_models,
     base_relation = excluded.base_relation, library = excluded.library, pipeline_tag = excluded.pipeline_tag,
     eval_results = excluded.eval_results, snapshot_date = excluded.snapshot_date,
     snapshot_source = excluded.snapshot_source, sources = excluded.sources`;

const INSERT_UPSTREAM_REPO = `INSERT INTO repos (type, namespace, name, private, gated, origin, created_at, last_modified, sha,
     downloads, likes, pipeline_tag, library_name, tags)
   VALUES ('model', ?, ?, 0, ?, 'upstream', ?, ?, NULL, ?, ?, ?, ?, ?) RETURNING pk`;

/** INSERT_UPSTREAM_REPO for many rows: this head, then UPSTREAM_REPO_ROW once per row. */
const INSERT_UPSTREAM_REPOS = `INSERT INTO repos (type, namespace, name, private, gated, origin, created_at, last_modified, sha,
     downloads, likes, pipeline_tag, library_name, tags) VALUES`;
const UPSTREAM_REPO_ROW = "('model', ?, ?, 0, ?, 'upstream', ?, ?, NULL, ?, ?, ?, ?, ?)";

/** The values of UPSERT_FACTS for one repo. */
function factsRow(repoPk: number, facts: CatalogFacts): SqlValue[] {
  return [
    repoPk,
    facts.description,
    facts.license,
    JSON.stringify(facts.languages),
    facts.parameters,
    JSON.stringify(facts.baseModels),
    facts.baseRelation,
    facts.library,
    facts.pipelineTag,
    JSON.stringify(facts.evalResults),
    facts.snapshotDate,
    facts.snapshotSource,
    JSON.stringify(facts.sources),
  ];
}

const UPDATE_UPSTREAM_REPO = `UPDATE repos SET gated = ?, last_modified = ?, downloads = ?, likes = ?, pipeline_tag = ?,
     library_name = ?, tags = ? WHERE pk = ?`;

/** Model facts that do not come from a commit (see migration 2), and the side tables search filters on. */
export class FactsTable {
  constructor(private readonly db: SqlExecutor) {}

  async get(repoPk: number): Promise<CatalogFacts | undefined> {
    const row = await this.db.get<RawFacts>("SELECT * FROM repo_facts WHERE repo_pk = ?", [repoPk]);
    if (!row) return undefined;
    return {
      description: row.description,
      license: row.license,
      languages: JSON.parse(row.languages) as string[],
      parameters: row.parameters,
      baseModels: JSON.parse(row.base_models) as string[],
      baseRelation: row.base_relation,
      library: row.library,
      pipelineTag: row.pipeline_tag,
      evalResults: JSON.parse(row.eval_results) as EvalScore[],
      snapshotDate: row.snapshot_date,
      snapshotSource: row.snapshot_source,
      sources: JSON.parse(row.sources) as string[],
    };
  }

  /** Replaces the facts of one repo and its language and base-model rows. */
  async set(repoPk: number, facts: CatalogFacts): Promise<void> {
    await this.db.run(UPSERT_FACTS, factsRow(repoPk, facts));
    await this.db.run("DELETE FROM repo_languages WHERE repo_pk = ?", [repoPk]);
    await this.db.run("DELETE FROM repo_base_models WHERE repo_pk = ?", [repoPk]);
    await this.db.runMany(
      "INSERT INTO repo_languages (repo_pk, language) VALUES (?, ?) ON CONFLICT DO NOTHING",
      [...new Set(facts.languages)].map((language) => [repoPk, language]),
    );
    await this.db.runMany(
      "INSERT INTO repo_base_models (repo_pk, base_model) VALUES (?, ?) ON CONFLICT DO NOTHING",
      [...new Set(facts.baseModels)].map((base) => [repoPk, base]),
    );
  }

  async count(): Promise<number> {
    return (await this.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM repo_facts"))!.n;
  }

  private async setTags(pk: number, tags: string[]): Promise<void> {
    await this.db.run("DELETE FROM repo_tags WHERE repo_pk = ?", [pk]);
    await this.db.runMany(
      "INSERT INTO repo_tags (repo_pk, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
      [...new Set(tags)].map((tag) => [pk, tag]),
    );
  }

  /** Writes upstream-only entries; the caller owns the transaction. */
  prepareUpstreamWriter(): UpstreamEntryWriter {
    const insertNew = async (entry: UpstreamModelEntry): Promise<number> => {
      const [namespace, name] = splitId(entry.id);
      const tags = tagsForFacts(entry);
      const row = await this.db.get<{ pk: number }>(INSERT_UPSTREAM_REPO, [
        namespace,
        name,
        String(entry.gated),
        entry.createdAt,
        entry.lastModified,
        entry.downloads,
        entry.likes,
        entry.pipelineTag,
        entry.library,
        JSON.stringify(tags),
      ]);
      const pk = row!.pk;
      await this.setTags(pk, tags);
      await this.set(pk, entry);
      return pk;
    };

    const writeMany = async (entries: readonly UpstreamModelEntry[]): Promise<EntryWriteOutcome[]> => {
      // New ids are inserted in bulk; an id already in the catalog (or twice in `entries`) is skipped by the
      // unique index, and `write` then refreshes that row or keeps it, as for one entry.
      const inserted = await this.insertMany(entries);
      const outcomes: EntryWriteOutcome[] = [];
      for (const [index, entry] of entries.entries()) {
        outcomes[index] = inserted.has(entry) ? "inserted" : await write(entry);
      }
      return outcomes;
    };

    const write = async (entry: UpstreamModelEntry): Promise<EntryWriteOutcome> => {
      const [namespace, name] = splitId(entry.id);
      const existing = await this.db.get<{ pk: number; origin: string; sha: string | null }>(
        "SELECT pk, origin, sha FROM repos WHERE type = 'model' AND namespace = ? AND name = ?",
        [namespace, name],
      );
      if (!existing) {
        await insertNew(entry);
        return "inserted";
      }
      // A repo with commits (pushed here, or pulled) is the source of truth for itself.
      if (existing.origin !== "upstream" || existing.sha !== null) return "kept-local";
      const tags = tagsForFacts(entry);
      await this.db.run(UPDATE_UPSTREAM_REPO, [
        String(entry.gated),
        entry.lastModified,
        entry.downloads,
        entry.likes,
        entry.pipelineTag,
        entry.library,
        JSON.stringify(tags),
        existing.pk,
      ]);
      await this.setTags(existing.pk, tags);
      await this.set(existing.pk, entry);
      return "updated";
    };

    return { insertNew, write, writeMany };
  }

  /**
   * Inserts upstream-only entries with one multi-row INSERT per table and chunk; an id already in the
   * catalog, or given earlier in `entries`, is skipped (ON CONFLICT on the unique, case-insensitive id:
   * precise on the index, whatever the catalog's size). Returns the entries inserted.
   */
  private async insertMany(entries: readonly UpstreamModelEntry[]): Promise<Set<UpstreamModelEntry>> {
    const inserted = new Set<UpstreamModelEntry>();
    const claimed = new Set<string>();
    for (const part of chunks(entries, ROWS_PER_STATEMENT)) {
      const values: SqlValue[] = [];
      const tagsById = new Map<string, string[]>();
      for (const entry of part) {
        const [namespace, name] = splitId(entry.id);
        const tags = tagsForFacts(entry);
        tagsById.set(entry.id, tags);
        values.push(
          namespace,
          name,
          String(entry.gated),
          entry.createdAt,
          entry.lastModified,
          entry.downloads,
          entry.likes,
          entry.pipelineTag,
          entry.library,
          JSON.stringify(tags),
        );
      }
      // RETURNING lists the rows inserted, in no set order: they are matched to entries by id (ids are ASCII,
      // compared without case as the catalog does); the first entry of an id is the one inserted.
      const rows = await this.db.all<{ pk: number; namespace: string; name: string }>(
        `${INSERT_UPSTREAM_REPOS} ${part.map(() => UPSTREAM_REPO_ROW).join(", ")} ON CONFLICT DO NOTHING RETURNING pk, namespace, name`,
        values,
      );
      const pkOf = new Map(rows.map((row) => [`${row.namespace}/${row.name}`.toLowerCase(), Number(row.pk)]));
      const tagRows: SqlValue[][] = [];
      const factRows: SqlValue[][] = [];
      const languageRows: SqlValue[][] = [];
      const baseRows: SqlValue[][] = [];
      for (const entry of part) {
        const key = entry.id.toLowerCase();
        const pk = pkOf.get(key);
        if (pk === undefined || claimed.has(key)) continue;
        claimed.add(key);
        inserted.add(entry);
        for (const tag of new Set(tagsById.get(entry.id))) tagRows.push([pk, tag]);
        factRows.push(factsRow(pk, entry));
        for (const language of new Set(entry.languages)) languageRows.push([pk, language]);
        for (const base of new Set(entry.baseModels)) baseRows.push([pk, base]);
      }
      await this.db.runMany(
        "INSERT INTO repo_tags (repo_pk, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
        tagRows,
      );
      await this.db.runMany(UPSERT_FACTS, factRows);
      await this.db.runMany(
        "INSERT INTO repo_languages (repo_pk, language) VALUES (?, ?) ON CONFLICT DO NOTHING",
        languageRows,
      );
      await this.db.runMany(
        "INSERT INTO repo_base_models (repo_pk, base_model) VALUES (?, ?) ON CONFLICT DO NOTHING",
        baseRows,
      );
    }
    return inserted;
  }
}

function splitId(id: string): [string, string] {
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1 || id.indexOf("/", slash + 1) !== -1) {
    throw badRequest(`catalog entry id must be namespace/name, got "${id}"`);
  }
  return [id.slice(0, slash), id.slice(slash + 1)];
}
