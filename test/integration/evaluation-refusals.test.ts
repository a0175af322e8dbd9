// Evaluation refuses bad input (unknown models and datasets, a wrong task, missing or odd columns, empty or
// broken files) with the error that names the problem, and records nothing; runs go with their dataset.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { evaluateModel } from "../../src/evaluation/evaluate-model.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { csv, evaluateOn, post } from "../helpers/evaluation-requests.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyEmbedderFiles } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierFiles } from "../helpers/tiny-models.ts";

/** The tiny word-list classifier. */
const WORD_LIST = "tests/tiny-sentiment";

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
