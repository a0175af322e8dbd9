import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import {
  type CompareCriteria,
  type Comparison,
  compareModels,
  WEIGHT_NAMES,
} from "../../discovery/compare/compare-models.ts";
import {
  formatBytes,
  formatCount,
  formatMs,
  formatScore,
  formatUsd,
} from "../../discovery/compare/format.ts";
import { localAdministrator } from "../../hub/accounts/principal.ts";
import type { Command } from "../command.ts";
import { withLocalHome, writeJson, writeTable } from "./local-home.ts";

/** `speed=1,quality=2,cost=1` → weights; names are checked by compare itself (400 naming the valid ones). */
export function parseWeights(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of text.split(",").filter((part) => part.trim() !== "")) {
    const [name, value, ...extra] = pair.split("=").map((part) => part.trim());
    const number = Number(value);
    if (!name || value === undefined || value === "" || extra.length > 0 || !Number.isFinite(number)) {
      throw badRequest(
        `--weights takes name=number pairs separated by commas (names: ${WEIGHT_NAMES.join(", ")}), got "${pair}"`,
      );
    }
    weights[name] = number;
  }
  return weights;
}

function positiveNumber(values: Record<string, unknown>, flag: string): number | undefined {
  const value = values[flag];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isFinite(number) || number <= 0) {
    throw badRequest(`--${flag} must be a number above 0`);
  }
  return number;
}

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
      model.speed.requestsPerSecond === null ? "?" : formatScore(model.speed.requestsPerSecond),
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
    row("overall score", (model) => formatScore(model.scores.overall)),
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
  const line = (label: string, pick: { id: string; reason: string } | null, missing: string) =>
    stdout.write(`  ${label.padEnd(18)}${pick ? pick.reason : missing}\n`);
  line("Best for speed:", decision.bestForSpeed, "unknown (no parameter counts or measurements)");
  line("Best for quality:", decision.bestForQuality, "unknown (no evaluation shared by every model)");
  line("Best for cost:", decision.bestForCost, "unknown (no latency or price)");
  line("Best overall:", decision.bestOverall, "unknown");
  if (decision.tradeOffs.length > 0) {
    stdout.write("\nTrade-offs\n");
    for (const tradeOff of decision.tradeOffs) stdout.write(`  - ${tradeOff}\n`);
  }
  const notes = result.models.flatMap((model) => model.notes.map((note) => `${model.id}: ${note}`));
  if (notes.length > 0) {
    stdout.write("\nNotes\n");
    for (const note of notes) stdout.write(`  - ${note}\n`);
  }
}

export const compareCommand: Command = {
  name: ["compare"],
  summary:
    "Compare models side by side: size, memory, fit, licence, quality, speed and cost, with the best picks",
  usage: "<model> <model> [model...]",
  usesHome: true,
  options: {
    task: {
      type: "string",
      description: "Task every model should do, e.g. text-classification",
      valueName: "TASK",
    },
    hardware: {
      type: "string",
      description:
        "Device for fit, speed and cost (SKUS of @huggingface/tasks: T4, A10, A100, RTX 4090, cpu...)",
      valueName: "NAME",
    },
    dtype: {
      type: "string",
      description: "Precision for memory and fit: F32, F16, INT8, INT4",
      valueName: "DTYPE",
    },
    weights: {
      type: "string",
      description: `Weights of the overall score, e.g. speed=1,quality=2 (names: ${WEIGHT_NAMES.join(", ")}; unnamed count 0; default speed=1,quality=1,cost=1)`,
      valueName: "LIST",
    },
    "price-per-hour": {
      type: "string",
      description: "Hardware price in USD per hour (default: an ownership estimate)",
      valueName: "USD",
    },
    "requests-per-month": {
      type: "string",
      description: "Requests a month, for a monthly cost",
      valueName: "N",
    },
    "tokens-per-request": { type: "string", description: "Tokens per request for estimates", valueName: "N" },
  },
  async run({ positionals, values, config, json, stdout }) {
    if (positionals.length < 2) {
      throw badRequest(
        `Compare needs at least 2 models, got ${positionals.length}: hangar compare <model> <model> [model...]`,
      );
    }
    const criteria: CompareCriteria = {};
    if (typeof values.task === "string") criteria.task = values.task;
    if (typeof values.hardware === "string") criteria.hardware = values.hardware;
    if (typeof values.dtype === "string") criteria.dtype = values.dtype;
    if (typeof values.weights === "string") criteria.weights = parseWeights(values.weights);
    const price = positiveNumber(values, "price-per-hour");
    if (price !== undefined) criteria.pricePerHour = price;
    const requests = positiveNumber(values, "requests-per-month");
    if (requests !== undefined) criteria.requestsPerMonth = requests;
    const tokens = positiveNumber(values, "tokens-per-request");
    if (tokens !== undefined) criteria.tokensPerRequest = tokens;
    const result = await withLocalHome(config, (hangar) =>
      compareModels(hangar, localAdministrator(), { models: positionals, criteria }),
    );
    if (json) writeJson(stdout, result);
    else writeComparison(stdout, result);
  },
};
