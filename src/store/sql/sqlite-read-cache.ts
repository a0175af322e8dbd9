import type Database from "better-sqlite3";
import type { SqlValue } from "./sql-database.ts";

/** Reads `ReadCache` keeps at most; past it, it starts again empty. */
const MAX_CACHED_READS = 1_000;

/**
 * `allCached`'s rows, read on one connection and kept while its `PRAGMA data_version` stays the same: that
 * number changes whenever another connection (this process's writer, its append worker, another process)
 * commits, so a kept answer is never older than the last commit. The pragma costs far less than the joins
 * it spares (a request's credential, the budgets of a call).
 */
export class ReadCache {
  private readonly rows = new Map<string, readonly unknown[]>();
  private version: unknown;
  private readonly dataVersion: Database.Statement<unknown[], unknown>;

  /** `statement` gives the connection's prepared statement of a SQL text. */
  constructor(
    connection: Database.Database,
    private readonly statement: (sql: string) => Database.Statement<unknown[], unknown>,
  ) {
    this.dataVersion = connection.prepare("PRAGMA data_version").pluck();
  }

  all(sql: string, params: readonly SqlValue[] | undefined): readonly unknown[] {
    const key = cacheKey(sql, params);
    if (key === undefined) return this.statement(sql).all(...((params ?? []) as unknown[]));
    const version = this.dataVersion.get();
    if (version !== this.version) {
      this.rows.clear();
      this.version = version;
    }
    let rows = this.rows.get(key);
    if (rows === undefined) {
      rows = this.statement(sql).all(...((params ?? []) as unknown[]));
      if (this.rows.size >= MAX_CACHED_READS) this.rows.clear();
      this.rows.set(key, rows);
    }
    return rows;
  }
}

/** The statement and its parameters as one key; none for parameters JSON cannot tell apart (bytes, bigints). */
function cacheKey(sql: string, params: readonly SqlValue[] | undefined): string | undefined {
  if (params === undefined || params.length === 0) return sql;
  for (const param of params) {
    if (param !== null && typeof param !== "string" && typeof param !== "number") return undefined;
  }
  return `${sql}\u0000${JSON.stringify(params)}`;
}
