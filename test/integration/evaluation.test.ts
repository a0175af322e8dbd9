import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { evaluateModel } from "../../src/evaluation/evaluate-model.ts";
import { makeModel } from "../../src/factory/make-model.ts";
import { type LabelledSentence, readSentimentSplit } from "../../src/factory/sentiment.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyEmbedderFiles, tinyNerFiles } from "../helpers/tiny-inference-models.ts";
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

async function post(url: string, path: string, body: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

/** POST /v1/evaluations of `model` on `dataset`, with every other setting left to its default. */
const evaluateOn = (url: string, model: string, dataset: string) =>
  post(url, "/v1/evaluations", { model, dataset });

const csvField = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const csv = (header: string[], rows: string[][]) =>
  `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;

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

describe("evaluate: bad input is refused with the error that names the problem, and nothing is recorded", () => {
  let t: TestHangar;

  before(async () => {
    t = await startTestHangar();
    await importFiles(t.hangar, WORD_LIST, tinyClassifierFiles());
    await importFiles(t.hangar, "tests/tiny-embedder", tinyEmbedderFiles());
    const datasets: Record<string, Record<string, string>> = {
      "tests/reviews": {
        "test.csv": csv(
          ["text", "label"],
          [
            ["a great film", "POSITIVE"],
            ["awful", "NEGATIVE"],
          ],
        ),
      },
      "tests/odd-columns": { "test.csv": csv(["sentence_text", "gold"], [["a great film", "POSITIVE"]]) },
      "tests/header-only": { "test.csv": "text,label\n" },
      "tests/no-labels": {
        "test.jsonl": '{"text": "a great film", "label": null}\n{"text": "awful", "label": ""}\n',
      },
      "tests/other-labels": {
        "test.csv": csv(
          ["text", "label"],
          [
            ["a great film", "good"],
            ["awful", "bad"],
          ],
        ),
      },
      "tests/no-table": { "README.md": "# Only a card\n" },
      "tests/two-tables": { "a.csv": "text,label\nx,POSITIVE\n", "b.csv": "text,label\ny,NEGATIVE\n" },
      "tests/broken-csv": { "test.csv": 'text,label\n"an open quote,POSITIVE\n' },
    };
    for (const [id, files] of Object.entries(datasets))
      await importFiles(t.hangar, id, files, { type: "dataset" });
    const created = await fetch(`${t.url}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ name: "empty", organization: "tests", type: "dataset" }),
    });
    assert.equal(created.status, 200);
  });
  after(() => t.close());

  it("answers 404, 400 with the model's tasks, the file's columns, or the emptiness, and records no run", async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ model: "nobody/nothing", dataset: "tests/reviews" }, 404, /Hangar has no model nobody\/nothing/],
      [{ model: WORD_LIST, dataset: "nobody/nothing" }, 404, /Hangar has no dataset nobody\/nothing/],
      [
        { model: "tests/tiny-embedder", dataset: "tests/reviews" },
        400,
        /Model tests\/tiny-embedder does feature-extraction, sentence-similarity: Hangar evaluates text-classification, token-classification, zero-shot-classification/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/reviews", task: "token-classification" },
        400,
        /Model tests\/tiny-sentiment cannot do token-classification; it can do: text-classification/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/odd-columns" },
        400,
        /test\.csv of dataset tests\/odd-columns has no text column \(looked for text, sentence, content, review, document\); its columns are: sentence_text, gold/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/odd-columns", textColumn: "sentence_text", labelColumn: "label" },
        400,
        /has no column "label"; its columns are: sentence_text, gold/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/header-only" },
        400,
        /has no rows: there is nothing to evaluate on/,
      ],
      [{ model: WORD_LIST, dataset: "tests/no-labels" }, 400, /has no row with both a text and a label/],
      // A new repo holds only the .gitattributes the Hub writes.
      [
        { model: WORD_LIST, dataset: "tests/empty" },
        400,
        /Dataset tests\/empty has no \.csv, \.tsv, \.jsonl, \.ndjson, \.parquet file to evaluate on \(its files: \.gitattributes\)/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/no-table" },
        400,
        /has no \.csv, \.tsv, \.jsonl, \.ndjson, \.parquet file to evaluate on \(its files: .*README\.md/,
      ],
      [{ model: WORD_LIST, dataset: "tests/two-tables" }, 400, /several table files \(a\.csv, b\.csv\)/],
      [{ model: WORD_LIST, dataset: "tests/reviews", file: "missing.csv" }, 404, /has no file missing\.csv/],
      [
        { model: WORD_LIST, dataset: "tests/broken-csv" },
        400,
        /quoted field opened on line 2 is never closed/,
      ],
      [
        { model: WORD_LIST, dataset: "tests/other-labels" },
        400,
        /The dataset's labels \(bad, good\) are none of the model's labels \(.*NEGATIVE.*POSITIVE.*\)/,
      ],
      [{ model: WORD_LIST, dataset: "tests/reviews", limit: 0 }, 400, /limit must be a whole number/],
      [
        { model: WORD_LIST, dataset: "tests/reviews", colour: "red" },
        400,
        /Unknown field "colour": valid ones are model, dataset/,
      ],
      [{ dataset: "tests/reviews" }, 400, /"model" is required/],
    ];
    for (const [body, status, message] of cases) {
      const { response, json } = await post(t.url, "/v1/evaluations", body);
      assert.equal(response.status, status, `${JSON.stringify(body)}: ${JSON.stringify(json)}`);
      assert.match(String(json.error), message, JSON.stringify(body));
    }
    const { json: embedder } = await evaluateOn(t.url, "tests/tiny-embedder", "tests/reviews");
    assert.deepEqual(embedder.tasks, ["feature-extraction", "sentence-similarity"]);
    const { json: columns } = await evaluateOn(t.url, WORD_LIST, "tests/odd-columns");
    assert.deepEqual(columns.columns, ["sentence_text", "gold"]);

    const listed = await fetch(`${t.url}/v1/evaluations`);
    assert.deepEqual(await listed.json(), { evaluations: [] });
    assert.equal((await t.hangar.catalog.evaluations.list()).length, 0);

    // And a good request still works afterwards.
    const good = await evaluateOn(t.url, WORD_LIST, "tests/reviews");
    assert.equal(good.response.status, 201);
    assert.equal((good.json.metrics as Record<string, number>).accuracy, 1);
  });

  it("reports progress example by example to the library caller (what the CLI's progress bar draws)", async () => {
    const progress: Array<[number, number]> = [];
    const run = await evaluateModel(t.hangar, localAdministrator(), {
      model: WORD_LIST,
      dataset: "tests/reviews",
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(progress, [
      [1, 2],
      [2, 2],
    ]);
    assert.equal(run.examples, 2);
  });

  it("a deleted dataset takes its runs with it; the model's other runs stay", async () => {
    await importFiles(
      t.hangar,
      "tests/reviews-copy",
      { "test.csv": "text,label\ngood,POSITIVE\n" },
      { type: "dataset" },
    );
    const copy = await evaluateOn(t.url, WORD_LIST, "tests/reviews-copy");
    assert.equal(copy.response.status, 201);
    const before = (await t.hangar.catalog.evaluations.list()).length;
    const deleted = await fetch(`${t.url}/api/repos/delete`, {
      method: "DELETE",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.adminToken}` },
      body: JSON.stringify({ name: "reviews-copy", organization: "tests", type: "dataset" }),
    });
    assert.equal(deleted.status, 200);
    const { evaluations } = (await (await fetch(`${t.url}/v1/evaluations?model=${WORD_LIST}`)).json()) as {
      evaluations: Array<{ dataset: string }>;
    };
    assert.equal(evaluations.length, before - 1);
    assert.ok(evaluations.every((run) => run.dataset === "tests/reviews"));
  });

  it("GET /v1/evaluations refuses unknown parameters and models", async () => {
    const unknown = await fetch(`${t.url}/v1/evaluations?modle=x`);
    assert.equal(unknown.status, 400);
    assert.match(
      ((await unknown.json()) as { error: string }).error,
      /Unknown parameter "modle": valid ones are model, dataset, task, limit/,
    );
    const missing = await fetch(`${t.url}/v1/evaluations?model=nobody/nothing`);
    assert.equal(missing.status, 404);
    const limit = await fetch(`${t.url}/v1/evaluations?limit=5000`);
    assert.equal(limit.status, 400);
  });

  it("hangar evaluate: usage errors exit 2, failed operations 1, with one line on stderr", async () => {
    const [missingArgument, unknownModel, badLimit, wrongTask] = await Promise.all([
      runCli(["evaluate", WORD_LIST, "--home", t.home]),
      runCli(["evaluate", "nobody/nothing", "tests/reviews", "--home", t.home]),
      runCli(["evaluate", WORD_LIST, "tests/reviews", "--home", t.home, "--limit", "ten"]),
      runCli(["evaluate", "tests/tiny-embedder", "tests/reviews", "--home", t.home]),
    ]);
    assert.equal(missingArgument.code, 2);
    assert.match(
      missingArgument.stderr,
      /^hangar evaluate: missing arguments: expected <model> <dataset>\n$/,
    );
    assert.equal(unknownModel.code, 1);
    assert.match(unknownModel.stderr, /^hangar evaluate: Hangar has no model nobody\/nothing/);
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /--limit must be a whole number of at least 1, got "ten"/);
    assert.equal(wrongTask.code, 2);
    assert.match(wrongTask.stderr, /does feature-extraction, sentence-similarity/);
  });
});

describe("evaluate: named entities and zero-shot classification", () => {
  let t: TestHangar;

  before(async () => {
    t = await startTestHangar();
    await importFiles(t.hangar, "tests/tiny-ner", tinyNerFiles());
    await makeModel(t.hangar, {
      kind: "zero-shot",
      repo: { type: "model", namespace: "hangar", name: "zero-shot-tiny" },
    });
    // The tiny tagger knows alice, bob and carol as people (smith continues a name) and paris, london and
    // berlin as places; every other word is O.
    const sentences = [
      { tokens: ["Alice", "Smith", "lives", "in", "Paris"], ner_tags: ["B-PER", "I-PER", "O", "O", "B-LOC"] },
      { tokens: ["Bob", "went", "to", "London"], ner_tags: ["B-PER", "O", "O", "B-LOC"] },
      // An unknown name: one person missed.
      { tokens: ["Dave", "visited", "Berlin"], ner_tags: ["B-PER", "O", "B-LOC"] },
      // A person tagged as a place: one wrong entity and one missed.
      { tokens: ["Paris", "Hilton", "visited"], ner_tags: ["B-PER", "I-PER", "O"] },
      { tokens: [], ner_tags: [] },
    ];
    await importFiles(
      t.hangar,
      "tests/people-and-places",
      { "test.jsonl": `${sentences.map((sentence) => JSON.stringify(sentence)).join("\n")}\n` },
      { type: "dataset" },
    );
    await importFiles(
      t.hangar,
      "tests/numbered-tags",
      { "test.jsonl": `${JSON.stringify({ tokens: ["Alice"], ner_tags: [1] })}\n` },
      { type: "dataset" },
    );
    // The same sentences as the datasets library stores them: class ids, named in the card's dataset_info.
    const tagNames = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
    const card = [
      "---",
      "dataset_info:",
      "  features:",
      "  - name: tokens",
      "    sequence: string",
      "  - name: ner_tags",
      "    sequence:",
      "      class_label:",
      "        names:",
      ...tagNames.map((name, id) => `          '${id}': ${name}`),
      "---",
      "# People and places, tags as class ids",
      "",
    ].join("\n");
    const asIds = sentences.map((sentence) => ({
      tokens: sentence.tokens,
      ner_tags: sentence.ner_tags.map((tag) => tagNames.indexOf(tag)),
    }));
    await importFiles(
      t.hangar,
      "tests/people-and-places-ids",
      {
        "README.md": card,
        "test.jsonl": `${asIds.map((sentence) => JSON.stringify(sentence)).join("\n")}\n`,
      },
      { type: "dataset" },
    );
    // As `datasets` pushes it to a hub: the card's dataset_info and configs, and a Parquet shard whose tag
    // lists are 64-bit class ids.
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "tokens", data: asIds.map((sentence) => sentence.tokens) },
        { name: "ner_tags", data: asIds.map((sentence) => sentence.ner_tags.map(BigInt)) },
      ],
      schema: [
        { name: "schema", num_children: 2 },
        { name: "tokens", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        { name: "ner_tags", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        { name: "element", type: "INT64", repetition_type: "OPTIONAL" },
      ],
    });
    const configs = [
      "configs:",
      "- config_name: default",
      "  data_files:",
      "  - split: test",
      "    path: data/test-*",
    ];
    await importFiles(
      t.hangar,
      "tests/people-and-places-parquet",
      {
        "README.md": card.replace("---\n", `---\n${configs.join("\n")}\n`),
        "data/test-00000-of-00001.parquet": Buffer.from(parquet),
      },
      { type: "dataset" },
    );
    await importFiles(
      t.hangar,
      "tests/not-parquet",
      { "data/test-00000-of-00001.parquet": Buffer.from("tokens,ner_tags\nAlice,1\n") },
      { type: "dataset" },
    );
    await importFiles(
      t.hangar,
      "tests/ids-out-of-range",
      {
        "README.md": card,
        "test.jsonl": `${JSON.stringify({ tokens: ["Alice", "sings"], ner_tags: [1, 7] })}\n`,
      },
      { type: "dataset" },
    );
  });
  after(() => t.close());

  it("scores entities as seqeval does: exact type and words, micro over entities", async () => {
    const { response, json } = await evaluateOn(t.url, "tests/tiny-ner", "tests/people-and-places");
    assert.equal(response.status, 201, JSON.stringify(json));
    assert.equal(json.task, "token-classification");
    assert.deepEqual(json.columns, { text: "tokens", label: "ner_tags" });
    assert.equal(json.examples, 4);
    assert.equal(json.skippedRows, 1);
    // 7 gold entities, 6 predicted, 5 right.
    const metrics = json.metrics as Record<string, number>;
    assert.ok(Math.abs(metrics.precision! - 5 / 6) < 1e-12, `precision ${metrics.precision}`);
    assert.ok(Math.abs(metrics.recall! - 5 / 7) < 1e-12, `recall ${metrics.recall}`);
    assert.ok(Math.abs(metrics.f1! - 10 / 13) < 1e-12, `f1 ${metrics.f1}`);
    const perType = (
      json.details as { perLabel: Record<string, { recall: number; precision: number; support: number }> }
    ).perLabel;
    assert.deepEqual(perType.PER, { precision: 1, recall: 0.5, f1: 2 / 3, support: 4 });
    assert.deepEqual(perType.LOC, { precision: 0.75, recall: 1, f1: 6 / 7, support: 3 });

    const numbered = await evaluateOn(t.url, "tests/tiny-ner", "tests/numbered-tags");
    assert.equal(numbered.response.status, 400);
    assert.match(
      String(numbered.json.error),
      /holds class ids \(numbers\) and the dataset card names no classes for it \(dataset_info features\); Hangar needs tag names such as B-PER/,
    );
  });

  it("reads class ids through the names the dataset card declares, scoring as with the names", async () => {
    const named = await evaluateOn(t.url, "tests/tiny-ner", "tests/people-and-places");
    const ids = await evaluateOn(t.url, "tests/tiny-ner", "tests/people-and-places-ids");
    assert.equal(ids.response.status, 201, JSON.stringify(ids.json));
    assert.deepEqual(ids.json.metrics, named.json.metrics);
    assert.equal(ids.json.examples, 4);
    const details = ids.json.details as { perLabel: unknown; notes: string[] };
    assert.deepEqual(details.perLabel, (named.json.details as { perLabel: unknown }).perLabel);
    assert.ok(
      details.notes.includes(
        "tag ids read as the class names of the dataset card: O, B-PER, I-PER, B-LOC, I-LOC",
      ),
      details.notes.join("; "),
    );

    const fromParquet = await evaluateOn(t.url, "tests/tiny-ner", "tests/people-and-places-parquet");
    assert.equal(fromParquet.response.status, 201, JSON.stringify(fromParquet.json));
    assert.equal(fromParquet.json.file, "data/test-00000-of-00001.parquet");
    assert.deepEqual(fromParquet.json.metrics, named.json.metrics);
    const notParquet = await evaluateOn(t.url, "tests/tiny-ner", "tests/not-parquet");
    assert.equal(notParquet.response.status, 400);
    assert.match(
      String(notParquet.json.error),
      /^data\/test-00000-of-00001\.parquet: not a Parquet file Hangar can read \(/,
    );

    const outOfRange = await evaluateOn(t.url, "tests/tiny-ner", "tests/ids-out-of-range");
    assert.equal(outOfRange.response.status, 400);
    assert.equal(
      outOfRange.json.error,
      "test.jsonl, row 1: 7 in ner_tags is not one of the 5 class ids the dataset card names",
    );
  });

  it("reads a classification file's label ids through the card's class names, as with the names", async () => {
    await makeModel(t.hangar, {
      kind: "sentiment",
      repo: { type: "model", namespace: "hangar", name: "sentiment-tiny" },
    });
    const heldOut = await readSentimentSplit("test");
    const names = [...new Set(heldOut.map((row) => row.label))].sort();
    const card = [
      "---",
      "dataset_info:",
      "  features:",
      "  - name: text",
      "    dtype: string",
      "  - name: label",
      "    dtype:",
      "      class_label:",
      "        names:",
      ...names.map((name, id) => `          '${id}': ${name}`),
      "---",
      "",
    ].join("\n");
    await importFiles(
      t.hangar,
      "tests/reviews-by-name",
      {
        "test.csv": csv(
          ["text", "label"],
          heldOut.map((row) => [row.text, row.label]),
        ),
      },
      { type: "dataset" },
    );
    await importFiles(
      t.hangar,
      "tests/reviews-by-id",
      {
        "README.md": card,
        "test.csv": csv(
          ["text", "label"],
          heldOut.map((row) => [row.text, String(names.indexOf(row.label))]),
        ),
      },
      { type: "dataset" },
    );
    const byName = await evaluateOn(t.url, "hangar/sentiment-tiny", "tests/reviews-by-name");
    const byId = await evaluateOn(t.url, "hangar/sentiment-tiny", "tests/reviews-by-id");
    assert.equal(byName.response.status, 201, JSON.stringify(byName.json));
    assert.equal(byId.response.status, 201, JSON.stringify(byId.json));
    assert.deepEqual(byId.json.metrics, byName.json.metrics);
    assert.ok((byId.json.metrics as { accuracy: number }).accuracy > 0.5, "the ids were read as names");
    assert.ok(
      (byId.json.details as { notes: string[] }).notes.includes(
        `label ids read as the class names of the dataset card: ${names.join(", ")}`,
      ),
    );
  });

  it("evaluates zero-shot classification with the dataset's labels as the candidates", async () => {
    const rows = [
      ["The match ended with a late goal for the home team", "sports"],
      ["Heavy rain and strong wind are expected tomorrow", "weather"],
      ["The soup was delicious and the bread fresh", "food"],
      ["The band played their new songs on the guitar", "music"],
      ["The striker scored twice in the second half", "sports"],
      ["It will be sunny and warm all weekend", "weather"],
    ];
    await importFiles(
      t.hangar,
      "tests/topics",
      { "test.csv": csv(["text", "label"], rows) },
      { type: "dataset" },
    );
    const candidates = [...new Set(rows.map((row) => row[1]!))].sort();
    let correct = 0;
    for (const [text, label] of rows) {
      const { json } = await post(t.url, "/v1/inference/zero-shot-classification", {
        model: "hangar/zero-shot-tiny",
        inputs: text,
        parameters: { candidate_labels: candidates },
      });
      if ((json.outputs as Array<{ label: string }>)[0]!.label === label) correct++;
    }
    const { response, json } = await evaluateOn(t.url, "hangar/zero-shot-tiny", "tests/topics");
    assert.equal(response.status, 201, JSON.stringify(json));
    assert.equal(json.task, "zero-shot-classification");
    assert.equal((json.metrics as Record<string, number>).accuracy, correct / rows.length);
    assert.ok(
      (json.details as { notes: string[] }).notes.includes(`candidate labels: ${candidates.join(", ")}`),
      JSON.stringify(json.details),
    );
    const limited = await post(t.url, "/v1/evaluations", {
      model: "hangar/zero-shot-tiny",
      dataset: "tests/topics",
      limit: 2,
    });
    assert.equal(limited.json.examples, 2);
    assert.equal(limited.json.limit, 2);
  });
});
