import { CHANGE_FEED, DROP_CHANGE_NOTIFY, UPSTREAM_POPULARITY } from "./migrations/postgres/discovery.ts";
import {
  BUDGET_ALERT_DELIVERIES,
  BUDGET_RESERVATIONS,
  BUDGET_SCOPE_INDEX,
  LICENSE_POLICIES,
  REGISTRY_AND_AUDIT,
  SCAN_RESULTS,
  USAGE_COST_BUDGETS,
} from "./migrations/postgres/governance.ts";
import { DISCUSSIONS, HUB_SOCIAL, MULTIPART_SESSIONS } from "./migrations/postgres/hub.ts";
import { INFERENCE_ENDPOINTS, WORKFLOWS } from "./migrations/postgres/inference.ts";
import { SCHEMA } from "./migrations/postgres/initial-schema.ts";
import type { Migration, SqlExecutor } from "./sql/sql-database.ts";

/**
 * The catalog's schema on PostgreSQL: the tables SQLite has after all of MIGRATIONS (src/store/catalog.ts,
 * with the git object tables of src/store/rewrite-commit-ids.ts), same names, same meanings. PostgreSQL
 * catalogs start empty, so the SQLite history is not replayed: one migration creates the final schema, and
 * later changes are new migrations here and there. Never edit a migration that has shipped: add a new one.
 *
 * Type mapping: SQLite `COLLATE NOCASE` text → citext; other text → `text COLLATE "C"` (SQLite compares and
 * sorts text by bytes, so ORDER BY and comparisons stay identical; citext columns are "C" too after case
 * folding); INTEGER PRIMARY KEY → bigint identity under the same name; INTEGER → bigint; REAL → double
 * precision; BLOB → bytea. `user` is a reserved word in PostgreSQL: those columns are written "user".
 *
 * The migrations themselves are in migrations/postgres/, one file per product area; this list is their order.
 */

/** Applied in order by PostgresDatabase.migrate; `hangar_schema.version` records how many ran. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  SCHEMA + CHANGE_FEED,
  DROP_CHANGE_NOTIFY,
  MULTIPART_SESSIONS,
  SCAN_RESULTS,
  REGISTRY_AND_AUDIT,
  LICENSE_POLICIES,
  DISCUSSIONS,
  WORKFLOWS,
  HUB_SOCIAL,
  UPSTREAM_POPULARITY,
  USAGE_COST_BUDGETS,
  INFERENCE_ENDPOINTS,
  BUDGET_RESERVATIONS,
  BUDGET_SCOPE_INDEX,
  BUDGET_ALERT_DELIVERIES,
];

/**
 * Moves every identity column's sequence past the largest value in its table. Rows copied in with their
 * own pk/id (`hangar migrate` keeps them, so links and references stay valid) do not advance an identity:
 * without this, the next row inserted without one would collide. Run it in the copy's transaction, at the end.
 */
export async function syncIdentitySequences(tx: SqlExecutor): Promise<void> {
  const columns = await tx.all<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name`,
  );
  for (const { table_name: table, column_name: column } of columns) {
    const quotedTable = `"${table.replaceAll('"', '""')}"`;
    const quotedColumn = `"${column.replaceAll('"', '""')}"`;
    await tx.get(
      `SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(max(${quotedColumn}), 0) + 1, false) AS next
       FROM ${quotedTable}`,
      [quotedTable, column],
    );
  }
}
