import type { Catalog } from "./catalog.ts";
import type { SqlValue } from "./sql/sql-database.ts";

/** A table the copy carries over, with the key it is read in order of. */
interface CopiedTable {
  name: string;
  key: readonly string[];
  /** The source's row replaces a target row with the same key (otherwise the target's row stays). */
  replace?: boolean;
}

/**
 * Every table of the catalog, parents before the tables whose foreign keys point at them. `meta` rows (the
 * LFS signing key among them) replace what a target that was started on its own generated.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: "meta", key: ["key"], replace: true },
  { name: "namespaces", key: ["name"] },
  { name: "org_members", key: ["org", "user"] },
  { name: "tokens", key: ["id"] },
  { name: "repos", key: ["pk"] },
  { name: "repo_tags", key: ["repo_pk", "tag"] },
  { name: "commits", key: ["pk"] },
  { name: "tree_entries", key: ["commit_pk", "path"] },
  { name: "refs", key: ["repo_pk", "kind", "name"] },
  { name: "blobs", key: ["sha256"] },
  { name: "repo_facts", key: ["repo_pk"] },
  { name: "repo_languages", key: ["language", "repo_pk"] },
  { name: "repo_base_models", key: ["base_model", "repo_pk"] },
  { name: "usage_events", key: ["id"] },
  { name: "evaluation_runs", key: ["id"] },
  { name: "evaluation_scores", key: ["run_id", "metric"] },
  { name: "git_objects", key: ["pk"] },
  { name: "commit_aliases", key: ["repo_pk", "alias"] },
  { name: "lfs_uploads", key: ["repo_pk", "sha256"] },
  { name: "scan_results", key: ["sha256", "rules_version"] },
  { name: "registered_models", key: ["id"] },
  { name: "model_versions", key: ["model_id", "version"] },
  { name: "model_version_approvals", key: ["model_id", "version", "approver"] },
  { name: "model_aliases", key: ["model_id", "alias"] },
  { name: "model_alias_events", key: ["id"] },
  { name: "audit_log", key: ["seq"] },
  { name: "audit_head", key: ["id"], replace: true },
  { name: "license_policies", key: ["kind", "name"], replace: true },
  { name: "discussions", key: ["pk"] },
  { name: "discussion_events", key: ["pk"] },
  { name: "batch_files", key: ["id"] },
  { name: "batches", key: ["id"] },
  { name: "batch_results", key: ["batch_id", "line"] },
  { name: "pipelines", key: ["owner", "name"] },
  { name: "pipeline_runs", key: ["id"] },
  { name: "pipeline_step_cache", key: ["key"] },
  { name: "webhooks", key: ["id"] },
  { name: "collections", key: ["slug"] },
  { name: "collection_items", key: ["object_id"] },
  { name: "repo_likes", key: ["repo_pk", "user"] },
  { name: "repo_daily_stats", key: ["repo_pk", "day"] },
  { name: "repo_upstream_popularity", key: ["repo_pk"] },
  { name: "follows", key: ["follower", "followee"] },
  { name: "budgets", key: ["id"] },
  { name: "budget_spend", key: ["budget_id", "period_key"], replace: true },
  { name: "budget_reservations", key: ["id", "budget_id"] },
  { name: "budget_alerts", key: ["budget_id", "period_key", "threshold"] },
  // After budgets: a budget's alerts are queued with the webhooks' deliveries.
  { name: "webhook_deliveries", key: ["id"] },
  { name: "prices", key: ["scope_kind", "scope_name"], replace: true },
  { name: "token_rate_limits", key: ["scope_kind", "scope_name"], replace: true },
  { name: "inference_endpoints", key: ["namespace", "name"] },
];

/**
 * Tables left behind: the change feed (the target's triggers fill its own while rows arrive, and its
 * counter is moved past the source's afterwards), blob leases (claims of running processes, which end
 * with them), multipart sessions (uploads in flight into the source's blob store) and download sessions
 * (minutes-long windows in which a client's requests count as one download).
 */
export const SKIPPED_TABLES: readonly string[] = [
  "catalog_changes",
  "catalog_change_counter",
  "blob_leases",
  "multipart_sessions",
  "download_sessions",
];

export const DEFAULT_COPY_BATCH_ROWS = 1000;

export interface TableProgress {
  table: string;
  /** Rows of the source table handled so far (inserted, or already in the target). */
  done: number;
  /** Rows of the source table. */
  total: number;
  /** 1-based position of the table in COPIED_TABLES, and how many tables there are. */
  index: number;
  tables: number;
}

export interface CopyCatalogOptions {
  /** Called after each batch, and once at the start of each table; a throw stops the copy there. */
  onProgress?: (progress: TableProgress) => void;
  batchRows?: number;
}

