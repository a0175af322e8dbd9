/**
 * `npm run bench:recommend`: how well the recommender understands which task a description asks for, on the
 * held-out descriptions in data/recommend-eval/ (see its README). The test split is only ever measured here,
 * never used to train or tune. Prints, for each split, top-1 and top-3 task accuracy (a first task counts as
 * right when it is the labelled task or one of the item's `accept` tasks; "strict" counts the labelled task
 * only), accuracy per writing style, calibration of the first task's confidence by bins (expected calibration
 * error), how often the answer says it is unsure and how right it is then, the per-task confusion of the test
 * split, the time to train the task model and to read one description. Every figure goes through
 * `parseDescription`, the same path `POST /v1/recommend` takes. With `RECOMMEND_BENCH_FIT=1` it also fits
 * the confidence temperature again: 5-fold out-of-fold predictions over the training descriptions (never
 * the evaluation splits), and the temperature with the lowest log-loss on them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDescription } from "../src/discovery/recommend/parse-description.ts";
import { LOW_CONFIDENCE } from "../src/discovery/recommend/recognise-tasks.ts";
import { readTaskCorpus } from "../src/discovery/recommend/task-corpus.ts";
import { DEFAULT_TASK_MODEL_SETTINGS, trainTaskModel } from "../src/discovery/recommend/task-model.ts";
import { getTaskModel } from "../src/discovery/recommend/task-model-cache.ts";
import { shuffle } from "../src/discovery/recommend/train-sparse-softmax.ts";
import { seededRandom } from "../src/hub/catalog/generate-catalog.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { percentile, round } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";

const EVALUATION_SETS = [
  { name: "first", directory: join(import.meta.dirname, "..", "data", "recommend-eval") },
  { name: "second", directory: join(import.meta.dirname, "..", "data", "recommend") },
] as const;
const BINS = 5;

interface EvalItem {
  id: string;
  task: string;
  accept?: string[];
  style: string;
  description: string;
}

interface Outcome {
  item: EvalItem;
  predicted: string[];
  confidence: number;
  lowConfidence: boolean;
  top1: boolean;
  strictTop1: boolean;
  top3: boolean;
  ms: number;
}

function readSplit(directory: string, name: "tune" | "test"): EvalItem[] {
  return readFileSync(join(directory, `${name}.jsonl`), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EvalItem);
}

function evaluate(items: EvalItem[]): Outcome[] {
  return items.map((item) => {
    const started = performance.now();
    const parsed = parseDescription(item.description);
    const ms = performance.now() - started;
    const right = new Set([item.task, ...(item.accept ?? [])]);
    const predicted = parsed.taskConfidences.map((entry) => entry.task);
    return {
      item,
      predicted,
      confidence: parsed.taskConfidences[0]!.confidence,
      lowConfidence: parsed.lowConfidence,
      top1: right.has(predicted[0]!),
      strictTop1: predicted[0] === item.task,
      top3: predicted.slice(0, 3).some((task) => right.has(task)),
      ms,
    };
  });
}

const share = (outcomes: Outcome[], test: (outcome: Outcome) => boolean) =>
  outcomes.length === 0 ? 0 : outcomes.filter(test).length / outcomes.length;
const percent = (value: number) => `${round(value * 100, 1)} %`;

interface Summary {
  descriptions: number;
  tasks: number;
  top1: number;
  strictTop1: number;
  top3: number;
  expectedCalibrationError: number;
  lowConfidenceShare: number;
  top1WhenConfident: number;
  top1WhenUnsure: number;
}

function summarise(name: string, outcomes: Outcome[]): Summary {
  const bins = Array.from({ length: BINS }, () => ({ count: 0, confidence: 0, right: 0 }));
  for (const outcome of outcomes) {
    const bin = bins[Math.min(BINS - 1, Math.floor(outcome.confidence * BINS))]!;
    bin.count++;
    bin.confidence += outcome.confidence;
    bin.right += outcome.top1 ? 1 : 0;
  }
  const calibrationError =
    bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.right), 0) / outcomes.length;
  printTable(
    `${name}: calibration of the first task's confidence`,
    ["confidence", "descriptions", "mean confidence", "first task right"],
    bins.map((bin, index) => [
      `${(index / BINS).toFixed(1)}-${((index + 1) / BINS).toFixed(1)}`,
      bin.count,
      bin.count ? round(bin.confidence / bin.count, 3) : "-",
      bin.count ? round(bin.right / bin.count, 3) : "-",
    ]),
  );
  const styles = [...new Set(outcomes.map((outcome) => outcome.item.style))];
  printTable(
    `${name}: accuracy by writing style`,
    ["style", "descriptions", "top-1", "top-3"],
    styles.map((style) => {
      const of = outcomes.filter((outcome) => outcome.item.style === style);
      return [style, of.length, percent(share(of, (o) => o.top1)), percent(share(of, (o) => o.top3))];
    }),
  );
  const unsure = outcomes.filter((outcome) => outcome.lowConfidence);
  const confident = outcomes.filter((outcome) => !outcome.lowConfidence);
  return {
    descriptions: outcomes.length,
    tasks: new Set(outcomes.map((outcome) => outcome.item.task)).size,
    top1: round(
      share(outcomes, (o) => o.top1),
      4,
    ),
    strictTop1: round(
      share(outcomes, (o) => o.strictTop1),
      4,
    ),
    top3: round(
      share(outcomes, (o) => o.top3),
      4,
    ),
    expectedCalibrationError: round(calibrationError, 4),
    lowConfidenceShare: round(unsure.length / outcomes.length, 4),
    top1WhenConfident: round(
      share(confident, (o) => o.top1),
      4,
    ),
    top1WhenUnsure: round(
      share(unsure, (o) => o.top1),
      4,
    ),
  };
}

function printConfusion(name: string, outcomes: Outcome[]): void {
  const tasks = [...new Set(outcomes.map((outcome) => outcome.item.task))].sort();
  printTable(
    `${name}: per-task confusion (first task answered for each labelled task)`,
    ["labelled task", "n", "top-1", "answered instead (count)"],
    tasks.map((task) => {
      const of = outcomes.filter((outcome) => outcome.item.task === task);
      const wrong = new Map<string, number>();
      for (const outcome of of) {
        if (!outcome.top1) wrong.set(outcome.predicted[0]!, (wrong.get(outcome.predicted[0]!) ?? 0) + 1);
      }
      return [
        task,
        of.length,
        of.filter((outcome) => outcome.top1).length,
        [...wrong]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([other, count]) => `${other} (${count})`)
          .join(", ") || "-",
      ];
    }),
  );
}

const FOLDS = 5;

/** The temperature that makes out-of-fold confidences over the training descriptions most likely. */
function fitTemperature(): void {
  const corpus = readTaskCorpus();
  const paraphrases = corpus.examples.filter((example) => example.source === "paraphrase");
  const order = shuffle(
    paraphrases.map((_, index) => index),
    seededRandom(5),
  );
  // Log-probabilities at temperature 1, so any temperature is a rescaling of them.
  const predictions: Array<{ task: string; logits: Map<string, number> }> = [];
  const settings = { ...DEFAULT_TASK_MODEL_SETTINGS, temperature: 1 };
  for (let fold = 0; fold < FOLDS; fold++) {
    const held = new Set(order.filter((_, at) => at % FOLDS === fold).map((index) => paraphrases[index]!));
    const model = trainTaskModel({
      corpus: { tasks: corpus.tasks, examples: corpus.examples.filter((example) => !held.has(example)) },
      settings,
    });
    for (const example of held) {
      const scores = model.classify(example.text);
      predictions.push({
        task: example.task,
        logits: new Map(scores.map((score) => [score.task, Math.log(Math.max(score.confidence, 1e-300))])),
      });
    }
  }
  const rows: Array<[number, number, number]> = [];
  for (let temperature = 0.3; temperature <= 1.5001; temperature += 0.05) {
    let loss = 0;
    const bins = Array.from({ length: BINS }, () => ({ confidence: 0, right: 0 }));
    for (const { task, logits } of predictions) {
      const scaled = [...logits].map(([name, logit]) => [name, logit / temperature] as const);
      const max = Math.max(...scaled.map(([, logit]) => logit));
      const total = scaled.reduce((sum, [, logit]) => sum + Math.exp(logit - max), 0);
      const best = scaled.reduce((a, b) => (b[1] > a[1] ? b : a));
      const confidence = Math.exp(best[1] - max) / total;
      loss -= logits.get(task)! / temperature - max - Math.log(total);
      const bin = bins[Math.min(BINS - 1, Math.floor(confidence * BINS))]!;
      bin.confidence += confidence;
      bin.right += best[0] === task ? 1 : 0;
    }
    const error =
      bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.right), 0) / predictions.length;
    rows.push([round(temperature, 2), round(loss / predictions.length, 4), round(error, 4)]);
  }
  const best = rows.reduce((a, b) => (b[1] < a[1] ? b : a));
  printTable(
    `Temperature, ${FOLDS}-fold out-of-fold over ${predictions.length} training descriptions`,
    ["temperature", "log-loss", "ECE"],
    rows,
  );
  process.stdout.write(`Best temperature ${best[0]} (in use: ${DEFAULT_TASK_MODEL_SETTINGS.temperature})\n`);
}

