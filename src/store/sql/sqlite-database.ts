import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { JobWorker } from "../../core/job-worker.ts";
import { ensureOwnerOnlyFile, restrictToOwner } from "../owner-only.ts";
import { AsyncMutex } from "./async-mutex.ts";
import {
  type Migration,
  OutsideTransactionError,
  type RunResult,
  type SqlDatabase,
  type SqlExecutor,
  type SqlRow,
  type SqlValue,
  type TransactionOptions,
} from "./sql-database.ts";
import type { jobs as appendJobs } from "./sqlite-append-jobs.ts";
import {
  bind,
  type Connection,
  ConnectionExecutor,
  connectSqlite,
  Statements,
  whileBusy,
} from "./sqlite-connection.ts";
import { ReadCache } from "./sqlite-read-cache.ts";

/** Read-only transactions each hold a connection of their own; at most this many at once. */
const MAX_SNAPSHOT_CONNECTIONS = 4;

/**
 * Writers of one file in this process: they share one lock, so two handles on one catalog (a test's and
 * the server's) queue instead of failing on SQLite's lock.
 */
const writeLocks = new Map<string, AsyncMutex>();

interface OpenOptions {
  /** Create the file (and its folder, owner-only) when missing. Default true. */
  create?: boolean;
}

/**
 * SQLite through better-sqlite3, in WAL mode: one writer connection whose transactions take the write lock
 * at BEGIN (IMMEDIATE) and hold this process's write lock across their awaits, a shared reader connection
 * for statements outside transactions (WAL readers never wait for the writer), and reader connections of
 * their own for read-only transactions (a snapshot that stays consistent across awaits).
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  readonly path: string;
  private readonly writer: Statements;
  private readonly reader: Statements;
  private readonly snapshots: Connection[] = [];
  private snapshotsOpen = 0;
  private readonly snapshotWaiters: (() => void)[] = [];
  private readonly lock: AsyncMutex;
  private readonly inside = new AsyncLocalStorage<boolean>();
  private readonly outside: ConnectionExecutor;
  private readonly outsideReads: ConnectionExecutor;
  private readonly readCache: ReadCache;
  /** The worker thread of `appendMany`, started on its first use. */
  private appender: JobWorker<typeof appendJobs> | undefined;
  private closed = false;

  private constructor(path: string) {
    this.path = path;
    this.writer = new Statements(SqliteDatabase.connect(path, false));
    this.reader = new Statements(SqliteDatabase.connect(path, true));
    let lock = writeLocks.get(path);
    if (lock === undefined) {
      lock = new AsyncMutex();
      writeLocks.set(path, lock);
    }
    this.lock = lock;
    const guard = () => this.assertOutside();
    this.outside = new ConnectionExecutor(this.writer, guard, (work) => this.writeAlone(work));
    this.outsideReads = new ConnectionExecutor(
      this.reader,
      guard,
      (work) => this.writeAlone(work),
      this.writer,
    );
    this.readCache = new ReadCache(this.reader.connection, (sql) => this.reader.get(sql));
  }

  static open(path: string, options: OpenOptions = {}): SqliteDatabase {
    const absolute = resolve(path);
    if (options.create !== false) {
      mkdirSync(dirname(absolute), { recursive: true, mode: 0o700 });
      // The catalog holds secrets (the LFS signing key, token hashes): owner-only, and SQLite gives the
      // -wal and -shm files it creates the database file's rights. Files from before are tightened.
      ensureOwnerOnlyFile(absolute);
      restrictToOwner(`${absolute}-wal`);
      restrictToOwner(`${absolute}-shm`);
    }
    return new SqliteDatabase(absolute);
  }

  private static connect(path: string, readonly: boolean): Connection {
    const connection = connectSqlite(path, readonly);
    // Never block the event loop waiting for another process: busy statements are retried on timers.
    connection.pragma("busy_timeout = 0");
    return connection;
  }

  private assertOutside(): void {
    if (this.closed) throw new Error("the catalog is closed");
    if (this.inside.getStore() === true) throw new OutsideTransactionError();
  }

  /** One write statement outside any transaction: waits its turn behind this process's transactions. */
  private async writeAlone<T>(work: () => T): Promise<T> {
    const release = await this.lock.acquire();
    try {
      return await whileBusy(work);
    } finally {
      release();
    }
  }

  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outsideReads.all<T>(sql, params);
  }
  async allCached<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]> {
    this.assertOutside();
    return this.readCache.all(sql, params) as readonly T[];
  }
  arrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    return this.outsideReads.arrays(sql, params);
  }
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outsideReads.get<T>(sql, params);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.outside.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.outside.exec(sql);
  }
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.outside.runMany(sql, rows);
  }
  /**
   * `runMany` on a connection of a worker thread's own, in one transaction: its commit's fsync (FULL, as
   * every commit here) blocks that thread, not the event loop. It takes SQLite's write lock like any other
   * writer (this process's writers retry on timers meanwhile); it resolves once committed.
   */
  appendMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    this.assertOutside();
    if (rows.length === 0) return Promise.resolve(0);
    this.appender ??= new JobWorker<typeof appendJobs>({
      moduleUrl: new URL("./sqlite-append-jobs.ts", import.meta.url).href,
      name: "hangar catalog appends",
    });
    return this.appender.run("append", { path: this.path, sql, rows });
  }
  async *batches<T = SqlRow>(sql: string, params: readonly SqlValue[], size: number): AsyncGenerator<T[]> {
    this.assertOutside();
    // A snapshot connection of its own: pages stay consistent and the shared reader stays free.
    const connection = await this.takeSnapshotConnection();
    try {
      connection.exec("BEGIN");
      const iterator = connection.prepare(sql).iterate(...bind(params)) as IterableIterator<T>;
      let page: T[] = [];
      for (const row of iterator) {
        page.push(row);
        if (page.length >= size) {
          yield page;
          page = [];
        }
      }
      if (page.length > 0) yield page;
    } finally {
      if (connection.inTransaction) connection.exec("ROLLBACK");
      this.giveBackSnapshotConnection(connection);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.assertOutside();
    if (options.readOnly === true) return this.readTransaction(work);
    const release = await this.lock.acquire();
    const connection = this.writer.connection;
    try {
      await whileBusy(() => connection.exec("BEGIN IMMEDIATE"));
      const tx = new ConnectionExecutor(
        this.writer,
        () => this.assertOpen(),
        async (write) => write(),
      );
      try {
        const result = await this.inside.run(true, () => work(tx));
        connection.exec("COMMIT");
        return result;
      } catch (error) {
        if (connection.inTransaction) connection.exec("ROLLBACK");
        throw error;
      }
    } finally {
      release();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the catalog is closed");
  }

  private async readTransaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await this.takeSnapshotConnection();
    try {
      connection.exec("BEGIN");
      // The snapshot starts at the first read, not at BEGIN: read once so it starts now.
      connection.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
      const statements = new Statements(connection);
      const tx = new ConnectionExecutor(
        statements,
        () => this.assertOpen(),
        async () => {
          throw new Error("a read-only transaction cannot write");
        },
      );
      return await this.inside.run(true, () => work(tx));
    } finally {
      if (connection.inTransaction) connection.exec("ROLLBACK");
      this.giveBackSnapshotConnection(connection);
    }
  }

  private async takeSnapshotConnection(): Promise<Connection> {
    for (;;) {
      const free = this.snapshots.pop();
      if (free !== undefined) return free;
      if (this.snapshotsOpen < MAX_SNAPSHOT_CONNECTIONS) {
        this.snapshotsOpen++;
        return SqliteDatabase.connect(this.path, true);
      }
      await new Promise<void>((resume) => this.snapshotWaiters.push(resume));
    }
  }

  private giveBackSnapshotConnection(connection: Connection): void {
    if (this.closed) {
      connection.close();
      return;
    }
    this.snapshots.push(connection);
    this.snapshotWaiters.shift()?.();
  }

  async schemaVersion(): Promise<number> {
    return whileBusy(() => this.writer.connection.pragma("user_version", { simple: true }) as number);
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    while ((await this.schemaVersion()) < migrations.length) {
      await this.transaction(async (tx) => {
        // Read again under the write lock: another process opening the same new home may have applied
        // this migration while this one waited.
        const index = await this.schemaVersion();
        if (index >= migrations.length) return;
        const migration = migrations[index]!;
        if (typeof migration === "string") await tx.exec(migration);
        else await migration(tx);
        this.writer.connection.pragma(`user_version = ${index + 1}`);
      });
    }
  }

  /**
   * Runs `work` with `synchronous = OFF` on the writer (no fsync per commit) and restores the setting after:
   * for bulk loads whose result can be rebuilt if the machine dies midway.
   */
  async withoutSync<T>(work: () => Promise<T>): Promise<T> {
    const connection = this.writer.connection;
    const previous = connection.pragma("synchronous", { simple: true }) as number;
    connection.pragma("synchronous = OFF");
    try {
      return await work();
    } finally {
      connection.pragma(`synchronous = ${previous}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // The worker runs its jobs in order: appends asked before this close are committed before its connection
    // is closed, then the worker is stopped.
    if (this.appender) {
      await this.appender.run("close", { path: this.path }).catch(() => undefined);
      await this.appender.terminate();
      this.appender = undefined;
    }
    // Let transactions in flight finish first.
    const release = await this.lock.acquire();
    try {
      this.closed = true;
      this.writer.connection.close();
      this.reader.connection.close();
      for (const connection of this.snapshots.splice(0)) connection.close();
    } finally {
      release();
    }
  }
}
