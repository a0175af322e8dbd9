// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline definitions write references as ${...} in plain strings
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { combineAnswers } from "../../src/inference/ensemble.ts";
import { readBatchLines } from "../../src/workflows/batch/batch-rows.ts";
import { parsePipelineText } from "../../src/workflows/pipelines/definition.ts";
import { fillTemplate, walk } from "../../src/workflows/pipelines/references.ts";
import { validatePipeline } from "../../src/workflows/pipelines/validate-pipeline.ts";

describe("pipeline references, validation and ensemble combiners", () => {
  it("walks fields through lists and fills templates", () => {
    const ocr = { hangar: { lines: [{ text: "a" }, { text: "b" }] } };
    assert.deepEqual(walk(ocr, ["hangar", "lines", "text"]), ["a", "b"]);
    assert.equal(walk(ocr, ["hangar", "lines", "1", "text"]), "b");
    const lookup = (reference: string) =>
      walk(
        { steps: { ocr } },
        reference.split(".").filter((p) => p !== "output"),
      );
    assert.deepEqual(fillTemplate("${steps.ocr.output.hangar.lines.text}", lookup), ["a", "b"]);
    assert.equal(fillTemplate("first: ${steps.ocr.output.hangar.lines.0.text}!", lookup), "first: a!");
  });

  it("orders steps by their references and types a fan-out's output as a list", () => {
    const validated = validatePipeline(
      parsePipelineText(`
name: demo
inputs: { page: image }
steps:
  sentiment:
    task: text-classification
    model: a/sentiment
    for_each: \${steps.ocr.output.hangar.lines}
    inputs: \${item.text}
  ocr: { task: image-to-text, model: a/ocr, inputs: "\${inputs.page}" }
outputs: { labels: "\${steps.sentiment.output.0.0.label}" }
`),
    );
    assert.deepEqual(validated.order, ["ocr", "sentiment"]);
    assert.deepEqual(validated.dependsOn, { sentiment: ["ocr"], ocr: [] });
    assert.equal(validated.outputTypes.sentiment!.kind, "list");
  });

  it("finds cycles, unknown inputs and conditions on non-scalars, naming step and field", () => {
    assert.throws(
      () =>
        validatePipeline(
          parsePipelineText(`
name: loop
inputs: { text: text }
steps:
  a: { task: text-classification, model: x/y, inputs: "\${steps.b.output.0.label}" }
  b: { task: text-classification, model: x/y, inputs: "\${steps.a.output.0.label}" }
  c:
    task: text-classification
    model: x/y
    inputs: \${inputs.txt}
    when: { value: "\${inputs.text}", equals: 1 }
  d:
    task: text-classification
    model: x/y
    inputs: \${inputs.text}
    when: { value: "\${steps.e.output}", above: 0.5 }
  e: { task: text-classification, model: x/y, inputs: "\${inputs.text}" }
`),
        ),
      (error: Error & { details?: { problems: Array<{ field: string }> } }) => {
        assert.deepEqual(
          error.details!.problems.map((problem) => problem.field),
          ["steps", "steps.c.inputs", "steps.d.when.value"],
        );
        assert.match(error.message, /these steps read each other in a cycle: a, b/);
        assert.match(error.message, /\$\{inputs\.txt\} names no input \(inputs: text\)/);
        return true;
      },
    );
  });

  it("combines labelled answers by majority, weighted average and cascade", () => {
    const answers = [
      {
        model: "m/a",
        output: [
          { label: "POS", score: 0.6 },
          { label: "NEG", score: 0.4 },
        ],
      },
      {
        model: "m/b",
        output: [
          { label: "NEG", score: 0.9 },
          { label: "POS", score: 0.1 },
        ],
      },
      {
        model: "m/c",
        output: [
          { label: "POS", score: 0.55 },
          { label: "NEG", score: 0.45 },
        ],
      },
    ];
    const models = answers.map(({ model }) => ({ model }));
    const majority = combineAnswers({ method: "majority", models }, answers);
    assert.deepEqual(
      majority.labels.map((entry) => entry.label),
      ["POS", "NEG"],
    );
    assert.ok(Math.abs(majority.agreement - 2 / 3) < 1e-9);
    const weighted = combineAnswers({ method: "weighted", models }, answers);
    assert.equal(weighted.labels[0]!.label, "NEG", "a confident member outweighs two unsure ones");
    assert.ok(Math.abs(weighted.labels[0]!.score - (0.4 + 0.9 + 0.45) / 3) < 1e-9);
    const heavy = combineAnswers(
      { method: "weighted", models: [{ model: "m/a", weight: 10 }, ...models.slice(1)] },
      answers,
    );
    assert.equal(heavy.labels[0]!.label, "POS");
    const cascade = combineAnswers({ method: "cascade", models }, answers.slice(0, 2));
    assert.deepEqual([cascade.answered_by, cascade.stage, cascade.labels[0]!.label], ["m/b", 2, "NEG"]);
  });

  it("reads batch lines: numbering skips blank lines, each malformed line says why", () => {
    const text = [
      JSON.stringify({ custom_id: "a", method: "POST", url: "/v1/embeddings", body: { input: "x" } }),
      "",
      "[1]",
      JSON.stringify({ custom_id: "b", method: "GET", url: "/v1/embeddings", body: {} }),
      JSON.stringify({ custom_id: "c", url: "/v1/embeddings", body: "x" }),
    ].join("\n");
    const lines = [...readBatchLines(Buffer.from(text), "/v1/embeddings")];
    assert.deepEqual(
      lines.map((line) => [line.line, line.customId, line.error?.code ?? "ok"]),
      [
        [1, "a", "ok"],
        [2, null, "invalid_request"],
        [3, "b", "invalid_method"],
        [4, "c", "invalid_body"],
      ],
    );
  });
});