export interface TableCopyReport {
  table: string;
  sourceRows: number;
  /** Rows this run added (or replaced); fewer than sourceRows when an earlier run copied some. */
  inserted: number;
}

export interface CopyCatalogReport {
  tables: TableCopyReport[];
  /** The target's change counter afterwards. */
  changeSequence: number;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** Refuses catalogs with a table the copy does not know, so a new table is never left behind silently. */
async function checkTables(source: Catalog, target: Catalog): Promise<void> {
  const known = new Set([...COPIED_TABLES.map((table) => table.name), ...SKIPPED_TABLES]);
  for (const [catalog, role] of [
    [source, "source"],
    [target, "target"],
  ] as const) {
    const unknown = (await catalog.bulk.tableNames()).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`the ${role} catalog has tables the copy does not know: ${unknown.join(", ")}`);
    }
  }
}

/**
 * Copies every row of `source` into `target` (a migrated PostgreSQL catalog, empty or partially copied
 * by an earlier run) with its own keys, so ids, commit ids, token hashes and links stay the same. The
 * source is read from one snapshot, each table in key order in keyset pages; rows go in with
 * `ON CONFLICT DO NOTHING`, so a run that was interrupted is completed by running again. Afterwards the
 * target's identities are moved past the copied ids and its change counter past the source's.
 */
export async function copyCatalog(
  source: Catalog,
  target: Catalog,
  options: CopyCatalogOptions = {},
): Promise<CopyCatalogReport> {
  if (target.dialect !== "postgres") throw new Error("the target of a catalog copy must be PostgreSQL");
  const batchRows = options.batchRows ?? DEFAULT_COPY_BATCH_ROWS;
  await checkTables(source, target);
  const { tables, sourceSequence } = await source.transaction(
    async (snapshot) => {
      const reports: TableCopyReport[] = [];
      for (const [position, table] of COPIED_TABLES.entries()) {
        const columns = await target.bulk.columnNames(table.name);
        const sourceColumns = await snapshot.bulk.columnNames(table.name);
        if (!sameSet(columns, sourceColumns)) {
          throw new Error(
            `table ${table.name} has columns ${sourceColumns.join(", ")} in the source but ${columns.join(", ")} in the target`,
          );
        }
        const keyIndexes = table.key.map((column) => columns.indexOf(column));
        const total = await snapshot.bulk.countRows(table.name);
        const report: TableCopyReport = { table: table.name, sourceRows: total, inserted: 0 };
        const progress = (done: number) =>
          options.onProgress?.({
            table: table.name,
            done,
            total,
            index: position + 1,
            tables: COPIED_TABLES.length,
          });
        progress(0);
        let done = 0;
        let after: SqlValue[] | undefined;
        for (;;) {
          const rows = (await snapshot.bulk.readPage(
            table.name,
            columns,
            table.key,
            after,
            batchRows,
          )) as SqlValue[][];
          if (rows.length === 0) break;
          report.inserted += await target.bulk.insertRows(
            table.name,
            columns,
            rows,
            table.replace ? table.key : undefined,
          );
          done += rows.length;
          const last = rows[rows.length - 1]!;
          after = keyIndexes.map((index) => last[index]!);
          progress(done);
        }
        reports.push(report);
      }
      return { tables: reports, sourceSequence: await snapshot.searchFeed.currentSequence() };
    },
    { readOnly: true },
  );
  const changeSequence = await target.transaction(async (tx) => {
    await tx.bulk.syncIdentities();
    return tx.bulk.raiseChangeSequence(sourceSequence);
  });
  return { tables, changeSequence };
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

/** Row counts of every copied table in both catalogs, and the `meta` keys whose values differ. */
export async function compareCatalogs(
  source: Catalog,
  target: Catalog,
): Promise<{ counts: TableCount[]; differentMeta: string[] }> {
  const counts: TableCount[] = [];
  for (const table of COPIED_TABLES) {
    counts.push({
      table: table.name,
      source: await source.bulk.countRows(table.name),
      target: await target.bulk.countRows(table.name),
    });
  }
  const meta = async (catalog: Catalog) => {
    const rows = await catalog.bulk.readPage("meta", ["key", "value"], ["key"], undefined, 1_000_000);
    return new Map(rows.map(([key, value]) => [String(key), String(value)]));
  };
  const sourceMeta = await meta(source);
  const targetMeta = await meta(target);
  const differentMeta = [...sourceMeta]
    .filter(([key, value]) => targetMeta.get(key) !== value)
    .map(([key]) => key);
  return { counts, differentMeta };
}
