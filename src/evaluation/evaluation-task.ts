import type { EvaluationDetails } from "../core/catalog-types.ts";
import { badRequest } from "../core/errors.ts";

/** Runs the model under evaluation on one input (one request to the local inference runtime). */
export type Predict = (inputs: unknown, parameters: Record<string, unknown>) => Promise<unknown>;

export interface TaskInput {
  rows: Array<Record<string, unknown>>;
  textColumn: string;
  labelColumn: string;
  /** The file's path, for errors that name a row. */
  path: string;
  /** The label column's class names from the dataset card, when it stores class ids (see class-names.ts). */
  classNames?: readonly string[];
  /** Evaluate the first `limit` usable examples only. */
  limit: number | undefined;
  predict: Predict;
  onProgress?: (done: number, total: number) => void;
}

export interface TaskOutcome {
  examples: number;
  skippedRows: number;
  metrics: Record<string, number>;
  details: EvaluationDetails;
}

/** One task Hangar can evaluate: which columns it reads and how it scores a model's answers. */
export interface EvaluationTask {
  task: string;
  /** Column names tried in order when the caller names no text column. */
  textColumns: readonly string[];
  /** Column names tried in order when the caller names no label column. */
  labelColumns: readonly string[];
  /** What the two columns hold, for errors and help. */
  columnsHelp: string;
  run(input: TaskInput): Promise<TaskOutcome>;
}

/**
 * The usable examples of the rows, at most `limit`: rows that `toExample` returns null for (empty text or
 * label) are counted as skipped. No usable example is a 400: there is nothing to measure.
 */
export function usableExamples<T>(
  input: TaskInput,
  toExample: (row: Record<string, unknown>, rowNumber: number) => T | null,
): { examples: T[]; skippedRows: number } {
  const examples: T[] = [];
  let skippedRows = 0;
  for (const [index, row] of input.rows.entries()) {
    if (input.limit !== undefined && examples.length >= input.limit) break;
    const example = toExample(row, index + 1);
    if (example === null) skippedRows++;
    else examples.push(example);
  }
  if (examples.length === 0) {
    throw badRequest(
      input.rows.length === 0
        ? `${input.path} has no rows: there is nothing to evaluate on`
        : `${input.path} has no row with both a ${input.textColumn} and a ${input.labelColumn}: there is nothing to evaluate on`,
    );
  }
  return { examples, skippedRows };
}

/** A cell as text: strings as they are, numbers and booleans written out, anything else (null, lists) null. */
export function cellText(value: unknown): string | null {
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}
