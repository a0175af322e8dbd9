import type { SqliteDatabase } from "./catalog.ts";

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
  private readonly insert;

  constructor(private readonly db: SqliteDatabase) {
    this.insert = db.prepare(
      `INSERT INTO usage_events (at, model, revision, task, api, caller, input_units, output_units, unit,
        output_unit, input_bytes, output_bytes, latency_ms, status, outcome, error_code, batch_size)
       VALUES (@at, @model, @revision, @task, @api, @caller, @inputUnits, @outputUnits, @unit,
        @outputUnit, @inputBytes, @outputBytes, @latencyMs, @status, @outcome, @errorCode, @batchSize)`,
    );
  }

  /** Writes events in one transaction (one fsync for all of them). */
  recordMany(events: readonly UsageEvent[]): void {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const event of events) this.insert.run(event);
    })();
  }

  list(query: UsageQuery = {}, limit = 1000): UsageEvent[] {
    const { where, values } = filters(query);
    return this.db
      .prepare(
        `SELECT at, model, revision, task, api, caller, input_units AS inputUnits, output_units AS outputUnits,
          unit, output_unit AS outputUnit, input_bytes AS inputBytes, output_bytes AS outputBytes, latency_ms AS latencyMs, status,
          outcome, error_code AS errorCode, batch_size AS batchSize
         FROM usage_events ${where} ORDER BY id DESC LIMIT ?`,
      )
      .all(...values, limit) as UsageEvent[];
  }

  totals(query: UsageQuery = {}): UsageTotals[] {
    const { where, values } = filters(query);
    return this.db
      .prepare(
        `SELECT model, task, COUNT(*) AS requests, SUM(outcome != 'ok') AS errors,
          SUM(input_units) AS inputUnits, SUM(output_units) AS outputUnits, SUM(latency_ms) AS latencyMs
         FROM usage_events ${where} GROUP BY model, task ORDER BY requests DESC`,
      )
      .all(...values) as UsageTotals[];
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
  add("model = ? COLLATE NOCASE", query.model);
  add("caller = ? COLLATE NOCASE", query.caller);
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values };
}
