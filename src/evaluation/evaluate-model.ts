import { badRequest, HangarError } from "../core/errors.ts";
import { nowIso } from "../core/time.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import type { InferenceRuntime } from "../inference/inference-runtime.ts";
import { classNamesOf } from "./class-names.ts";
import { textClassificationEvaluation, zeroShotClassificationEvaluation } from "./classification-task.ts";
import { type Evaluation, HANGAR_VERSION, toEvaluation } from "./evaluation-record.ts";
import type { EvaluationTask } from "./evaluation-task.ts";
import { findReadableRepo, readDatasetFile } from "./read-dataset-file.ts";
import { tokenClassificationEvaluation } from "./token-classification-task.ts";

/** What evaluation works on: the hub's storage and the local inference runtime that runs the model. */
export interface EvaluationContext extends HubContext {
  inference: InferenceRuntime;
}

/** The tasks Hangar evaluates, in the order it picks one when a model does several. */
export const EVALUATION_TASKS: readonly EvaluationTask[] = [
  textClassificationEvaluation,
  tokenClassificationEvaluation,
  zeroShotClassificationEvaluation,
];
export const EVALUATION_TASK_NAMES = EVALUATION_TASKS.map((task) => task.task);

export interface EvaluateModelParams {
  /** A model repo this Hangar can run locally, `namespace/name`. */
  model: string;
  /** A dataset repo holding a labelled CSV, TSV, JSON Lines or Parquet file. */
  dataset: string;
  /** Branch, tag or commit of the model; `main` by default. */
  revision?: string;
  /** Branch, tag or commit of the dataset; `main` by default. */
  datasetRevision?: string;
  /** Path of the labelled file in the dataset repo; by default its only table file, or its only test file. */
  file?: string;
  /** The task to evaluate; by default the model's pipeline task, or the first task of the model Hangar evaluates. */
  task?: string;
  textColumn?: string;
  labelColumn?: string;
  /** Evaluate on the first N usable examples only. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function chooseTask(modelId: string, modelTasks: string[], pipelineTag: string | null, requested?: string) {
  const evaluable = (task: string) => EVALUATION_TASKS.find((entry) => entry.task === task);
  if (requested !== undefined) {
    const task = evaluable(requested);
    if (!task) {
      throw badRequest(
        `Hangar cannot evaluate "${requested}": it evaluates ${EVALUATION_TASK_NAMES.join(", ")}`,
      );
    }
    if (!modelTasks.includes(requested)) {
      throw badRequest(`Model ${modelId} cannot do ${requested}; it can do: ${modelTasks.join(", ")}`, {
        details: { tasks: modelTasks },
      });
    }
    return task;
  }
  const preferred = pipelineTag && modelTasks.includes(pipelineTag) ? evaluable(pipelineTag) : undefined;
  const task = preferred ?? EVALUATION_TASKS.find((entry) => modelTasks.includes(entry.task));
  if (!task) {
    throw badRequest(
      `Model ${modelId} does ${modelTasks.join(", ")}: Hangar evaluates ${EVALUATION_TASK_NAMES.join(", ")}`,
      { details: { tasks: modelTasks } },
    );
  }
  return task;
}

function chooseColumn(
  columns: string[],
  requested: string | undefined,
  defaults: readonly string[],
  what: "text" | "label",
  where: string,
  help: string,
): string {
  const flag = what === "text" ? "textColumn" : "labelColumn";
  const known = `its columns are: ${columns.join(", ") || "none"}`;
  if (requested !== undefined) {
    if (!columns.includes(requested)) {
      throw badRequest(`${where} has no column "${requested}"; ${known}`, { details: { columns } });
    }
    return requested;
  }
  const found = defaults.find((name) => columns.includes(name));
  if (!found) {
    throw badRequest(
      `${where} has no ${what} column (looked for ${defaults.join(", ")}); ${known}. ` +
        `Name it with ${flag} (the task needs ${help})`,
      { details: { columns } },
    );
  }
  return found;
}

/**
 * Measures a model on a labelled file of a dataset repo with the local inference runtime, one request per
 * example, and records the run (model and dataset commits, file, metrics, examples, date, Hangar version)
 * in the catalog. Nothing is recorded when anything fails: the run is written only once every example has
 * been answered.
 */
export async function evaluateModel(
  context: EvaluationContext,
  caller: Caller,
  params: EvaluateModelParams,
): Promise<Evaluation> {
  if (
    params.limit !== undefined &&
    (typeof params.limit !== "number" || !Number.isSafeInteger(params.limit) || params.limit < 1)
  ) {
    throw badRequest("limit must be a whole number of examples, at least 1");
  }
  const modelRepo = await findReadableRepo(context, caller, params.model, "model");
  if (!modelRepo.sha && params.revision === undefined) {
    throw badRequest(
      `Model ${modelRepo.id} has no files on this Hangar${modelRepo.origin === "upstream" ? ` (a catalog entry only: hangar pull ${modelRepo.id})` : ""}`,
    );
  }
  const resolved = await context.inference.resolveModel(caller, modelRepo.id, params.revision ?? "main");
  const task = chooseTask(modelRepo.id, resolved.tasks, modelRepo.pipelineTag, params.task);
  const modelCommit = resolved.source.commit.oid;

  const dataset = await readDatasetFile(context, caller, {
    dataset: params.dataset,
    ...(params.datasetRevision !== undefined ? { revision: params.datasetRevision } : {}),
    ...(params.file !== undefined ? { file: params.file } : {}),
  });
  const where = `${dataset.path} of dataset ${dataset.repo.id}`;
  if (dataset.table.rows.length === 0) {
    throw badRequest(`${where} has no rows: there is nothing to evaluate on`);
  }
  const textColumn = chooseColumn(
    dataset.table.columns,
    params.textColumn,
    task.textColumns,
    "text",
    where,
    task.columnsHelp,
  );
  const labelColumn = chooseColumn(
    dataset.table.columns,
    params.labelColumn,
    task.labelColumns,
    "label",
    where,
    task.columnsHelp,
  );
  if (textColumn === labelColumn) throw badRequest(`The text and label columns are both "${textColumn}"`);

  const classNames = classNamesOf(dataset.cardData, labelColumn);
  const started = performance.now();
  const outcome = await task.run({
    rows: dataset.table.rows,
    textColumn,
    labelColumn,
    path: dataset.path,
    ...(classNames ? { classNames } : {}),
    limit: params.limit,
    // Pinned to the resolved commit: a push to the model during the run does not mix two models.
    predict: async (inputs, parameters) => {
      const result = await context.inference.run({
        caller,
        model: modelRepo.id,
        revision: modelCommit,
        task: task.task,
        inputs,
        parameters,
        api: "library",
        ...(params.signal ? { signal: params.signal } : {}),
      });
      return result.outputs;
    },
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  if (params.signal?.aborted) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "The evaluation was cancelled", { status: 499 });
  }
  // The run and its scores land together or not at all.
  const record = {
    modelRepoPk: modelRepo.pk,
    modelCommit,
    datasetRepoPk: dataset.repo.pk,
    datasetCommit: dataset.commit,
    datasetFile: dataset.path,
    task: task.task,
    textColumn,
    labelColumn,
    examples: outcome.examples,
    skippedRows: outcome.skippedRows,
    exampleLimit: params.limit ?? null,
    metrics: outcome.metrics,
    details: outcome.details,
    durationMs: performance.now() - started,
    createdAt: nowIso(),
    measuredBy: "hangar",
    hangarVersion: HANGAR_VERSION,
  };
  const stored = await context.catalog.transaction((tx) => tx.evaluations.record(record));
  return toEvaluation(stored);
}
