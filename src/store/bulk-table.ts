import { syncIdentitySequences } from "./postgres-migrations.ts";
import type { SqlExecutor, SqlValue } from "./sql/sql-database.ts";

/** A table or column name as SQL: double-quoted on both engines (`user` is reserved on PostgreSQL). */
function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function columnList(columns: readonly string[]): string {
  return columns.map(quoted).join(", ");
}

/**
 * Whole tables by name, for copying a catalog from one engine to another (src/store/copy-catalog.ts): what
 * tables and columns there are, counts, pages in key order, inserts that keep the rows' own keys. Names
 * come from the catalog's own schema, never from users.
 */
export class BulkTable {
  constructor(private readonly db: SqlExecutor) {}

  /** The catalog's tables, without the engine's bookkeeping (sqlite_sequence, hangar_schema). */
  async tableNames(): Promise<string[]> {
    const rows =
      this.db.dialect === "sqlite"
        ? await this.db.all<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' ORDER BY name",
          )
        : await this.db.all<{ name: string }>(
            `SELECT table_name AS name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'hangar_schema'
             ORDER BY table_name`,
          );
    return rows.map((row) => row.name);
  }

  /** A table's columns, in their order in the table. */
  async columnNames(table: string): Promise<string[]> {
    const rows =
      this.db.dialect === "sqlite"
        ? await this.db.all<{ name: string }>("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table])
        : await this.db.all<{ name: string }>(
            `SELECT column_name AS name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
            [table],
          );
    return rows.map((row) => row.name);
  }

  async countRows(table: string): Promise<number> {
    const row = await this.db.get<{ count: number }>(`SELECT COUNT(*) AS count FROM ${quoted(table)}`);
    return Number(row?.count ?? 0);
  }

  /**
   * Up to `limit` rows (values in `columns` order) whose `key` comes after `after` (from the start when
   * undefined), in key order: keyset pages, each one index range read however far into the table.
   */
  readPage(
    table: string,
    columns: readonly string[],
    key: readonly string[],
    after: readonly SqlValue[] | undefined,
    limit: number,
  ): Promise<unknown[][]> {
    const keyColumns = columnList(key);
    const where = after === undefined ? "" : `WHERE (${keyColumns}) > (${key.map(() => "?").join(", ")}) `;
    return this.db.arrays(
      `SELECT ${columnList(columns)} FROM ${quoted(table)} ${where}ORDER BY ${keyColumns} LIMIT ?`,
      [...(after ?? []), limit],
    );
  }

  /**
   * Inserts rows with their own keys. A row whose key (or another unique value) is already there is left
   * as it is, unless `replace` names the conflict key: then the other columns take the new row's values.
   * Returns the rows inserted or replaced.
   */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly SqlValue[])[],
    replace?: readonly string[],
  ): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    const others = replace ? columns.filter((column) => !replace.includes(column)) : [];
    const conflict =
      replace && others.length > 0
        ? `ON CONFLICT (${columnList(replace)}) DO UPDATE SET ${others.map((column) => `${quoted(column)} = excluded.${quoted(column)}`).join(", ")}`
        : "ON CONFLICT DO NOTHING";
    return this.db.runMany(
      `INSERT INTO ${quoted(table)} (${columnList(columns)}) VALUES (${columns.map(() => "?").join(", ")}) ${conflict}`,
      rows,
    );
  }

  /**
   * PostgreSQL, between the transactions of a bulk load: vacuums the change feed's one-row counter. Every
   * write to a repo or its facts updates that row (two versions per entry loaded), and within a transaction
   * none can be pruned, so the table grows by pages that each later update scans: at 80,000 entries it had
   * 436 pages for its one row and the load had slowed to a third of its speed. A vacuum between batches
   * keeps it at a few pages. It must run outside a transaction; on SQLite it does nothing.
   */
  async tidyChangeFeed(): Promise<void> {
    if (this.db.dialect === "postgres") await this.db.exec("VACUUM catalog_change_counter");
  }

  /** PostgreSQL: moves every identity past the rows copied in with their own ids (see syncIdentitySequences). */
  async syncIdentities(): Promise<void> {
    if (this.db.dialect === "postgres") await syncIdentitySequences(this.db);
  }

  /**
   * PostgreSQL: moves the change feed's counter past `above` and past every number it handed out, so a
   * search index that remembers a sequence number of the catalog this one was copied from sees changes it
   * has not read and rebuilds. Returns the counter's new value.
   */
  async raiseChangeSequence(above: number): Promise<number> {
    if (this.db.dialect !== "postgres") throw new Error("raiseChangeSequence is for PostgreSQL catalogs");
    const row = await this.db.get<{ seq: number }>(
      "UPDATE catalog_change_counter SET seq = GREATEST(seq, ?) + 1 RETURNING seq",
      [above],
    );
    return Number(row?.seq ?? 0);
  }
}
