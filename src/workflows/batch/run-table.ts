import { HangarError } from "../../core/errors.ts";
import type { Table } from "../../evaluation/parse-table.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { InferenceApi, InferenceRuntime } from "../../inference/inference-runtime.ts";

/** One row's answer: the task's outputs, or the error that row met (the run goes on). */
export interface TableRowResult {
  row: number;
  input: unknown;
  output: unknown;
  error: { code: string; message: string } | null;
  inputUnits: number;
  outputUnits: number;
}

export interface RunTableParams {
  runtime: Pick<InferenceRuntime, "run" | "router">;
  caller: Caller;
  model: string;
  task: string;
  table: Table;
  /** The column holding each row's inputs; by default `inputs`, `text`, `input` or the only column. */
  column?: string;
  parameters?: Record<string, unknown>;
  concurrency?: number;
  api?: InferenceApi;
  /** Called as rows finish: how many are done, and of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** The column to read inputs from, or a 400 naming the columns there are. */
export function inputColumn(table: Table, requested: string | undefined): string {
  if (requested !== undefined) {
    if (!table.columns.includes(requested)) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `--column: the file has no column "${requested}"; its columns: ${table.columns.join(", ")}`,
      );
    }
    return requested;
  }
  for (const name of ["inputs", "text", "input"]) if (table.columns.includes(name)) return name;
  if (table.columns.length === 1) return table.columns[0]!;
  throw new HangarError(
    "HANGAR_ERR_BAD_REQUEST",
    `--column is needed: the file has no inputs, text or input column (its columns: ${table.columns.join(", ")})`,
  );
}

/** Characters of a row's texts: the estimate made before the run, in the meter's character unit. */
export function estimateCharacters(values: unknown[]): number {
  const count = (value: unknown): number =>
    typeof value === "string"
      ? value.length
      : Array.isArray(value)
        ? value.reduce((sum: number, item) => sum + count(item), 0)
        : value && typeof value === "object"
          ? Object.values(value).reduce((sum: number, item) => sum + count(item), 0)
          : 0;
  return values.reduce((sum: number, value) => sum + count(value), 0);
}

/**
 * Runs a model over every row of a table, `concurrency` rows in flight (the inference queue batches them),
 * keeping row order; a row that fails carries its error and the others go on.
 */
export async function runTable(params: RunTableParams): Promise<TableRowResult[]> {
  const column = inputColumn(params.table, params.column);
  const rows = params.table.rows;
  const results: TableRowResult[] = new Array(rows.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const index = next++;
      const input = rows[index]![column];
      try {
        const result = await params.runtime.run({
          caller: params.caller,
          model: params.model,
          task: params.task,
          inputs: input,
          parameters: params.parameters ?? {},
          api: params.api ?? "cli",
        });
        results[index] = {
          row: index + 1,
          input,
          output: result.outputs,
          error: null,
          inputUnits: result.usage.input_units,
          outputUnits: result.usage.output_units,
        };
      } catch (thrown) {
        const error = HangarError.isInstance(thrown)
          ? { code: thrown.code, message: thrown.message }
          : { code: "HANGAR_ERR_INTERNAL", message: (thrown as Error)?.message ?? String(thrown) };
        results[index] = { row: index + 1, input, output: null, error, inputUnits: 0, outputUnits: 0 };
      }
      params.onProgress?.(++done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, params.concurrency ?? 8) }, worker));
  return results;
}
