import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { HangarError } from "../../core/errors.ts";
import { multiRowInsertText, redactUrl, rowsPerInsert, TranslationCache } from "./postgres-sql.ts";
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

export { redactUrl } from "./postgres-sql.ts";

/** Tries of a transaction that fails on a serialization failure (40001) or a deadlock (40P01). */
const TRANSACTION_TRIES = 5;
const RETRYABLE = new Set(["40001", "40P01"]);
/** The advisory lock key that serialises migrations across every node on one database. */
const MIGRATION_LOCK = "hangar.migrate";

/**
 * The catalog server cannot be used: unreachable, no such database, or refused credentials. The message
 * names the server with its password redacted.
 */
export class CatalogUnavailableError extends HangarError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("HANGAR_ERR_UNAVAILABLE", message, options);
    this.name = "CatalogUnavailableError";
  }
}

export interface PostgresOptions {
  /** Connections in the pool at most. Default 10. */
  maxConnections?: number;
  /** How long to wait for a connection before failing, in ms. Default 10 000. */
  connectTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Type parsers of one pool: int8 and numeric as numbers, booleans as 0/1 (pg's global table untouched). */
function catalogTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const toNumber = (value: string) => Number(value);
  types.setTypeParser(pg.types.builtins.INT8, toNumber);
  types.setTypeParser(pg.types.builtins.NUMERIC, toNumber);
  types.setTypeParser(pg.types.builtins.BOOL, (value: string) => (value === "t" ? 1 : 0));
  return types;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown }).code as string | undefined;
}

/** Why a connection failed, in words, for the three failures an operator can fix. */
function describeConnectFailure(error: unknown, database: string): string {
  const code = errorCode(error);
  if (code === "3D000") return `database "${database}" does not exist`;
  if (code === "28P01" || code === "28000") return "authentication failed (check the user and password)";
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EHOSTUNREACH" || code === "ETIMEDOUT")
    return `the server is unreachable (${code})`;
  const message = error instanceof Error ? error.message : String(error);
  return /timeout/i.test(message) ? "the server is unreachable (connection timed out)" : message;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Statements on a pool (autocommit) or on one transaction's client; `guard` runs before each. */
class PostgresExecutor implements SqlExecutor {
  readonly dialect = "postgres" as const;
  constructor(
    protected readonly target: Queryable,
    protected readonly translations: TranslationCache,
    protected readonly guard: () => void,
  ) {}

  protected query(sql: string, params: readonly SqlValue[] | undefined): Promise<pg.QueryResult> {
    this.guard();
    const values = params === undefined || params.length === 0 ? undefined : (params as unknown[]);
    return this.target.query(this.translations.get(sql).text, values);
  }

  async all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  allCached<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]> {
    return this.all<T>(sql, params);
  }

  async arrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    this.guard();
    const values = params === undefined ? [] : (params as unknown[]);
    const result = await this.target.query({
      text: this.translations.get(sql).text,
      values,
      rowMode: "array",
    });
    return result.rows as unknown[][];
  }

  async get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    this.guard();
    // No values: pg sends it with the simple query protocol, which takes several statements.
    await this.target.query(sql);
  }

  appendMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.runMany(sql, rows);
  }

  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    this.guard();
    const insert = this.translations.insert(sql);
    let changes = 0;
    if (insert === undefined) {
      for (const row of rows) changes += (await this.query(sql, row)).rowCount ?? 0;
      return changes;
    }
    const chunk = rowsPerInsert(insert.columns);
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const values: unknown[] = [];
      for (const row of part) {
        if (row.length !== insert.columns)
          throw new Error(`runMany: a row has ${row.length} values for ${insert.columns} placeholders`);
        values.push(...row);
      }
      this.guard();
      const result = await this.target.query(multiRowInsertText(insert, part.length), values);
      changes += result.rowCount ?? 0;
    }
    return changes;
  }

  batches<T = SqlRow>(sql: string, params: readonly SqlValue[], size: number): AsyncGenerator<T[]> {
    return cursorPages<T>(this.target as pg.PoolClient, this.translations, sql, params, size, this.guard);
  }
}

let cursorNumber = 0;

