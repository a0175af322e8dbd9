// Evaluation beyond text classification: named entities scored as seqeval does, labels read as class ids
// through the dataset card, and zero-shot classification with the dataset's labels as candidates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { makeModel } from "../../src/factory/make-model.ts";
import { readSentimentSplit } from "../../src/factory/sentiment.ts";
import { csv, evaluateOn, post } from "../helpers/evaluation-requests.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyNerFiles } from "../helpers/tiny-inference-models.ts";

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
