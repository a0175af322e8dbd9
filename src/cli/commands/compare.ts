import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { type Comparison, compareModels } from "../../discovery/compare/compare-models.ts";
import { COMPARE_OPTIONS, criteriaFromOptions } from "../../discovery/compare/compare-options.ts";
import {
  formatBytes,
  formatCount,
  formatMs,
  formatRate,
  formatScore,
  formatUsd,
} from "../../discovery/compare/format.ts";
import { describeReported } from "../../discovery/compare/quality-basis.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { Command } from "../command.ts";
import { withLocalHome, writeJson, writeTable } from "./local-home.ts";

const or = (value: string | null | undefined) => value ?? "?";

/** Rows of criteria × columns of models. */
export function comparisonRows(result: Comparison): string[][] {
  const models = result.models;
  const row = (label: string, cell: (model: Comparison["models"][number]) => string) => [
    label,
    ...models.map(cell),
  ];
  const quality = result.quality;
  const measured = result.measuredQuality;
  const rows = [
    row("tasks", (model) => model.tasks.join(", ") || "?"),
    ...(result.criteria.task
      ? [
          row(`does ${result.criteria.task}`, (model) =>
            model.taskFit === null ? "?" : model.taskFit ? "yes" : "no",
          ),
        ]
      : []),
    row("parameters", (model) => (model.parameters === null ? "?" : formatCount(model.parameters))),
    row("storage", (model) =>
      model.storageBytes === null ? "no files here" : formatBytes(model.storageBytes),
    ),
    ...["F32", "F16", "INT8", "INT4"].map((dtype) =>
      row(`memory ${dtype}`, (model) =>
        model.memory[dtype] === undefined ? "?" : formatBytes(model.memory[dtype]),
      ),
    ),
    row(`fits ${result.criteria.hardware.name} (${result.criteria.dtype})`, (model) =>
      model.hardwareFit.fits === null ? "?" : model.hardwareFit.fits ? "yes" : "no",
    ),
    row("licence", (model) => or(model.license)),
    row("commercial use", (model) => or(model.commercialUse)),
    row("languages", (model) => model.languages.slice(0, 6).join(", ") || "?"),
    // When no dataset is scored for every model, each model's own card scores show why quality is unknown.
    ...(quality && quality.models.length < models.length
      ? [row("scores in card", (model) => describeReported(model.evaluations.reported, 1) || "-")]
      : []),
    ...(quality
      ? [
          row(`${quality.dataset} ${quality.metric} (reported)`, (model) => {
            const score = model.evaluations.reported.find(
              (entry) => entry.dataset === quality.dataset && entry.metric === quality.metric,
            );
            return score ? formatScore(score.value) : "-";
          }),
        ]
      : []),
    ...(measured
      ? [
          row(
            `${measured.dataset} ${measured.metric} (measured, ${countNoun(measured.examples, "example")})`,
            (model) => {
              const score = model.evaluations.measured.find(
                (entry) =>
                  entry.atHead &&
                  entry.dataset === measured.dataset &&
                  entry.datasetCommit === measured.datasetCommit &&
                  entry.file === measured.file &&
                  entry.examples === measured.examples &&
                  entry.metric === measured.metric,
              );
              return score ? formatScore(score.value) : "-";
            },
          ),
        ]
      : []),
    row(`latency (${result.speedBasis ?? "unknown"})`, (model) =>
      model.speed.latencyMs === null ? "?" : formatMs(model.speed.latencyMs),
    ),
    row("requests/s", (model) =>
      model.speed.requestsPerSecond === null ? "?" : formatRate(model.speed.requestsPerSecond),
    ),
    row("cost / 1,000 req", (model) =>
      model.cost.per1kRequestsUsd === null ? "?" : formatUsd(model.cost.per1kRequestsUsd),
    ),
    ...(result.criteria.requestsPerMonth !== null
      ? [
          row("cost / month", (model) =>
            model.cost.perMonthUsd === null ? "?" : formatUsd(model.cost.perMonthUsd),
          ),
        ]
      : []),
    row("overall score", (model) =>
      model.scores.overall === null ? "?" : formatScore(model.scores.overall),
    ),
  ];
  return rows;
}

export function writeComparison(stdout: NodeJS.WritableStream, result: Comparison): void {
  writeTable(stdout, ["", ...result.models.map((model) => model.id)], comparisonRows(result), "");
  const hardware = result.criteria.hardware;
  stdout.write(
    `\nHardware: ${hardware.name}${hardware.assumed ? " (assumed; choose with --hardware)" : ""}, ` +
      `${countNoun(result.criteria.tokensPerRequest, "token")} per request; price: ${result.criteria.price.note}\n`,
  );
  const decision = result.decision;
  stdout.write("\nDecision\n");
  const line = (label: string, pick: { id: string; reason: string } | null, missing: string | undefined) =>
    stdout.write(`  ${label.padEnd(18)}${pick ? pick.reason : (missing ?? "unknown")}\n`);
  line("Best for speed:", decision.bestForSpeed, decision.undecided.speed);
  line("Best for quality:", decision.bestForQuality, decision.undecided.quality);
  line("Best for cost:", decision.bestForCost, decision.undecided.cost);
  line("Best overall:", decision.bestOverall, decision.undecided.overall);
  if (decision.tradeOffs.length > 0) {
    stdout.write("\nTrade-offs\n");
    for (const tradeOff of decision.tradeOffs) stdout.write(`  - ${tradeOff}\n`);
  }
  const notes = result.models.flatMap((model) => model.notes.map((note) => `${model.id}: ${note}`));
  if (notes.length > 0) {
    stdout.write("\nNotes\n");
    for (const note of notes) stdout.write(`  - ${note}\n`);
  }
  stdout.write("\nAssumptions\n");
  for (const assumption of result.assumptions) stdout.write(`  - ${assumption}\n`);
}

export const compareCommand: Command = {
  name: ["compare"],
  summary:
    "Compare models side by side: size, memory, fit, licence, quality, speed and cost, with the best picks",
  usage: "<model> <model> [model...]",
  usesHome: true,
  // The options of POST /v1/compare, under the same names (vocabulary as data).
  options: Object.fromEntries(
    COMPARE_OPTIONS.map((option) => [
      option.flag,
      { type: "string", description: option.description, valueName: option.valueName },
    ]),
  ),
  async run({ positionals, values, config, json, stdout }) {
    if (positionals.length < 2) {
      throw badRequest(
        `Compare needs at least 2 models, got ${positionals.length}: hangar compare <model> <model> [model...]`,
      );
    }
    const criteria = criteriaFromOptions(
      (option) => values[option.flag],
      (option) => `--${option.flag}`,
    );
    const result = await withLocalHome(config, (hangar) =>
      compareModels(hangar, localAdministrator(), { models: positionals, criteria }),
    );
    if (json) writeJson(stdout, result);
    else writeComparison(stdout, result);
  },
};
