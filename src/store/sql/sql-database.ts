/**
 * The one seam between the catalog and a SQL engine. Tables (src/store/catalog) speak it with `?`
 * placeholders and SQL both engines accept (ON CONFLICT, RETURNING); the engines translate what they must.
 * Rows come back with plain JavaScript values: integers as numbers, booleans as 0/1, text as strings.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;
// biome-ignore lint/suspicious/noExplicitAny: rows are cast to each table's raw row type where they are read
export type SqlRow = Record<string, any>;

export interface RunResult {
  /** Rows the statement inserted, updated or deleted. */
  changes: number;
}

export interface SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * `all` for small reads made on every request (its credential, the budgets a call falls under): SQLite,
   * outside a transaction, answers from the rows it read last for the same statement and parameters while
   * nothing was committed to the database since, by any connection of this process or another
   * (`PRAGMA data_version`); otherwise it is `all`. The rows may be shared: never modify them.
   */
  allCached<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]>;
  /** Rows as arrays of column values, in the statement's column order (cheaper for large reads). */
  arrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Several statements without parameters (schema changes). */
  exec(sql: string): Promise<void>;
  /** One statement run once per parameter row; returns the total rows changed. */
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number>;
  /**
   * `runMany` for rows that only add to a table (usage events), written where the commit does not block
   * the event loop: SQLite's commit fsyncs synchronously, so outside a transaction it runs on a worker
   * thread's connection; PostgreSQL's commit already waits off the loop. Same durability as `runMany`.
   */
  appendMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number>;
  /**
   * Reads a large result in pages of `size` rows without holding it all in memory (a cursor on PostgreSQL,
   * an iterator on SQLite). Inside a transaction the pages come from its snapshot.
   */
  batches<T = SqlRow>(sql: string, params: readonly SqlValue[], size: number): AsyncGenerator<T[]>;
}

export interface TransactionOptions {
  /** A consistent snapshot for reading only: no write lock is taken, and writes fail. */
  readOnly?: boolean;
}

export interface SqlDatabase extends SqlExecutor {
  /**
   * Runs `work` in one transaction on one connection and commits when it resolves, rolls back when it
   * throws. Write transactions serialise with every other writer (SQLite: the database's write lock;
   * PostgreSQL: row locks, retried on serialization failures, so `work` may run more than once and must
   * have no effect outside the database). Statements outside `tx` while it runs are refused.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Migrations applied so far. */
  schemaVersion(): Promise<number>;
  /**
   * Applies `migrations[version..]`, each in its own transaction with the version bump; several processes
   * starting at once apply each migration once.
   */
  migrate(migrations: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

/** SQL, or a function that must compute (it runs inside the migration's transaction). */
export type Migration = string | ((tx: SqlExecutor) => Promise<void>);

/** A statement ran on the database's own handle while `transaction` was running on the same call path. */
export class OutsideTransactionError extends Error {
  constructor() {
    super(
      "a catalog statement ran outside the transaction it is nested in: use the transaction's handle (tx), not the catalog's",
    );
    this.name = "OutsideTransactionError";
  }
}
