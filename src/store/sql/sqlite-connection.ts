import Database from "better-sqlite3";
import type { RunResult, SqlExecutor, SqlRow, SqlValue } from "./sql-database.ts";

/**
 * One SQLite connection and the statements run on it: opening a connection with the catalog's settings,
 * retrying while another process holds the write lock, prepared statements, and the executor a transaction
 * or the database's outside-a-transaction methods run statements through (sqlite-database.ts).
 */

export type Connection = Database.Database;
type Statement = Database.Statement<unknown[], unknown>;

/** How long a writer waits for another process's write lock before the statement fails (SQLITE_BUSY). */
const BUSY_WAIT_MS = 10_000;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Retries `work` while another process holds the write lock, waiting between tries on timers, never by
 * blocking the event loop (busy_timeout is 0 on every connection).
 */
export async function whileBusy<T>(work: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
    }
    await sleep(wait);
  }
}

/**
 * A connection to a catalog file with the catalog's settings; it waits up to BUSY_WAIT_MS for another
 * connection's write lock (connections on the event loop turn that off once open).
 */
export function connectSqlite(path: string, readonly: boolean): Connection {
  const connection = new Database(path, { fileMustExist: true });
  // Turning a new file to WAL takes its lock: when several processes open a new home at once, one may be
  // creating the schema meanwhile. SQLite's own wait, here at open.
  connection.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  if (!readonly) connection.pragma("journal_mode = WAL");
  // FULL syncs the WAL at every commit: an acknowledged commit survives power loss, not only a killed
  // process. It costs one fsync per write transaction, small next to the blob fsyncs of an upload.
  connection.pragma("synchronous = FULL");
  connection.pragma("foreign_keys = ON");
  return connection;
}

/** A connection's prepared statements, prepared once each. */
export class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(readonly connection: Connection) {}

  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.connection.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

export function bind(params: readonly SqlValue[] | undefined): unknown[] {
  return params === undefined ? [] : (params as unknown[]);
}

/**
 * Statements on one connection; `guard` runs before each (to refuse use outside a running transaction).
 * Writes run on `writes`' connection (by default the same): the shared reader hands them to the writer, so
 * that the reader never commits (its `PRAGMA data_version` then sees every commit, see sqlite-read-cache.ts).
 */
export class ConnectionExecutor implements SqlExecutor {
  readonly dialect = "sqlite" as const;
  constructor(
    private readonly statements: Statements,
    private readonly guard: () => void,
    private readonly write: <T>(work: () => T) => Promise<T>,
    private readonly writes: Statements = statements,
  ) {}

  /**
   * Runs a statement that returns rows: a read at once, a write (`INSERT ... RETURNING`) the way writes
   * go, through `write` (this process's write lock and retries while another process holds SQLite's).
   */
  private async returning<R>(sql: string, read: (statement: Statement) => R): Promise<R> {
    this.guard();
    const statement = this.statements.get(sql);
    if (!statement.readonly) {
      const writing = this.writes === this.statements ? statement : this.writes.get(sql);
      return this.write(() => read(writing));
    }
    try {
      return read(statement);
    } catch (error) {
      // A reader meets the lock only in passing (another connection resetting the WAL): retried on timers.
      if (!isBusy(error)) throw error;
      return whileBusy(() => read(statement));
    }
  }

  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.returning(sql, (statement) => statement.all(...bind(params)) as T[]);
  }

  allCached<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]> {
    return this.all<T>(sql, params);
  }

  arrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    return this.returning(sql, (statement) => statement.raw(true).all(...bind(params)) as unknown[][]);
  }

  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.returning(sql, (statement) => statement.get(...bind(params)) as T | undefined);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    this.guard();
    return this.write(() => ({ changes: this.statements.get(sql).run(...bind(params)).changes }));
  }

  exec(sql: string): Promise<void> {
    this.guard();
    return this.write(() => {
      this.statements.connection.exec(sql);
    });
  }

  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    this.guard();
    return this.write(() => {
      const statement = this.statements.get(sql);
      const connection = this.statements.connection;
      const runAll = () => {
        let changes = 0;
        for (const row of rows) changes += statement.run(...(row as unknown[])).changes;
        return changes;
      };
      return connection.inTransaction ? runAll() : connection.transaction(runAll).immediate();
    });
  }

  appendMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.runMany(sql, rows);
  }

  async *batches<T = SqlRow>(sql: string, params: readonly SqlValue[], size: number): AsyncGenerator<T[]> {
    this.guard();
    // Materialised: an open iterator would keep the connection busy for the statements between pages.
    const rows = this.statements.get(sql).all(...bind(params)) as T[];
    for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
  }
}
