import { HangarError } from "../core/errors.ts";
import { AccountsTable } from "./accounts-table.ts";
import { AuditTable } from "./audit-table.ts";
import { BatchFilesTable } from "./batch-files-table.ts";
import { BatchesTable } from "./batches-table.ts";
import { BudgetsTable } from "./budgets-table.ts";
import { BulkTable } from "./bulk-table.ts";
import { CollectionsTable } from "./collections-table.ts";
import { CommitsTable } from "./commits-table.ts";
import { DiscussionsTable } from "./discussions-table.ts";
import { EndpointsTable } from "./endpoints-table.ts";
import { EvaluationsTable } from "./evaluations-table.ts";
import { FactsTable } from "./facts-table.ts";
import { LeasesTable } from "./leases-table.ts";
import { LfsUploadsTable } from "./lfs-uploads-table.ts";
import { LicensePoliciesTable } from "./license-policies-table.ts";
import { MaintenanceTable } from "./maintenance-table.ts";
import { MultipartSessionsTable } from "./multipart-sessions-table.ts";
import { PipelinesTable } from "./pipelines-table.ts";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.ts";
import { PricesTable } from "./prices-table.ts";
import { RegistryTable } from "./registry-table.ts";
import { ReposTable } from "./repos-table.ts";
import { ScanResultsTable } from "./scan-results-table.ts";
import { SearchFeedTable } from "./search-feed-table.ts";
import { SocialTable } from "./social-table.ts";
import { PostgresDatabase } from "./sql/postgres-database.ts";
import type { SqlDatabase, SqlExecutor, TransactionOptions } from "./sql/sql-database.ts";
import { SqliteDatabase } from "./sql/sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.ts";
import { UsageTable } from "./usage-table.ts";
import { WebhooksTable } from "./webhooks-table.ts";

/**
 * The catalog's tables over one SQL executor: the catalog itself (each statement on its own) or a
 * transaction's handle (every statement in that transaction).
 */
export class CatalogTables {
  readonly accounts: AccountsTable;
  readonly repos: ReposTable;
  readonly commits: CommitsTable;
  readonly facts: FactsTable;
  readonly usage: UsageTable;
  readonly evaluations: EvaluationsTable;
  readonly leases: LeasesTable;
  readonly lfsUploads: LfsUploadsTable;
  readonly maintenance: MaintenanceTable;
  readonly multipartSessions: MultipartSessionsTable;
  readonly searchFeed: SearchFeedTable;
  /** Scan verdicts per blob and rules version, and repos' search-facing scan status. */
  readonly scanResults: ScanResultsTable;
  /** Licence policies of the instance and of organisations. */
  readonly licensePolicies: LicensePoliciesTable;
  /** Discussions and pull requests, and their timelines. */
  readonly discussions: DiscussionsTable;
  /** Files of the OpenAI-compatible Files API, batch jobs and their per-line results (src/workflows/batch). */
  readonly batchFiles: BatchFilesTable;
  readonly batches: BatchesTable;
  /** Registered pipelines, their runs and cached step results (src/workflows/pipelines). */
  readonly pipelines: PipelinesTable;
  /** Webhooks and their delivery queue and log. */
  readonly webhooks: WebhooksTable;
  readonly collections: CollectionsTable;
  /** Likes, follows, dated popularity figures and download sessions. */
  readonly social: SocialTable;
  /** Whole tables by name, for `hangar migrate` (src/store/copy-catalog.ts). */
  readonly bulk: BulkTable;
  /** Registered models, their versions, approvals and aliases (src/governance/registry). */
  readonly registry: RegistryTable;
  /** The audit log's hash chain (src/governance/audit): append inside the change's own transaction. */
  readonly audit: AuditTable;
  /** Budgets, their spend per period and fired alerts (src/governance/budgets). */
  readonly budgets: BudgetsTable;
  /** Prices set over the API and token rate limits (src/governance/pricing). */
  readonly prices: PricesTable;
  /** Inference endpoints: their settings and state (src/inference/endpoints). */
  readonly endpoints: EndpointsTable;

