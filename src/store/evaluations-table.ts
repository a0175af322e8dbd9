import type {
  EvaluationDetails,
  EvaluationQuery,
  NewEvaluation,
  StoredEvaluation,
} from "../core/catalog-types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

interface RawEvaluation {
  id: number;
  model_repo_pk: number;
  model: string;
  model_commit: string;
  dataset_repo_pk: number;
  dataset: string;
  dataset_commit: string;
  dataset_file: string;
  task: string;
  text_column: string;
  label_column: string;
  examples: number;
  skipped_rows: number;
  example_limit: number | null;
  details: string;
  duration_ms: number;
  created_at: string;
  measured_by: string;
  hangar_version: string;
}

/**
 * The `evaluation_runs` and `evaluation_scores` tables. A run and its scores are written in one
 * transaction, so a run is either there with every metric or not there at all. Runs go with their model's
 * or dataset's repo when it is deleted; model and dataset ids are read from `repos`, so a moved repo keeps
 * its measurements under its new name.
 */
export class EvaluationsTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Records a run and its scores; call it inside a transaction so both land together. */
  async record(run: NewEvaluation): Promise<StoredEvaluation> {
    const row = await this.db.get<{ id: number }>(
      `INSERT INTO evaluation_runs (model_repo_pk, model_commit, dataset_repo_pk, dataset_commit, dataset_file,
        task, text_column, label_column, examples, skipped_rows, example_limit, details, duration_ms, created_at,
        measured_by, hangar_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        run.modelRepoPk,
        run.modelCommit,
        run.datasetRepoPk,
        run.datasetCommit,
        run.datasetFile,
        run.task,
        run.textColumn,
        run.labelColumn,
        run.examples,
        run.skippedRows,
        run.exampleLimit,
        JSON.stringify(run.details),
        run.durationMs,
        run.createdAt,
        run.measuredBy,
        run.hangarVersion,
      ],
    );
    const id = row!.id;
    await this.db.runMany(
      "INSERT INTO evaluation_scores (run_id, metric, value) VALUES (?, ?, ?)",
      Object.entries(run.metrics).map(([metric, value]) => [id, metric, value]),
    );
    return (await this.get(id))!;
  }

  async get(id: number): Promise<StoredEvaluation | undefined> {
    return (await this.select("WHERE r.id = ?", [id], 1))[0];
  }

  /** Runs newest first. */
  list(query: EvaluationQuery = {}, limit = 100): Promise<StoredEvaluation[]> {
    const clauses: string[] = [];
    const values: Array<string | number> = [];
    if (query.modelRepoPk !== undefined) {
      clauses.push("r.model_repo_pk = ?");
      values.push(query.modelRepoPk);
    }
    if (query.datasetRepoPk !== undefined) {
      clauses.push("r.dataset_repo_pk = ?");
      values.push(query.datasetRepoPk);
    }
    if (query.task !== undefined) {
      clauses.push("r.task = ?");
      values.push(query.task);
    }
    return this.select(clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", values, limit);
  }

  private async select(
    where: string,
    values: Array<string | number>,
    limit: number,
  ): Promise<StoredEvaluation[]> {
    const rows = (await this.db.all(
      `SELECT r.*, m.namespace || '/' || m.name AS model, d.namespace || '/' || d.name AS dataset
         FROM evaluation_runs r
         JOIN repos m ON m.pk = r.model_repo_pk
         JOIN repos d ON d.pk = r.dataset_repo_pk
         ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
      [...values, limit],
    )) as RawEvaluation[];
    if (rows.length === 0) return [];
    const scores = (await this.db.all(
      `SELECT run_id AS "runId", metric, value FROM evaluation_scores
         WHERE run_id IN (${rows.map(() => "?").join(", ")}) ORDER BY metric`,
      rows.map((row) => row.id),
    )) as Array<{ runId: number; metric: string; value: number }>;
    const metricsOf = new Map<number, Record<string, number>>();
    for (const score of scores) {
      const metrics = metricsOf.get(score.runId) ?? {};
      metrics[score.metric] = score.value;
      metricsOf.set(score.runId, metrics);
    }
    return rows.map((row) => ({
      id: row.id,
      modelRepoPk: row.model_repo_pk,
      model: row.model,
      modelCommit: row.model_commit,
      datasetRepoPk: row.dataset_repo_pk,
      dataset: row.dataset,
      datasetCommit: row.dataset_commit,
      datasetFile: row.dataset_file,
      task: row.task,
      textColumn: row.text_column,
      labelColumn: row.label_column,
      examples: row.examples,
      skippedRows: row.skipped_rows,
      exampleLimit: row.example_limit,
      metrics: metricsOf.get(row.id) ?? {},
      details: JSON.parse(row.details) as EvaluationDetails,
      durationMs: row.duration_ms,
      createdAt: row.created_at,
      measuredBy: row.measured_by,
      hangarVersion: row.hangar_version,
    }));
  }
}
