import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { className, classNamesOf } from "../../src/evaluation/class-names.ts";
import {
  entitiesOfTags,
  scoreClassification,
  scoreEntities,
  wordsOfCharacterSpan,
} from "../../src/evaluation/metrics.ts";
import { parseTable } from "../../src/evaluation/parse-table.ts";

describe("evaluation: reading labelled files", () => {
  it("reads CSV as RFC 4180 writes it: quotes, doubled quotes, commas and line breaks inside quotes, CRLF, BOM", () => {
    const text =
      '\ufefftext,label\r\n"Good, really ""good""",POSITIVE\r\n"two\nlines",NEGATIVE\r\n\r\nplain,POSITIVE';
    assert.deepEqual(parseTable(text, "csv", "test.csv"), {
      columns: ["text", "label"],
      rows: [
        { text: 'Good, really "good"', label: "POSITIVE" },
        { text: "two\nlines", label: "NEGATIVE" },
        { text: "plain", label: "POSITIVE" },
      ],
    });
  });

  it("reads TSV, and short rows get empty cells", () => {
    assert.deepEqual(parseTable("label\ttext\nPOSITIVE\ta, b\nNEGATIVE\n", "tsv", "test.tsv"), {
      columns: ["label", "text"],
      rows: [
        { label: "POSITIVE", text: "a, b" },
        { label: "NEGATIVE", text: "" },
      ],
    });
  });

  it("reads JSON Lines with the columns in order of first appearance, and names a bad line", () => {
    const table = parseTable(
      '{"text": "a", "label": 1}\n\n{"label": 0, "extra": true}\n',
      "jsonl",
      "x.jsonl",
    );
    assert.deepEqual(table.columns, ["text", "label", "extra"]);
    assert.deepEqual(table.rows[1], { label: 0, extra: true });
    assert.throws(
      () => parseTable('{"text": "a"}\n{oops\n', "jsonl", "x.jsonl"),
      /x\.jsonl, line 2: not JSON/,
    );
    assert.throws(() => parseTable("[1, 2]\n", "jsonl", "x.jsonl"), /must be an object/);
  });
});

describe("evaluation: class names from the dataset card", () => {
  const tagNames = { "0": "O", "1": "B-PER", "2": "I-PER" };

  it("reads class_label names of a label, of a sequence (datasets < 4) and of a list (datasets 4)", () => {
    const card = {
      dataset_info: {
        features: [
          { name: "text", dtype: "string" },
          { name: "label", dtype: { class_label: { names: { "0": "neg", "1": "pos" } } } },
          { name: "ner_tags", sequence: { class_label: { names: tagNames } } },
          { name: "pos_tags", list: { class_label: { names: ["NOUN", "VERB"] } } },
        ],
      },
    };
    assert.deepEqual(classNamesOf(card, "label"), ["neg", "pos"]);
    assert.deepEqual(classNamesOf(card, "ner_tags"), ["O", "B-PER", "I-PER"]);
    assert.deepEqual(classNamesOf(card, "pos_tags"), ["NOUN", "VERB"]);
    assert.equal(classNamesOf(card, "text"), undefined);
    assert.equal(classNamesOf(card, "missing"), undefined);
    assert.equal(classNamesOf(undefined, "label"), undefined);
  });

  it("reads a card of several configurations only through its default one", () => {
    const config = (name: string, names: string[]) => ({
      config_name: name,
      features: [{ name: "label", dtype: { class_label: { names } } }],
    });
    assert.deepEqual(
      classNamesOf({ dataset_info: [config("other", ["x", "y"]), config("default", ["a", "b"])] }, "label"),
      ["a", "b"],
    );
    assert.equal(
      classNamesOf({ dataset_info: [config("one", ["x"]), config("two", ["y"])] }, "label"),
      undefined,
    );
    assert.deepEqual(classNamesOf({ dataset_info: [config("only", ["x", "y"])] }, "label"), ["x", "y"]);
  });

  it("refuses names with missing or malformed ids", () => {
    const card = (names: unknown) => ({
      dataset_info: { features: [{ name: "label", dtype: { class_label: { names } } }] },
    });
    assert.equal(classNamesOf(card({ "0": "a", "2": "c" }), "label"), undefined);
    assert.equal(classNamesOf(card({ "0": "a", "01": "b" }), "label"), undefined);
    assert.equal(classNamesOf(card({ "0": "a", one: "b" }), "label"), undefined);
    assert.equal(classNamesOf(card(["a", 2]), "label"), undefined);
  });

  it("names a class id given as a number or as digits, and nothing else", () => {
    const names = ["O", "B-PER"];
    assert.equal(className(names, 1), "B-PER");
    assert.equal(className(names, "0"), "O");
    assert.equal(className(names, 2), undefined);
    assert.equal(className(names, -1), undefined);
    assert.equal(className(names, 0.5), undefined);
    assert.equal(className(names, "B-PER"), undefined);
  });
});

describe("evaluation: metrics", () => {
  it("accuracy and macro-F1 over gold and predicted labels, as scikit-learn computes them", () => {
    const gold = ["a", "a", "a", "b", "b", "c"];
    const predicted = ["a", "a", "b", "b", "c", "c"];
    const scores = scoreClassification(gold, predicted);
    assert.equal(scores.accuracy, 4 / 6);
    // a: P 1, R 2/3 -> F1 0.8; b: P 1/2, R 1/2 -> 0.5; c: P 1/2, R 1 -> 2/3.
    assert.ok(Math.abs(scores.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12, `${scores.macroF1}`);
    assert.deepEqual(scores.perLabel.c, { precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    // A label only ever predicted counts with F1 0.
    assert.equal(scoreClassification(["a", "a"], ["a", "z"]).macroF1, (2 / 3 + 0) / 2);
  });

  it("reads entities from IOB2, IOB1, BIOES and IO tags", () => {
    assert.deepEqual(entitiesOfTags(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"]), [
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 3, end: 3 },
      { type: "LOC", start: 4, end: 4 },
      { type: "ORG", start: 5, end: 5 },
    ]);
    assert.deepEqual(entitiesOfTags(["I-PER", "I-PER", "I-LOC"]), [
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 2, end: 2 },
    ]);
    assert.deepEqual(entitiesOfTags(["S-PER", "B-LOC", "E-LOC", "O"]), [
      { type: "PER", start: 0, end: 0 },
      { type: "LOC", start: 1, end: 2 },
    ]);
    assert.deepEqual(entitiesOfTags(["PER", "PER", "O", "LOC"]), [
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 3, end: 3 },
    ]);
  });

  it("entity F1 needs the exact type and words; character spans map to the words they overlap", () => {
    const scores = scoreEntities(
      [[{ type: "PER", start: 0, end: 1 }], [{ type: "LOC", start: 2, end: 2 }]],
      [[{ type: "PER", start: 0, end: 0 }], [{ type: "LOC", start: 2, end: 2 }]],
    );
    assert.equal(scores.precision, 0.5);
    assert.equal(scores.recall, 0.5);
    assert.equal(scores.f1, 0.5);
    const words = ["Alice", "Smith", "lives", "in", "Paris"];
    assert.deepEqual(wordsOfCharacterSpan(words, 0, 11), { start: 0, end: 1 });
    assert.deepEqual(wordsOfCharacterSpan(words, 21, 26), { start: 4, end: 4 });
    assert.deepEqual(wordsOfCharacterSpan(words, 2, 4), { start: 0, end: 0 });
    assert.equal(wordsOfCharacterSpan(words, 40, 45), null);
  });
});
