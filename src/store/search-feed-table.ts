import type { SqlExecutor } from "./sql/sql-database.ts";

/**
 * A model row as the search index reads it, columns in this order: pk, namespace, name, private, gated,
 * created_at, last_modified, sha, downloads, likes, trending_score, pipeline_tag, library_name, tags,
 * used_storage, description, license, languages, parameters, base_models, eval_results, library,
 * facts pipeline_tag, type, scan_status.
 */
export type SearchRow = [
  number,
  string,
  string,
  number,
  string,
  string,
  string,
  string | null,
  number,
  number,
  number,
  string | null,
  string | null,
  string,
  number,
  string | null,
  string | null,
  string | null,
  number | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
  string | null,
];

const SELECT_MODELS = `SELECT r.pk, r.namespace, r.name, r.private, r.gated, r.created_at, r.last_modified, r.sha,
  r.downloads, r.likes, r.trending_score, r.pipeline_tag, r.library_name, r.tags, r.used_storage, f.description,
  f.license, f.languages, f.parameters, f.base_models, f.eval_results, f.library, f.pipeline_tag, r.type,
  r.scan_status FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk`;

/**
 * What the in-memory search index (src/discovery) reads: every model in one pass, the change feed the
 * catalog's triggers fill in the transaction of every write to a repo or its facts (so an index on any node
 * can tell it is stale with one read and patch only what changed), and the head metadata of local repos.
 */
export class SearchFeedTable {
  constructor(private readonly db: SqlExecutor) {}

  /** The last change sequence number written (0 before any). */
  async currentSequence(): Promise<number> {
    const row =
      this.db.dialect === "sqlite"
        ? await this.db.get<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'catalog_changes'")
        : await this.db.get<{ seq: number }>("SELECT seq FROM catalog_change_counter");
    return row?.seq ?? 0;
  }

  /** Changes after `after` up to `upTo`, in order. */
  changesBetween(after: number, upTo: number): Promise<Array<{ seq: number; repoPk: number }>> {
    return this.db.all(
      'SELECT seq, repo_pk AS "repoPk" FROM catalog_changes WHERE seq > ? AND seq <= ? ORDER BY seq',
      [after, upTo],
    );
  }

  /** Forgets changes up to `upTo` (housekeeping after a rebuild). */
  async pruneChanges(upTo: number): Promise<void> {
    await this.db.run("DELETE FROM catalog_changes WHERE seq <= ?", [upTo]);
  }

  async modelStats(): Promise<{ count: number; maxPk: number }> {
    const row = await this.db.get<{ count: number; maxPk: number }>(
      `SELECT COUNT(*) AS count, COALESCE(MAX(pk), 0) AS "maxPk" FROM repos WHERE type = 'model'`,
    );
    return row ?? { count: 0, maxPk: 0 };
  }

  /** Every model, in pk order, in pages. */
  async *allModels(pageSize = 5000): AsyncGenerator<SearchRow[]> {
    // `+r.type` keeps SQLite off the (type, ...) indexes: a scan in rowid order reads the table
    // sequentially and needs no sort, where an index walk would fetch every row at random.
    const where = this.db.dialect === "sqlite" ? "WHERE +r.type = 'model'" : "WHERE r.type = 'model'";
    // Keyset pages: call it inside a read-only transaction for one consistent snapshot.
    for (let after = 0; ; ) {
      const rows = (await this.db.arrays(`${SELECT_MODELS} ${where} AND r.pk > ? ORDER BY r.pk LIMIT ?`, [
        after,
        pageSize,
      ])) as SearchRow[];
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]![0];
    }
  }

  /** The rows of some repos (of any type; a missing pk has no row). */
  async rowsOf(pks: readonly number[]): Promise<Map<number, SearchRow>> {
    const found = new Map<number, SearchRow>();
    for (let start = 0; start < pks.length; start += 500) {
      const chunk = pks.slice(start, start + 500);
      const rows = (await this.db.arrays(
        `${SELECT_MODELS} WHERE r.pk IN (${chunk.map(() => "?").join(", ")})`,
        chunk,
      )) as SearchRow[];
      for (const row of rows) found.set(row[0], row);
    }
    return found;
  }

  /** The metadata of the head commit of local models: all of them, or those of some repos. */
  async headMetadata(pks?: readonly number[]): Promise<Array<{ pk: number; metadata: string }>> {
    // Driven from the commits (local repos only), so a catalog of upstream entries costs nothing here:
    // SQLite keeps a CROSS JOIN's order. The join condition is in WHERE, as PostgreSQL takes no ON after
    // CROSS JOIN.
    const sql = `SELECT r.pk, c.metadata FROM commits c CROSS JOIN repos r WHERE r.pk = c.repo_pk AND r.sha = c.oid`;
    if (pks === undefined) return this.db.all(`${sql} AND r.type = 'model'`);
    if (pks.length === 0) return [];
    return this.db.all(`${sql} AND r.pk IN (${pks.map(() => "?").join(", ")})`, pks);
  }
}
