// Evaluation measures what the task API answers: the factory sentiment model and a word-list classifier on a
// held-out split stored as a dataset repo, through POST /v1/evaluations and `hangar evaluate`, and the
// measured scores shown beside the reported ones in compare.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeModel } from "../../src/factory/make-model.ts";
import { type LabelledSentence, readSentimentSplit } from "../../src/factory/sentiment.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { csv, evaluateOn, post } from "../helpers/evaluation-requests.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyEmbedderFiles } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierFiles } from "../helpers/tiny-models.ts";

const VERSION = (
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;

const SENTIMENT = "hangar/sentiment-tiny";
/** The tiny word-list classifier, with a card that reports a higher accuracy than it measures. */
const WORD_LIST = "tests/tiny-sentiment";
/** Another word-list classifier that Hangar never measures. */
const UNMEASURED = "tests/tiny-sentiment-unmeasured";
const REVIEWS = "hangar/sentiment-reviews";
const REPORTED_WORD_LIST_ACCURACY = 0.99;

/** A card with a model-index result, as the Hub writes one. */
function reportingCard(dataset: string, accuracy: number): string {
  return `---
pipeline_tag: text-classification
library_name: transformers.js
license: apache-2.0
model-index:
- name: tiny-sentiment
  results:
  - task: {type: text-classification}
    dataset: {name: Sentiment reviews, type: ${dataset}, split: test}
    metrics:
    - {type: accuracy, value: ${accuracy}}
---
# Tiny sentiment classifier
`;
}

interface Scores {
  accuracy: number;
  macroF1: number;
}

/** Accuracy and macro-F1 computed here, from the task API's answer to each example. */
async function scoresThroughInferenceApi(
  url: string,
  model: string,
  rows: LabelledSentence[],
): Promise<Scores> {
  const predicted: string[] = [];
  for (const row of rows) {
    const { response, json } = await post(url, "/v1/inference/text-classification", {
      model,
      inputs: row.text,
    });
    assert.equal(response.status, 200, JSON.stringify(json));
    predicted.push((json.outputs as Array<{ label: string }>)[0]!.label);
  }
  const correct = rows.filter((row, index) => row.label === predicted[index]).length;
  const labels = [...new Set([...rows.map((row) => row.label), ...predicted])];
  const f1s = labels.map((label) => {
    const truePositives = rows.filter(
      (row, index) => row.label === label && predicted[index] === label,
    ).length;
    const predictedCount = predicted.filter((answer) => answer === label).length;
    const goldCount = rows.filter((row) => row.label === label).length;
    const precision = predictedCount ? truePositives / predictedCount : 0;
    const recall = goldCount ? truePositives / goldCount : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  return { accuracy: correct / rows.length, macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length };
}

describe("evaluate: the factory sentiment model on its held-out split, stored as a dataset repo", () => {
  let t: TestHangar;
  let heldOut: LabelledSentence[];
  let expected: Record<string, Scores>;
  const heads: Record<string, string> = {};

  before(async () => {
    t = await startTestHangar();
    await makeModel(t.hangar, {
      kind: "sentiment",
      repo: { type: "model", namespace: "hangar", name: "sentiment-tiny" },
    });
    await importFiles(t.hangar, WORD_LIST, {
      ...tinyClassifierFiles(),
      "README.md": reportingCard(REVIEWS, REPORTED_WORD_LIST_ACCURACY),
    });
    await importFiles(t.hangar, UNMEASURED, {
      ...tinyClassifierFiles(),
      "README.md": reportingCard(REVIEWS, 0.5),
    });
    await importFiles(t.hangar, "tests/tiny-embedder", tinyEmbedderFiles());
    heldOut = await readSentimentSplit("test");
    const train = await readSentimentSplit("train");
    const toRows = (rows: LabelledSentence[]) => rows.map((row) => [row.text, row.label]);
    await importFiles(
      t.hangar,
      REVIEWS,
      {
        "README.md":
          "---\nlicense: cc0-1.0\ntask_categories:\n- text-classification\n---\n# Sentiment reviews\n",
        "data/train.csv": csv(["text", "label"], toRows(train)),
        "data/test.csv": csv(["text", "label"], toRows(heldOut)),
      },
      { type: "dataset" },
    );
    for (const id of [SENTIMENT, WORD_LIST])
      heads[id] = (await t.hangar.catalog.repos.get({
        type: "model",
        namespace: id.split("/")[0]!,
        name: id.split("/")[1]!,
      }))!.sha!;
    heads[REVIEWS] = (await t.hangar.catalog.repos.get({
      type: "dataset",
      namespace: "hangar",
      name: "sentiment-reviews",
    }))!.sha!;
    expected = {
      [SENTIMENT]: await scoresThroughInferenceApi(t.url, SENTIMENT, heldOut),
      [WORD_LIST]: await scoresThroughInferenceApi(t.url, WORD_LIST, heldOut),
    };
  });
  after(() => t.close());

  it("POST /v1/evaluations measures the accuracy the task API gives example by example, and records the run", async () => {
    const { response, json } = await evaluateOn(t.url, SENTIMENT, REVIEWS);
    assert.equal(response.status, 201, JSON.stringify(json));
    assert.equal(json.model, SENTIMENT);
    assert.equal(json.modelCommit, heads[SENTIMENT]);
    assert.equal(json.dataset, REVIEWS);
    assert.equal(json.datasetCommit, heads[REVIEWS]);
    // Of train.csv and test.csv, the held-out file is chosen.
    assert.equal(json.file, "data/test.csv");
    assert.equal(json.task, "text-classification");
    assert.deepEqual(json.columns, { text: "text", label: "label" });
    assert.equal(json.examples, heldOut.length);
    assert.equal(json.skippedRows, 0);
    assert.equal(json.measuredBy, "hangar");
    assert.equal(json.hangarVersion, VERSION);
    const metrics = json.metrics as Record<string, number>;
    assert.equal(metrics.accuracy, expected[SENTIMENT]!.accuracy);
    assert.ok(
      Math.abs(metrics.f1_macro! - expected[SENTIMENT]!.macroF1) < 1e-12,
      `f1_macro ${metrics.f1_macro}`,
    );
    // The card's figure was measured by the factory on the same sentences.
    const card = await (await fetch(`${t.url}/${SENTIMENT}/resolve/main/README.md`)).text();
    const reported = Number(/value: ([0-9.]+)/.exec(card)?.[1]);
    assert.ok(
      Math.abs(reported - metrics.accuracy!) < 0.01,
      `card ${reported}, measured ${metrics.accuracy}`,
    );

    const listed = await fetch(`${t.url}/v1/evaluations?model=${SENTIMENT}`);
    assert.equal(listed.status, 200);
    const { evaluations } = (await listed.json()) as { evaluations: unknown[] };
    assert.deepEqual(evaluations, [json]);
  });

  it("hangar evaluate runs the same measurement on the home folder, with --json or a readable report", async () => {
    const [asJson, readable, help] = await Promise.all([
      runCli(["evaluate", SENTIMENT, REVIEWS, "--home", t.home, "--json"]),
      runCli(["evaluate", WORD_LIST, `datasets/${REVIEWS}`, "--home", t.home, "--file", "data/test.csv"]),
      runCli(["evaluate", "--help"]),
    ]);
    assert.equal(asJson.code, 0, asJson.stderr);
    const run = JSON.parse(asJson.stdout) as {
      metrics: Record<string, number>;
      examples: number;
      id: number;
    };
    assert.equal(run.metrics.accuracy, expected[SENTIMENT]!.accuracy);
    assert.equal(run.examples, heldOut.length);
    // Not a terminal: no progress bar in the captured output.
    assert.equal(asJson.stderr, "");

    assert.equal(readable.code, 0, readable.stderr);
    assert.match(
      readable.stdout,
      /^tests\/tiny-sentiment on hangar\/sentiment-reviews \(data\/test\.csv\), text-classification: measured by Hangar/,
    );
    assert.match(
      readable.stdout,
      new RegExp(`^accuracy\\s+${expected[WORD_LIST]!.accuracy.toFixed(4)}$`, "m"),
    );
    assert.match(readable.stdout, new RegExp(`^Examples: ${heldOut.length}$`, "m"));
    assert.match(readable.stdout, new RegExp(`^Model: +${WORD_LIST}@${heads[WORD_LIST]}$`, "m"));

    assert.equal(help.code, 0);
    for (const flag of [
      "--file PATH",
      "--text-column NAME",
      "--label-column NAME",
      "--limit N",
      "--json",
      "--task TASK",
    ]) {
      assert.ok(help.stdout.includes(flag), `${flag} in ${help.stdout}`);
    }

    const listed = await fetch(`${t.url}/v1/evaluations?model=${WORD_LIST}`);
    const { evaluations } = (await listed.json()) as {
      evaluations: Array<{ metrics: Record<string, number> }>;
    };
    assert.equal(evaluations.length, 1);
    assert.equal(evaluations[0]!.metrics.accuracy, expected[WORD_LIST]!.accuracy);
    assert.ok(
      Math.abs(evaluations[0]!.metrics.f1_macro! - expected[WORD_LIST]!.macroF1) < 1e-12,
      "f1_macro of the CLI run",
    );
  });

  it("compare shows the measured scores beside the reported ones and picks quality on the measured ones", async () => {
    const sentiment = expected[SENTIMENT]!.accuracy;
    const wordList = expected[WORD_LIST]!.accuracy;
    // The premise: the cards say the opposite of what Hangar measured.
    assert.ok(sentiment > wordList, `measured ${sentiment} vs ${wordList}`);
    const { response, json } = await post(t.url, "/v1/compare", {
      models: [WORD_LIST, SENTIMENT],
      criteria: { task: "text-classification" },
    });
    assert.equal(response.status, 200, JSON.stringify(json));
    assert.equal(json.qualityBasis, "measured");
    assert.deepEqual(json.measuredQuality, {
      dataset: REVIEWS,
      datasetCommit: heads[REVIEWS],
      file: "data/test.csv",
      examples: heldOut.length,
      metric: "accuracy",
      task: "text-classification",
      higherIsBetter: true,
      models: [WORD_LIST, SENTIMENT],
    });
    type Row = {
      id: string;
      evaluations: {
        reported: Array<{ dataset: string; metric: string; value: number }>;
        measured: Array<Record<string, unknown>>;
      };
    };
    const [wordListRow, sentimentRow] = json.models as Row[];
    const measuredAccuracy = (row: Row) =>
      row.evaluations.measured.find((score) => score.metric === "accuracy")!;
    for (const [row, value] of [
      [wordListRow!, wordList],
      [sentimentRow!, sentiment],
    ] as const) {
      const score = measuredAccuracy(row);
      assert.equal(score.value, value);
      assert.equal(score.dataset, REVIEWS);
      assert.equal(score.datasetCommit, heads[REVIEWS]);
      assert.equal(score.file, "data/test.csv");
      assert.equal(score.modelCommit, heads[row.id]);
      assert.equal(score.atHead, true);
      assert.equal(score.measuredBy, "hangar");
      assert.match(String(score.measuredAt), /^\d{4}-\d\d-\d\dT/);
      assert.ok(row.evaluations.measured.some((entry) => entry.metric === "f1_macro"));
    }
    assert.deepEqual(
      wordListRow!.evaluations.reported.map((score) => [score.dataset, score.metric, score.value]),
      [[REVIEWS, "accuracy", REPORTED_WORD_LIST_ACCURACY]],
    );
    assert.ok(sentimentRow!.evaluations.reported[0]!.value < REPORTED_WORD_LIST_ACCURACY);

    const decision = json.decision as Record<string, { id: string; reason: string }>;
    assert.equal(decision.bestForQuality!.id, SENTIMENT);
    assert.match(
      decision.bestForQuality!.reason,
      new RegExp(
        `scores ${Number(sentiment.toFixed(2))} accuracy on ${REVIEWS} \\(measured by Hangar on the same ${heldOut.length} examples of data/test\\.csv, ${REVIEWS}@${heads[REVIEWS]!.slice(0, 7)}\\)`,
      ),
    );
    const assumptions = json.assumptions as string[];
    assert.ok(
      assumptions.some((line) =>
        line.startsWith("quality = accuracy measured by Hangar's own inference runtime"),
      ),
    );
    assert.ok(!assumptions.some((line) => line.includes("does not measure quality")), assumptions.join("\n"));
    const pair = (
      json.pairwise as Array<{ metricDeltas: Array<{ source: string; metric: string; delta: number }> }>
    )[0]!;
    const measuredDelta = pair.metricDeltas.find(
      (delta) => delta.source === "measured" && delta.metric === "accuracy",
    );
    assert.ok(measuredDelta && Math.abs(measuredDelta.delta - (wordList - sentiment)) < 1e-12);

    // hangar compare prints the measured scores as a row of their own, beside the reported ones.
    const cli = await runCli([
      "compare",
      WORD_LIST,
      SENTIMENT,
      "--task",
      "text-classification",
      "--home",
      t.home,
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const measuredRow = cli.stdout
      .split("\n")
      .find((line) => line.startsWith(`${REVIEWS} accuracy (measured, ${heldOut.length} examples)`));
    assert.ok(measuredRow, cli.stdout);
    assert.deepEqual(
      measuredRow
        .trim()
        .split(/\s{2,}/)
        .slice(1),
      [String(Number(wordList.toFixed(2))), String(Number(sentiment.toFixed(2)))],
    );
    assert.match(cli.stdout, new RegExp(`Best for quality: +${SENTIMENT.replace("/", "\\/")}`));
  });

  it("compare falls back to the reported scores when one model was not measured, and says so", async () => {
    const { response, json } = await post(t.url, "/v1/compare", {
      models: [WORD_LIST, SENTIMENT, UNMEASURED],
      criteria: { task: "text-classification" },
    });
    assert.equal(response.status, 200);
    assert.equal(json.qualityBasis, "reported");
    assert.equal(json.measuredQuality, null);
    const decision = json.decision as Record<string, { id: string; reason: string }>;
    // On the cards, the word-list classifier claims the best accuracy.
    assert.equal(decision.bestForQuality!.id, WORD_LIST);
    assert.match(
      decision.bestForQuality!.reason,
      /accuracy on hangar\/sentiment-reviews \(reported in its model card\)/,
    );
    const assumptions = json.assumptions as string[];
    assert.ok(
      assumptions.some((line) =>
        line.includes("Hangar's own measurements (hangar evaluate) do not cover every one of these models"),
      ),
      assumptions.join("\n"),
    );
    // Measured scores still show in the rows of the models that have them.
    const rows = json.models as Array<{ evaluations: { measured: unknown[] } }>;
    assert.deepEqual(
      rows.map((row) => row.evaluations.measured.length > 0),
      [true, true, false],
    );
  });

  it("a measurement of an older commit is shown as such and no longer decides", async () => {
    await importFiles(t.hangar, WORD_LIST, {
      ...tinyClassifierFiles(),
      "README.md": `${reportingCard(REVIEWS, REPORTED_WORD_LIST_ACCURACY)}\nA new revision.\n`,
    });
    const { json } = await post(t.url, "/v1/compare", { models: [WORD_LIST, SENTIMENT] });
    const wordListRow = (json.models as Array<{ evaluations: { measured: Array<{ atHead: boolean }> } }>)[0]!;
    assert.ok(wordListRow.evaluations.measured.length > 0);
    assert.ok(wordListRow.evaluations.measured.every((score) => score.atHead === false));
    assert.equal(json.qualityBasis, "reported");
  });
});