function main(): void {
  const machine = machineInfo();
  process.stdout.write(`${describeMachine(machine)}\n`);
  const started = performance.now();
  const model = getTaskModel();
  const trainMs = performance.now() - started;
  process.stdout.write(
    `Task model: ${model.tasks.length} tasks, trained in ${Math.round(trainMs)} ms (once per process)\n`,
  );

  const tuneOnly = process.env.RECOMMEND_BENCH_SPLIT === "tune";
  const splits: Array<{ name: string; outcomes: Outcome[]; summary: Summary }> = [];
  for (const set of EVALUATION_SETS) {
    for (const split of tuneOnly ? (["tune"] as const) : (["tune", "test"] as const)) {
      const name = `${set.name} ${split}`;
      const outcomes = evaluate(readSplit(set.directory, split));
      splits.push({ name, outcomes, summary: summarise(name, outcomes) });
      if (split === "test" || tuneOnly) printConfusion(name, outcomes);
    }
  }

  const latencies = splits
    .flatMap((split) => split.outcomes.map((outcome) => outcome.ms))
    .sort((a, b) => a - b);
  const latency = {
    p50Ms: round(percentile(latencies, 50), 2),
    p95Ms: round(percentile(latencies, 95), 2),
    maxMs: round(latencies[latencies.length - 1]!, 2),
  };
  printTable(
    "Task understanding (first task right when it is the labelled task or one it accepts)",
    [
      "split",
      "descriptions",
      "tasks",
      "top-1",
      "top-1 strict",
      "top-3",
      "ECE",
      "unsure",
      "top-1 if sure",
      "top-1 if unsure",
    ],
    splits.map(({ name, summary: s }) => [
      name,
      s.descriptions,
      s.tasks,
      percent(s.top1),
      percent(s.strictTop1),
      percent(s.top3),
      round(s.expectedCalibrationError, 3),
      percent(s.lowConfidenceShare),
      percent(s.top1WhenConfident),
      percent(s.top1WhenUnsure),
    ]),
  );
  const tests = splits.filter((split) => split.name.endsWith(" test"));
  printTable(
    "Targets (test splits)",
    ["target", "value", "verdict"],
    [
      ...tests.flatMap(({ name, summary }) => [
        [`${name}: top-1 >= 90 %`, percent(summary.top1), verdict(summary.top1 >= 0.9)],
        [`${name}: top-3 >= 97 %`, percent(summary.top3), verdict(summary.top3 >= 0.97)],
      ]),
      ["parse p95 < 50 ms", `${latency.p95Ms} ms`, verdict(latency.p95Ms < 50)],
    ],
  );
  process.stdout.write(
    `\n"unsure": the first task's confidence is under ${LOW_CONFIDENCE}; the answer then offers choices.\n`,
  );
  if (process.env.RECOMMEND_BENCH_FIT === "1") fitTemperature();
  printJsonLine({
    benchmark: "recommend",
    machine,
    trainMs: Math.round(trainMs),
    splits: Object.fromEntries(splits.map(({ name, summary }) => [name, summary])),
    latency,
  });
}

main();
