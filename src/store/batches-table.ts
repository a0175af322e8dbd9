import type { SqlExecutor } from "./sql/sql-database.ts";

export type BatchStatus =
  | "validating"
  | "failed"
  | "in_progress"
  | "finalizing"
  | "completed"
  | "expired"
  | "cancelling"
  | "cancelled";

/** Statuses a runner still has work in: the jobs a node claims. */
export const ACTIVE_BATCH_STATUSES: readonly BatchStatus[] = [
  "validating",
  "in_progress",
  "finalizing",
  "cancelling",
];

/** A batch job as stored. Times in ms since the epoch; JSON columns as text. */
export interface BatchRow {
  id: string;
  owner: string;
  tokenId: number | null;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  status: BatchStatus;
  metadata: string | null;
  createdMs: number;
  inProgressMs: number | null;
  finalizingMs: number | null;
  completedMs: number | null;
  failedMs: number | null;
  cancellingMs: number | null;
  cancelledMs: number | null;
  expiresMs: number;
  expiredMs: number | null;
  outputFileId: string | null;
  errorFileId: string | null;
  errors: string | null;
  total: number;
  estimate: string | null;
  leaseOwner: string | null;
  leaseExpiresMs: number;
}

/** Columns an update may set, by field name. */
const SETTABLE = {
  status: "status",
  inProgressMs: "in_progress_ms",
  finalizingMs: "finalizing_ms",
  completedMs: "completed_ms",
  failedMs: "failed_ms",
  cancellingMs: "cancelling_ms",
  cancelledMs: "cancelled_ms",
  expiredMs: "expired_ms",
  outputFileId: "output_file_id",
  errorFileId: "error_file_id",
  errors: "errors",
  total: "total",
  estimate: "estimate",
} as const satisfies Partial<Record<keyof BatchRow, string>>;

export type BatchUpdate = Partial<Pick<BatchRow, keyof typeof SETTABLE>>;

const COLUMNS = `id, owner, token_id AS "tokenId", endpoint, input_file_id AS "inputFileId",
  completion_window AS "completionWindow", status, metadata, created_ms AS "createdMs",
  in_progress_ms AS "inProgressMs", finalizing_ms AS "finalizingMs", completed_ms AS "completedMs",
  failed_ms AS "failedMs", cancelling_ms AS "cancellingMs", cancelled_ms AS "cancelledMs",
  expires_ms AS "expiresMs", expired_ms AS "expiredMs", output_file_id AS "outputFileId",
  error_file_id AS "errorFileId", errors, total, estimate, lease_owner AS "leaseOwner",
  lease_expires_ms AS "leaseExpiresMs"`;

/** One line's result: the record of the output file (`ok`) or of the error file. */
export interface BatchResult {
  line: number;
  ok: boolean;
  record: string;
  inputUnits: number;
  outputUnits: number;
}

export interface BatchCounts {
  completed: number;
  failed: number;
  inputUnits: number;
  outputUnits: number;
}

/** The `batches` and `batch_results` tables: jobs, the node that holds each, and every line's result. */
export class BatchesTable {
  constructor(private readonly db: SqlExecutor) {}

