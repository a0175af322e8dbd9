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
import { CONNECTION_OPTIONS, connectionOf, requiredPositional, stringOption } from "../client/cli-options.ts";
import { hubRequest } from "../client/hub-client.ts";
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

interface ApiBatchSummary {
  id: string;
  status: string;
  endpoint: string;
  created_at: number;
  request_counts: { total: number; completed: number; failed: number };
  output_file_id: string | null;
  error_file_id: string | null;
}

/** A Batch API call on a running Hangar; OpenAI-shaped errors become their message. */
async function batchApi<T>(input: Parameters<Command["run"]>[0], method: string, path: string): Promise<T> {
  const connection = connectionOf(input);
  try {
    return await hubRequest<T>(
      connection,
      method,
      `${connection.hubUrl}${path}`,
      method === "POST" ? {} : undefined,
    );
  } catch (error) {
    const data = (error as { data?: { error?: { message?: unknown } } }).data;
    if (typeof data?.error?.message === "string") (error as Error).message = data.error.message;
    throw error;
  }
}

function batchLine(batch: ApiBatchSummary): string {
  const counts = batch.request_counts;
  return `${batch.id}\t${batch.status}\t${batch.endpoint}\t${counts.completed + counts.failed}/${counts.total} done, ${counts.failed} failed\t${new Date(batch.created_at * 1000).toISOString()}`;
}

export const batchListCommand: Command = {
  name: ["batch", "list"],
  summary: "List your batch jobs on a running Hangar, newest first",
  options: {
    ...CONNECTION_OPTIONS,
    limit: { type: "string", description: "At most this many (1-100, default 20)", valueName: "N" },
  },
  async run(input) {
    const limit = stringOption(input, "limit");
    const page = await batchApi<{ data: ApiBatchSummary[] }>(
      input,
      "GET",
      `/v1/batches${limit ? `?limit=${encodeURIComponent(limit)}` : ""}`,
    );
    if (input.json) input.stdout.write(`${JSON.stringify(page)}\n`);
    else for (const batch of page.data) input.stdout.write(`${batchLine(batch)}\n`);
  },
};

export const batchShowCommand: Command = {
  name: ["batch", "show"],
  summary: "Show one of your batch jobs on a running Hangar",
  usage: "<batch_id>",
  options: CONNECTION_OPTIONS,
  async run(input) {
    const id = requiredPositional(input, 0, "batch_id");
    const batch = await batchApi<ApiBatchSummary & Record<string, unknown>>(
      input,
      "GET",
      `/v1/batches/${encodeURIComponent(id)}`,
    );
    if (input.json) input.stdout.write(`${JSON.stringify(batch)}\n`);
    else {
      input.stdout.write(`${batchLine(batch)}\n`);
      if (batch.output_file_id) input.stdout.write(`output file: ${batch.output_file_id}\n`);
      if (batch.error_file_id) input.stdout.write(`error file: ${batch.error_file_id}\n`);
      input.stdout.write(
        `estimate: ${JSON.stringify(batch.estimate)}\nmetered: ${JSON.stringify(batch.metered)}\n`,
      );
    }
  },
};

export const batchCancelCommand: Command = {
  name: ["batch", "cancel"],
  summary: "Cancel one of your batch jobs on a running Hangar",
  usage: "<batch_id>",
  options: CONNECTION_OPTIONS,
  async run(input) {
    const id = requiredPositional(input, 0, "batch_id");
    const batch = await batchApi<ApiBatchSummary>(
      input,
      "POST",
      `/v1/batches/${encodeURIComponent(id)}/cancel`,
    );
    input.stdout.write(input.json ? `${JSON.stringify(batch)}\n` : `${batchLine(batch)}\n`);
  },
};
