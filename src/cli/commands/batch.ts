import { readFile, writeFile } from "node:fs/promises";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { readTable, tableFormatOf } from "../../evaluation/parse-table.ts";
import { createHangar } from "../../hangar.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import {
  estimateCharacters,
  inputColumn,
  runTable,
  type TableRowResult,
} from "../../workflows/batch/run-table.ts";
import type { Command } from "../command.ts";
import { ProgressBar } from "../progress.ts";

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The best label and its score, when the output is a list of `{label, score}` (classification tasks). */
function topLabel(output: unknown): { label: unknown; score: unknown } | undefined {
  const first = Array.isArray(output) ? output[0] : undefined;
  return first && typeof first === "object" && "label" in first
    ? { label: (first as { label: unknown }).label, score: (first as { score?: unknown }).score }
    : undefined;
}

/** JSON Lines (one object per row) or CSV (row, input, label, score, output, error). */
function formatResults(results: TableRowResult[], path: string): string {
  if (path.toLowerCase().endsWith(".csv")) {
    const lines = ["row,input,label,score,output,error"];
    for (const result of results) {
      const top = topLabel(result.output);
      lines.push(
        [result.row, result.input, top?.label, top?.score, result.output, result.error?.message]
          .map(csvCell)
          .join(","),
      );
    }
    return `${lines.join("\n")}\n`;
  }
  return results
    .map((result) =>
      JSON.stringify({ row: result.row, input: result.input, output: result.output, error: result.error }),
    )
    .map((line) => `${line}\n`)
    .join("");
}

function formatEta(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

export const batchRunCommand: Command = {
  name: ["batch", "run"],
  summary: "Run a model of this Hangar over every row of a CSV, JSONL or Parquet file (no server needed)",
  usesHome: true,
  options: {
    model: { type: "string", description: "The model repo id", valueName: "MODEL" },
    task: { type: "string", description: "The task, e.g. text-classification", valueName: "TASK" },
    input: { type: "string", description: "A .csv, .tsv, .jsonl or .parquet file", valueName: "FILE" },
    output: { type: "string", description: "Where the results go: a .jsonl or .csv file", valueName: "FILE" },
    column: {
      type: "string",
      description: "The column holding the inputs (default: inputs, text, input or the only column)",
      valueName: "NAME",
    },
    concurrency: { type: "string", description: "Rows in flight at once (default 8)", valueName: "N" },
  },
  async run({ values, config, json, stdout, stderr }) {
    const required = (name: "model" | "task" | "input" | "output") => {
      const value = values[name];
      if (typeof value !== "string" || value === "") {
        throw badRequest(
          `--${name} is required: hangar batch run --model M --task T --input FILE --output FILE`,
        );
      }
      return value;
    };
    const [model, task, input, output] = [
      required("model"),
      required("task"),
      required("input"),
      required("output"),
    ];
    const format = tableFormatOf(input);
    if (!format) throw badRequest(`--input: ${input} is not a .csv, .tsv, .jsonl or .parquet file`);
    if (!/\.(jsonl|csv)$/i.test(output)) throw badRequest(`--output: ${output} must end in .jsonl or .csv`);
    const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw badRequest("--concurrency must be a whole number from 1");
    const table = await readTable(await readFile(input), format, input);
    const column = inputColumn(table, typeof values.column === "string" ? values.column : undefined);
    const estimate = {
      rows: table.rows.length,
      input_characters: estimateCharacters(table.rows.map((row) => row[column])),
    };
    if (!json) {
      stderr.write(
        `Estimate: ${countNoun(estimate.rows, "row")}, ${countNoun(estimate.input_characters, "input character")}\n`,
      );
    }
    const hangar = await createHangar(config);
    const bar = new ProgressBar(stderr, "batch");
    const started = Date.now();
    try {
      const results = await runTable({
        runtime: hangar.inference,
        caller: localAdministrator(),
        model,
        task,
        table,
        column,
        concurrency,
        onProgress: (done, total) => {
          const elapsed = Date.now() - started;
          const eta = done > 0 ? ((total - done) * elapsed) / done : 0;
          bar.update(done, total, `${done}/${total} ETA ${formatEta(eta)}`);
        },
      });
      bar.finish();
      await writeFile(output, formatResults(results, output));
      const failed = results.filter((result) => result.error).length;
      const metered = {
        input_units: results.reduce((sum, result) => sum + result.inputUnits, 0),
        output_units: results.reduce((sum, result) => sum + result.outputUnits, 0),
      };
      const summary = {
        output,
        rows: results.length,
        completed: results.length - failed,
        failed,
        estimate,
        metered,
        seconds: (Date.now() - started) / 1000,
      };
      if (json) stdout.write(`${JSON.stringify(summary)}\n`);
      else {
        stdout.write(
          `Wrote ${countNoun(results.length, "row")} to ${output}: ${summary.completed} answered, ${failed} failed; metered ${metered.input_units} input and ${metered.output_units} output units in ${summary.seconds.toFixed(1)} s\n`,
        );
      }
      return failed > 0 ? 1 : 0;
    } finally {
      await hangar.close();
    }
  },
};
