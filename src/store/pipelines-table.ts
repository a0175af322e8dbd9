import type { SqlExecutor } from "./sql/sql-database.ts";

export interface PipelineRow {
  owner: string;
  name: string;
  /** The definition as JSON. */
  definition: string;
  createdMs: number;
  updatedMs: number;
}

export interface PipelineRunRow {
  id: string;
  owner: string;
  pipeline: string;
  status: string;
  startedMs: number;
  finishedMs: number | null;
  /** The run's inputs, outputs and per-step trace, as JSON. */
  record: string;
}

/** The `pipelines`, `pipeline_runs` and `pipeline_step_cache` tables (src/workflows/pipelines). */
export class PipelinesTable {
  constructor(private readonly db: SqlExecutor) {}

  async save(row: PipelineRow): Promise<void> {
    await this.db.run(
      `INSERT INTO pipelines (owner, name, definition, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (owner, name) DO UPDATE SET definition = excluded.definition, updated_ms = excluded.updated_ms`,
      [row.owner, row.name, row.definition, row.createdMs, row.updatedMs],
    );
  }

  async get(owner: string, name: string): Promise<PipelineRow | undefined> {
    return this.db.get<PipelineRow>(
      `SELECT owner, name, definition, created_ms AS "createdMs", updated_ms AS "updatedMs"
       FROM pipelines WHERE owner = ? AND name = ?`,
      [owner, name],
    );
  }

  async list(owner: string): Promise<PipelineRow[]> {
    return this.db.all<PipelineRow>(
      `SELECT owner, name, definition, created_ms AS "createdMs", updated_ms AS "updatedMs"
       FROM pipelines WHERE owner = ? ORDER BY name`,
      [owner],
    );
  }

  async saveRun(row: PipelineRunRow): Promise<void> {
    await this.db.run(
      `INSERT INTO pipeline_runs (id, owner, pipeline, status, started_ms, finished_ms, record)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, finished_ms = excluded.finished_ms,
         record = excluded.record`,
      [row.id, row.owner, row.pipeline, row.status, row.startedMs, row.finishedMs, row.record],
    );
  }

  async getRun(id: string): Promise<PipelineRunRow | undefined> {
    return this.db.get<PipelineRunRow>(
      `SELECT id, owner, pipeline, status, started_ms AS "startedMs", finished_ms AS "finishedMs", record
       FROM pipeline_runs WHERE id = ?`,
      [id],
    );
  }

  async cachedOutput(key: string): Promise<string | undefined> {
    return (
      await this.db.get<{ output: string }>("SELECT output FROM pipeline_step_cache WHERE key = ?", [key])
    )?.output;
  }

  async cacheOutput(key: string, output: string, now: number): Promise<void> {
    await this.db.run(
      "INSERT INTO pipeline_step_cache (key, output, created_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
      [key, output, now],
    );
  }
}