  constructor(protected readonly sql: SqlExecutor) {
    this.accounts = new AccountsTable(sql);
    this.repos = new ReposTable(sql);
    this.commits = new CommitsTable(sql);
    this.facts = new FactsTable(sql);
    this.usage = new UsageTable(sql);
    this.evaluations = new EvaluationsTable(sql);
    this.leases = new LeasesTable(sql);
    this.lfsUploads = new LfsUploadsTable(sql);
    this.maintenance = new MaintenanceTable(sql);
    this.multipartSessions = new MultipartSessionsTable(sql);
    this.searchFeed = new SearchFeedTable(sql);
    this.scanResults = new ScanResultsTable(sql);
    this.licensePolicies = new LicensePoliciesTable(sql);
    this.discussions = new DiscussionsTable(sql);
    this.batchFiles = new BatchFilesTable(sql);
    this.batches = new BatchesTable(sql);
    this.pipelines = new PipelinesTable(sql);
    this.webhooks = new WebhooksTable(sql);
    this.collections = new CollectionsTable(sql);
    this.social = new SocialTable(sql);
    this.bulk = new BulkTable(sql);
    this.registry = new RegistryTable(sql);
    this.audit = new AuditTable(sql);
    this.budgets = new BudgetsTable(sql);
    this.prices = new PricesTable(sql);
    this.endpoints = new EndpointsTable(sql);
  }

  get dialect(): "sqlite" | "postgres" {
    return this.sql.dialect;
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.sql.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key]))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.sql.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, value],
    );
  }

  /** Stores `value` unless the key has one; returns the value the key holds afterwards. */
  async setMetaIfAbsent(key: string, value: string): Promise<string> {
    await this.sql.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [
      key,
      value,
    ]);
    return (await this.getMeta(key))!;
  }
}

/** The catalog of one instance, on SQLite (the embedded default) or PostgreSQL. */
export class Catalog extends CatalogTables {
  private constructor(
    private readonly database: SqlDatabase,
    /** Where the catalog lives: a SQLite file's path or a PostgreSQL URL (password included). */
    readonly location: string,
  ) {
    super(database);
  }

  /**
   * Opens (creating and migrating when needed) a catalog: a `postgres://` or `postgresql://` URL names a
   * PostgreSQL database (which must exist), anything else the path of a SQLite file.
   */
  static async open(location: string): Promise<Catalog> {
    const postgres = isPostgresUrl(location);
    const database = postgres ? await PostgresDatabase.open(location) : SqliteDatabase.open(location);
    try {
      await database.migrate(postgres ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS);
    } catch (error) {
      await database.close();
      throw error;
    }
    return new Catalog(database, postgres ? location : (database as SqliteDatabase).path);
  }

  /**
   * Runs `work` in one transaction with the tables bound to it: use `tx`, never this catalog, inside. On
   * PostgreSQL `work` may run again after a serialization failure, so it must not act outside the catalog.
   */
  transaction<T>(work: (tx: CatalogTables) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.database.transaction((sql) => work(new CatalogTables(sql)), options);
  }

  /** Bulk loads on SQLite skip the per-commit fsync (the result can be rebuilt if the machine dies midway). */
  bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    return this.database instanceof SqliteDatabase ? this.database.withoutSync(work) : work();
  }

  /**
   * Whether the catalog can serve (for `/ready`): it answers a trivial query and has every migration this
   * version knows. Throws HANGAR_ERR_UNAVAILABLE with one sentence otherwise.
   */
  async check(): Promise<void> {
    let version: number;
    try {
      await this.database.get("SELECT 1 AS one");
      version = await this.database.schemaVersion();
    } catch (error) {
      throw new HangarError(
        "HANGAR_ERR_UNAVAILABLE",
        `The catalog does not answer: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const expected = (this.dialect === "postgres" ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS).length;
    if (version < expected) {
      throw new HangarError(
        "HANGAR_ERR_UNAVAILABLE",
        `The catalog's migrations are not done: ${version} of ${expected} applied`,
      );
    }
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
