import type { UsageEvent, UsageQuery, UsageTotals } from "../core/catalog-types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";
import {
  type UsageFilter,
  type UsageGroupRow,
  type UsageReportQuery,
  usageReportSql,
  usageWhere,
} from "./usage-report-sql.ts";

export interface ModelHistory {
  requests: number;
  inputTokens: number;
  inputBytes: number;
  outputTokens: number;
  latencyMs: number;
  /** Sums for a least-squares fit of input tokens on request bytes over the calls that counted tokens. */
  tokenRequests: number;
  bytesSquared: number;
  bytesTimesTokens: number;
}

/** The `usage_events` table: one row per inference request, written in batches. */
export class UsageTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Writes events in one statement batch (one fsync for all of them, off the event loop: `appendMany`). */
  async recordMany(events: readonly UsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.appendMany(
      `INSERT INTO usage_events (at, model, revision, task, api, caller, input_units, output_units, unit,
        output_unit, input_bytes, output_bytes, latency_ms, status, outcome, error_code, batch_size,
        cost_nanos, tokens, token_id, org, route, price_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      events.map((event) => [
        event.at,
        event.model,
        event.revision,
        event.task,
        event.api,
        event.caller,
        event.inputUnits,
        event.outputUnits,
        event.unit,
        event.outputUnit,
        event.inputBytes,
        event.outputBytes,
        event.latencyMs,
        event.status,
        event.outcome,
        event.errorCode,
        event.batchSize,
        event.costNanos ?? 0,
        event.tokens ?? 0,
        event.tokenId ?? null,
        event.org ?? null,
        event.route ?? null,
        event.priceSource ?? null,
      ]),
    );
  }

  async list(query: UsageQuery = {}, limit = 1000): Promise<UsageEvent[]> {
    const { where, values } = usageWhere(filterOf(query));
    return (await this.db.all(
      `SELECT at, model, revision, task, api, caller, input_units AS "inputUnits", output_units AS "outputUnits",
          unit, output_unit AS "outputUnit", input_bytes AS "inputBytes", output_bytes AS "outputBytes", latency_ms AS "latencyMs", status,
          outcome, error_code AS "errorCode", batch_size AS "batchSize"
         FROM usage_events ${where} ORDER BY id DESC LIMIT ?`,
      [...values, limit],
    )) as UsageEvent[];
  }

  async totals(query: UsageQuery = {}): Promise<UsageTotals[]> {
    const { where, values } = usageWhere(filterOf(query));
    return (await this.db.all(
      `SELECT model, task, COUNT(*) AS requests, SUM(CASE WHEN outcome <> 'ok' THEN 1 ELSE 0 END) AS errors,
          SUM(input_units) AS "inputUnits", SUM(output_units) AS "outputUnits", SUM(latency_ms) AS "latencyMs"
         FROM usage_events ${where} GROUP BY model, task ORDER BY requests DESC`,
      values,
    )) as UsageTotals[];
  }

  /**
   * What a model's successful calls through one API metered before `until`: tokens per input byte and
   * generated tokens per request, for cost estimates (src/governance/pricing/estimate-cost.ts).
   */
  async history(model: string, api: string, until: string): Promise<ModelHistory> {
    const row = await this.db.get<Record<string, unknown>>(
      `SELECT COUNT(*) AS requests,
         SUM(CASE WHEN unit = 'tokens' THEN input_units ELSE 0 END) AS "inputTokens",
         SUM(CASE WHEN unit = 'tokens' THEN input_bytes ELSE 0 END) AS "inputBytes",
         SUM(CASE WHEN output_unit = 'tokens' THEN output_units ELSE 0 END) AS "outputTokens",
         SUM(latency_ms) AS "latencyMs",
         SUM(CASE WHEN unit = 'tokens' THEN 1 ELSE 0 END) AS "tokenRequests",
         SUM(CASE WHEN unit = 'tokens' THEN 1.0 * input_bytes * input_bytes ELSE 0 END) AS "bytesSquared",
         SUM(CASE WHEN unit = 'tokens' THEN 1.0 * input_bytes * input_units ELSE 0 END) AS "bytesTimesTokens"
       FROM usage_events WHERE lower(model) = lower(?) AND api = ? AND outcome = 'ok' AND at < ?`,
      [model, api, until],
    );
    return {
      requests: Number(row?.requests ?? 0),
      inputTokens: Number(row?.inputTokens ?? 0),
      inputBytes: Number(row?.inputBytes ?? 0),
      outputTokens: Number(row?.outputTokens ?? 0),
      latencyMs: Number(row?.latencyMs ?? 0),
      tokenRequests: Number(row?.tokenRequests ?? 0),
      bytesSquared: Number(row?.bytesSquared ?? 0),
      bytesTimesTokens: Number(row?.bytesTimesTokens ?? 0),
    };
  }

  /** Requests, tokens, compute time and cost grouped by the report's dimensions (`GET /v1/usage`). */
  async report(query: UsageReportQuery): Promise<UsageGroupRow[]> {
    const { sql, values } = usageReportSql(query);
    const rows = await this.db.all<Record<string, unknown>>(sql, values);
    return rows.map((row) => ({
      ...Object.fromEntries(query.groupBy.map((dimension) => [dimension, (row[dimension] ?? null) as never])),
      requests: Number(row.requests ?? 0),
      errors: Number(row.errors ?? 0),
      inputTokens: Number(row.inputTokens ?? 0),
      outputTokens: Number(row.outputTokens ?? 0),
      tokens: Number(row.tokens ?? 0),
      computeMs: Number(row.computeMs ?? 0),
      costNanos: Number(row.costNanos ?? 0),
    })) as UsageGroupRow[];
  }
}

/** A listing's query (`list`, `totals`) as a usage filter. */
function filterOf(query: UsageQuery): UsageFilter {
  return { from: query.since, to: query.until, model: query.model, user: query.caller };
}