/** Pages of a server-side cursor on `client`, which must be inside a transaction. */
async function* cursorPages<T>(
  client: pg.PoolClient,
  translations: TranslationCache,
  sql: string,
  params: readonly SqlValue[],
  size: number,
  guard: () => void,
): AsyncGenerator<T[]> {
  guard();
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`batches: page size ${size} is not a positive integer`);
  const name = `hangar_cursor_${++cursorNumber}`;
  await client.query(
    `DECLARE ${name} NO SCROLL CURSOR FOR ${translations.get(sql).text}`,
    params as unknown[],
  );
  let open = true;
  try {
    for (;;) {
      guard();
      const page = await client.query(`FETCH FORWARD ${size} FROM ${name}`);
      if (page.rows.length > 0) yield page.rows as T[];
      if (page.rows.length < size) break;
    }
    open = false;
    await client.query(`CLOSE ${name}`);
  } finally {
    // Stopped early (the reader broke off): close it so the transaction can go on.
    if (open) await client.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

/**
 * The catalog on PostgreSQL through a pg pool. Statements outside transactions run on any pooled
 * connection (autocommit); a transaction holds one connection from BEGIN to COMMIT, READ COMMITTED for
 * writes (rows locked by writers serialise them) and REPEATABLE READ READ ONLY for snapshots.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = "postgres" as const;
  /** The server and database, password redacted, for messages. */
  readonly name: string;
  private readonly pool: pg.Pool;
  private readonly translations = new TranslationCache();
  private readonly inside = new AsyncLocalStorage<boolean>();
  private readonly outside: PostgresExecutor;
  private closed = false;

  private constructor(pool: pg.Pool, name: string) {
    this.pool = pool;
    this.name = name;
    this.outside = new PostgresExecutor(pool, this.translations, () => this.assertOutside());
  }

  /** Connects (once, to check the server, database and credentials) and returns the pool's handle. */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresDatabase> {
    const name = redactUrl(url);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      types: catalogTypes(),
    });
    // A pooled connection that dies while idle is dropped by the pool and replaced on next use; without a
    // listener the pool's 'error' event would end the process.
    pool.on("error", () => undefined);
    try {
      const client = await pool.connect();
      client.release();
    } catch (error) {
      await pool.end().catch(() => undefined);
      let database = "";
      try {
        database = decodeURIComponent(new URL(url).pathname.slice(1));
      } catch {}
      throw new CatalogUnavailableError(
        `cannot use the PostgreSQL catalog at ${name}: ${describeConnectFailure(error, database)}`,
        { cause: error },
      );
    }
    return new PostgresDatabase(pool, name);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the catalog is closed");
  }

  private assertOutside(): void {
    this.assertOpen();
    if (this.inside.getStore() === true) throw new OutsideTransactionError();
  }

  all<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.outside.all<T>(sql, params);
  }
  allCached<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<readonly T[]> {
    return this.outside.all<T>(sql, params);
  }
  arrays(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]> {
    return this.outside.arrays(sql, params);
  }
  get<T = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.outside.get<T>(sql, params);
  }
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return this.outside.run(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.outside.exec(sql);
  }
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    this.assertOutside();
    // All rows or none, as on SQLite.
    return this.transaction((tx) => tx.runMany(sql, rows));
  }
  appendMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.runMany(sql, rows);
  }

  async *batches<T = SqlRow>(sql: string, params: readonly SqlValue[], size: number): AsyncGenerator<T[]> {
    this.assertOutside();
    // A read-only snapshot of its own: pages stay consistent, and the cursor lives as long as it does.
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      yield* cursorPages<T>(client, this.translations, sql, params, size, () => this.assertOpen());
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      await client.query("ROLLBACK").catch((error: Error) => {
        broken = error;
      });
      client.release(broken);
    }
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.assertOutside();
    const begin =
      options.readOnly === true
        ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        : "BEGIN ISOLATION LEVEL READ COMMITTED";
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let ended = false;
      const tx = new PostgresExecutor(client, this.translations, () => {
        this.assertOpen();
        if (ended) throw new Error("the transaction has ended: its handle (tx) cannot be used any more");
      });
      try {
        await client.query(begin);
        const result = await this.inside.run(true, () => work(tx));
        await client.query("COMMIT");
        ended = true;
        client.release();
        return result;
      } catch (error) {
        ended = true;
        let broken: Error | undefined;
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        client.release(broken);
        const retry = RETRYABLE.has(errorCode(error) ?? "") && attempt < TRANSACTION_TRIES;
        if (!retry) throw error;
        // Jittered backoff: the transactions that collided should not collide again at once.
        await sleep(Math.random() * 10 * 2 ** attempt);
      }
    }
  }

  async schemaVersion(): Promise<number> {
    const table = await this.get<{ present: number }>(
      "SELECT to_regclass('hangar_schema') IS NOT NULL AS present",
    );
    if (table?.present !== 1) return 0;
    const current = await this.get<{ version: number }>("SELECT version FROM hangar_schema");
    return current?.version ?? 0;
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    for (;;) {
      const finished = await this.transaction(async (tx) => {
        // One migrator at a time on this database, whatever node it runs on: the lock is the
        // transaction's, so it is let go at COMMIT or ROLLBACK.
        await tx.get("SELECT pg_advisory_xact_lock(hashtext(?))", [MIGRATION_LOCK]);
        await tx.exec(
          `CREATE TABLE IF NOT EXISTS hangar_schema (version integer NOT NULL);
           INSERT INTO hangar_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM hangar_schema);`,
        );
        // Read under the lock: another node may have applied this migration while this one waited.
        const row = await tx.get<{ version: number }>("SELECT version FROM hangar_schema");
        const index = row?.version ?? 0;
        if (index >= migrations.length) return true;
        const migration = migrations[index]!;
        if (typeof migration === "string") await tx.exec(migration);
        else await migration(tx);
        await tx.run("UPDATE hangar_schema SET version = ?", [index + 1]);
        return index + 1 >= migrations.length;
      });
      if (finished) return;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
