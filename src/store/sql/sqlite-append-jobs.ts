import type Database from "better-sqlite3";
import type { SqlValue } from "./sql-database.ts";
import { connectSqlite } from "./sqlite-connection.ts";

/**
 * Jobs of the worker thread behind `SqliteDatabase.appendMany`: rows written on a connection of this
 * thread's own, so that the commit's fsync blocks this thread and not the server's event loop. The
 * connection waits for SQLite's write lock (busy_timeout) here: the loop it blocks is its own.
 */
const connections = new Map<
  string,
  { connection: Database.Database; statements: Map<string, Database.Statement> }
>();

function connectionTo(path: string) {
  let open = connections.get(path);
  if (open === undefined) {
    open = { connection: connectSqlite(path, false), statements: new Map() };
    connections.set(path, open);
  }
  return open;
}

/** Runs `sql` once per row of `rows` in one transaction (IMMEDIATE: the write lock is taken at BEGIN). */
function append(input: { path: string; sql: string; rows: readonly (readonly SqlValue[])[] }): number {
  const { connection, statements } = connectionTo(input.path);
  let statement = statements.get(input.sql);
  if (statement === undefined) {
    statement = connection.prepare(input.sql);
    if (statements.size > 100) statements.clear();
    statements.set(input.sql, statement);
  }
  const prepared = statement;
  return connection
    .transaction(() => {
      let changes = 0;
      for (const row of input.rows) changes += prepared.run(...(row as unknown[])).changes;
      return changes;
    })
    .immediate();
}

function close(input: { path: string }): void {
  connections.get(input.path)?.connection.close();
  connections.delete(input.path);
}

export const jobs = { append, close };