  async insert(row: Omit<BatchRow, "leaseOwner" | "leaseExpiresMs">): Promise<void> {
    await this.db.run(
      `INSERT INTO batches (id, owner, token_id, endpoint, input_file_id, completion_window, status, metadata,
         created_ms, in_progress_ms, finalizing_ms, completed_ms, failed_ms, cancelling_ms, cancelled_ms,
         expires_ms, expired_ms, output_file_id, error_file_id, errors, total, estimate)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.owner,
        row.tokenId,
        row.endpoint,
        row.inputFileId,
        row.completionWindow,
        row.status,
        row.metadata,
        row.createdMs,
        row.inProgressMs,
        row.finalizingMs,
        row.completedMs,
        row.failedMs,
        row.cancellingMs,
        row.cancelledMs,
        row.expiresMs,
        row.expiredMs,
        row.outputFileId,
        row.errorFileId,
        row.errors,
        row.total,
        row.estimate,
      ],
    );
  }

  async get(id: string): Promise<BatchRow | undefined> {
    return this.db.get<BatchRow>(`SELECT ${COLUMNS} FROM batches WHERE id = ?`, [id]);
  }

  /** An owner's jobs, newest first, those older than `after` (a cursor) only; one more than `limit` is asked for by callers that page. */
  async list(params: { owner: string; limit: number; after?: BatchRow }): Promise<BatchRow[]> {
    const values: Array<string | number> = [params.owner];
    let where = "owner = ?";
    if (params.after) {
      where += " AND (created_ms < ? OR (created_ms = ? AND id < ?))";
      values.push(params.after.createdMs, params.after.createdMs, params.after.id);
    }
    return this.db.all<BatchRow>(
      `SELECT ${COLUMNS} FROM batches WHERE ${where} ORDER BY created_ms DESC, id DESC LIMIT ?`,
      [...values, params.limit],
    );
  }

  /** Jobs still to work on whose lease is free or expired at `now`, oldest first. */
  async claimable(now: number, limit: number): Promise<string[]> {
    const marks = ACTIVE_BATCH_STATUSES.map(() => "?").join(", ");
    const rows = await this.db.all<{ id: string }>(
      `SELECT id FROM batches WHERE status IN (${marks}) AND (lease_owner IS NULL OR lease_expires_ms < ?)
       ORDER BY created_ms, id LIMIT ?`,
      [...ACTIVE_BATCH_STATUSES, now, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Takes (or renews) the job's lease for `node` until `until`, when it is free, expired or already the
   * node's; true when the node holds it afterwards. One statement, so two nodes never both win.
   */
  async claim(id: string, node: string, now: number, until: number): Promise<boolean> {
    return (
      (
        await this.db.run(
          `UPDATE batches SET lease_owner = ?, lease_expires_ms = ?
           WHERE id = ? AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_ms < ?)`,
          [node, until, id, node, now],
        )
      ).changes === 1
    );
  }

  async release(id: string, node: string): Promise<void> {
    await this.db.run(
      "UPDATE batches SET lease_owner = NULL, lease_expires_ms = 0 WHERE id = ? AND lease_owner = ?",
      [id, node],
    );
  }

  /** Whether `node` holds the job's lease (checked inside the transaction that records results). */
  async holds(id: string, node: string, now: number): Promise<boolean> {
    const row = await this.db.get<{ leaseOwner: string | null; leaseExpiresMs: number }>(
      'SELECT lease_owner AS "leaseOwner", lease_expires_ms AS "leaseExpiresMs" FROM batches WHERE id = ?',
      [id],
    );
    return row?.leaseOwner === node && row.leaseExpiresMs >= now;
  }

  /** Sets fields; with `from`, only while the status is one of those. True when the row changed. */
  async update(id: string, fields: BatchUpdate, from?: readonly BatchStatus[]): Promise<boolean> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined) as Array<
      [keyof typeof SETTABLE, string | number | null]
    >;
    if (entries.length === 0) return false;
    const sets = entries.map(([field]) => `${SETTABLE[field]} = ?`).join(", ");
    const values = entries.map(([, value]) => value);
    let where = "id = ?";
    if (from) where += ` AND status IN (${from.map(() => "?").join(", ")})`;
    return (
      (await this.db.run(`UPDATE batches SET ${sets} WHERE ${where}`, [...values, id, ...(from ?? [])]))
        .changes === 1
    );
  }

  /** Records results; a line that already has one keeps it (each line is recorded exactly once). */
  async recordResults(batchId: string, results: readonly BatchResult[]): Promise<number> {
    return this.db.runMany(
      `INSERT INTO batch_results (batch_id, line, ok, record, input_units, output_units) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (batch_id, line) DO NOTHING`,
      results.map((result) => [
        batchId,
        result.line,
        result.ok ? 1 : 0,
        result.record,
        result.inputUnits,
        result.outputUnits,
      ]),
    );
  }

  /** The lines that have a result. */
  async doneLines(batchId: string): Promise<Set<number>> {
    const rows = await this.db.arrays("SELECT line FROM batch_results WHERE batch_id = ?", [batchId]);
    return new Set(rows.map((row) => Number(row[0])));
  }

  async counts(batchId: string): Promise<BatchCounts> {
    const row = await this.db.get<Record<string, number | string | null>>(
      `SELECT SUM(ok) AS completed, SUM(1 - ok) AS failed, SUM(input_units) AS "inputUnits",
         SUM(output_units) AS "outputUnits" FROM batch_results WHERE batch_id = ?`,
      [batchId],
    );
    return {
      completed: Number(row?.completed ?? 0),
      failed: Number(row?.failed ?? 0),
      inputUnits: Number(row?.inputUnits ?? 0),
      outputUnits: Number(row?.outputUnits ?? 0),
    };
  }

  /** The records of the output (`ok`) or error file, in line order, in pages. */
  async *records(batchId: string, ok: boolean, pageSize = 1000): AsyncGenerator<string[]> {
    for await (const page of this.db.batches<{ record: string }>(
      "SELECT record FROM batch_results WHERE batch_id = ? AND ok = ? ORDER BY line",
      [batchId, ok ? 1 : 0],
      pageSize,
    )) {
      yield page.map((row) => row.record);
    }
  }
}
