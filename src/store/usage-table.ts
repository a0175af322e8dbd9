import type { SqlExecutor } from "./sql/sql-database.ts";

/** One metered inference request. */
export interface UsageEvent {
  at: string;
  /** `namespace/name` of the model, or what the caller asked for when it did not resolve. */
  model: string;
  revision: string | null;
  task: string | null;
  /** Which API served it: `task` (Hangar task API), `hub` (serverless route), `openai`, `cli`, `library`. */
  api: string;
  /** The caller's user name; null for anonymous callers. */
  caller: string | null;
  /** Tokens when the model counts them, otherwise characters. */
  inputUnits: number;
  /** What the answer held, in `outputUnit`s. */
  outputUnits: number;
  /** The unit of `inputUnits`. */
  unit: "tokens" | "characters";
  /** The task's output unit: labels, entities, vectors, scores, predictions, answers, tokens, segments... */
  outputUnit: string;
  inputBytes: number;
  outputBytes: number;
  latencyMs: number;
  /** HTTP status of the answer. */
  status: number;
  /** ok, error, cancelled, rate_limited, timeout. */
  outcome: string;
  errorCode: string | null;
  /** Requests the model call carried (dynamic batching). */
  batchSize: number;
}

export interface UsageTotals {
  model: string;
  task: string | null;
  requests: number;
  errors: number;
  inputUnits: number;
  outputUnits: number;
  latencyMs: number;
}

export interface UsageQuery {
  since?: string;
  until?: string;
  model?: string;
  caller?: string;
}

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
