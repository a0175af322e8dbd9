import type { UsageEvent, UsageQuery, UsageTotals } from "../core/catalog-types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

/** The `usage_events` table: one row per inference request, written in batches. */
export class UsageTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Writes events in one statement batch (one fsync for all of them). */
  async recordMany(events: readonly UsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.db.runMany(
      `INSERT INTO usage_events (at, model, revision, task, api, caller, input_units, output_units, unit,
        output_unit, input_bytes, output_bytes, latency_ms, status, outcome, error_code, batch_size)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
      ]),
    );
  }

  async list(query: UsageQuery = {}, limit = 1000): Promise<UsageEvent[]> {
    const { where, values } = filters(query);
    return (await this.db.all(
      `SELECT at, model, revision, task, api, caller, input_units AS "inputUnits", output_units AS "outputUnits",
          unit, output_unit AS "outputUnit", input_bytes AS "inputBytes", output_bytes AS "outputBytes", latency_ms AS "latencyMs", status,
          outcome, error_code AS "errorCode", batch_size AS "batchSize"
         FROM usage_events ${where} ORDER BY id DESC LIMIT ?`,
      [...values, limit],
    )) as UsageEvent[];
  }

  async totals(query: UsageQuery = {}): Promise<UsageTotals[]> {
    const { where, values } = filters(query);
    return (await this.db.all(
      `SELECT model, task, COUNT(*) AS requests, SUM(CASE WHEN outcome <> 'ok' THEN 1 ELSE 0 END) AS errors,
          SUM(input_units) AS "inputUnits", SUM(output_units) AS "outputUnits", SUM(latency_ms) AS "latencyMs"
         FROM usage_events ${where} GROUP BY model, task ORDER BY requests DESC`,
      values,
    )) as UsageTotals[];
  }
}

function filters(query: UsageQuery): { where: string; values: string[] } {
  const clauses: string[] = [];
  const values: string[] = [];
  const add = (clause: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(clause);
    values.push(value);
  };
  add("at >= ?", query.since);
  add("at < ?", query.until);
  add("lower(model) = lower(?)", query.model);
  add("lower(caller) = lower(?)", query.caller);
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
}
