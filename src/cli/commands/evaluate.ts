import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import {
  EVALUATION_TASK_NAMES,
  type EvaluateModelParams,
  evaluateModel,
} from "../../evaluation/evaluate-model.ts";
import type { Evaluation } from "../../evaluation/evaluation-record.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { Command } from "../command.ts";
import { ProgressBar } from "../progress.ts";
import { expectPositionals, withLocalHome, writeJson, writeTable } from "./local-home.ts";

const score = (value: number) => value.toFixed(4);

export function writeEvaluation(stdout: NodeJS.WritableStream, evaluation: Evaluation): void {
  stdout.write(
    `${evaluation.model} on ${evaluation.dataset} (${evaluation.file}), ${evaluation.task}: measured by Hangar\n\n`,
  );
  writeTable(
    stdout,
    ["metric", "value"],
    Object.entries(evaluation.metrics).map(([metric, value]) => [metric, score(value)]),
    "no metrics",
  );
  const perLabel = evaluation.details.perLabel ?? {};
  if (Object.keys(perLabel).length > 0) {
    stdout.write("\n");
    writeTable(
      stdout,
      ["label", "precision", "recall", "f1", "support"],
      Object.entries(perLabel).map(([label, figures]) => [
        label,
        score(figures.precision),
        score(figures.recall),
        score(figures.f1),
        String(figures.support),
      ]),
      "",
    );
  }
  const skipped = evaluation.skippedRows
    ? `, ${countNoun(evaluation.skippedRows, "row")} without text or label skipped`
    : "";
  stdout.write(
    `\nExamples: ${evaluation.examples}${evaluation.limit !== null ? ` (limit ${evaluation.limit})` : ""}${skipped}\n` +
      `Model:    ${evaluation.model}@${evaluation.modelCommit}\n` +
      `Dataset:  ${evaluation.dataset}@${evaluation.datasetCommit} ${evaluation.file} ` +
      `(text column ${evaluation.columns.text}, label column ${evaluation.columns.label})\n` +
      `Run:      evaluation ${evaluation.id}, ${evaluation.createdAt}, ${(evaluation.durationMs / 1000).toFixed(1)} s, Hangar ${evaluation.hangarVersion}\n`,
  );
  for (const note of evaluation.details.notes ?? []) stdout.write(`  - ${note}\n`);
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || number < 1) {
    throw badRequest(`--${flag} must be a whole number of at least 1, got "${value}"`);
  }
  return number;
}

export const evaluateCommand: Command = {
  name: ["evaluate"],
  summary:
    "Measure a local model on a labelled dataset repo (accuracy and macro-F1, or entity F1) and record the run",
  usage: "<model> <dataset>",
  usesHome: true,
  options: {
    file: {
      type: "string",
      description:
        "CSV, TSV, JSON Lines or Parquet file in the dataset repo (default: its only one, or its test file)",
      valueName: "PATH",
    },
    "text-column": {
      type: "string",
      description: "Column with the input (default: text, sentence...; tokens for token-classification)",
      valueName: "NAME",
    },
    "label-column": {
      type: "string",
      description:
        "Column with the gold label (default: label, labels...; ner_tags, tags for token-classification)",
      valueName: "NAME",
    },
    task: {
      type: "string",
      description: `Task to evaluate: ${EVALUATION_TASK_NAMES.join(", ")} (default: the model's)`,
      valueName: "TASK",
    },
    limit: { type: "string", description: "Evaluate on the first N examples only", valueName: "N" },
    revision: {
      type: "string",
      description: "Branch, tag or commit of the model (default main)",
      valueName: "REV",
    },
    "dataset-revision": {
      type: "string",
      description: "Branch, tag or commit of the dataset (default main)",
      valueName: "REV",
    },
  },
  async run({ positionals, values, config, json, stdout, stderr }) {
    const [model, dataset] = expectPositionals(positionals, 2, "<model> <dataset>");
    const params: EvaluateModelParams = { model: model!, dataset: dataset! };
    const strings = {
      file: "file",
      "text-column": "textColumn",
      "label-column": "labelColumn",
      task: "task",
      revision: "revision",
      "dataset-revision": "datasetRevision",
    } as const;
    for (const [flag, field] of Object.entries(strings)) {
      const value = values[flag];
      if (typeof value === "string") params[field] = value;
    }
    const limit = positiveInteger(values.limit, "limit");
    if (limit !== undefined) params.limit = limit;
    const progress = new ProgressBar(stderr, "Evaluating");
    const evaluation = await withLocalHome(config, async (hangar) => {
      try {
        return await evaluateModel(hangar, localAdministrator(), {
          ...params,
          onProgress: (done, total) => progress.update(done, total, `${done}/${countNoun(total, "example")}`),
        });
      } finally {
        progress.finish();
      }
    });
    if (json) writeJson(stdout, evaluation);
    else writeEvaluation(stdout, evaluation);
  },
};
