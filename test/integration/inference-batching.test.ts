// Dynamic batching: concurrent requests to one model coalesce into one model call (requests with other
// parameters kept apart), and fill-mask, question answering and zero-shot classification answer batched as
// they answer alone.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { post, queueOf, startWith } from "../helpers/inference-runtime.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierExpectation } from "../helpers/tiny-models.ts";

describe("dynamic batching", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startWith({ maxBatchSize: 8, maxQueueDelayMs: 200 }, ["tests/tiny-sentiment"]);
  });
  after(() => hub.close());

  it("coalesces concurrent requests into one model call and splits the answers back", async () => {
    // One word each: the tiny classifier averages over padding too, so equal lengths keep scores exact.
    const sentences = ["good", "bad", "love", "awful", "great", "boring"];
    const answers = await Promise.all(
      sentences.map(async (sentence) => {
        const response = await post(hub, "/v1/inference/text-classification", {
          model: "tests/tiny-sentiment",
          inputs: sentence,
          parameters: { top_k: 1 },
        });
        assert.equal(response.status, 200);
        return (await response.json()) as { outputs: Array<{ label: string; score: number }>; task: string };
      }),
    );
    sentences.forEach((sentence, index) => {
      const expected = tinyClassifierExpectation(sentence);
      assert.equal(answers[index]!.task, "text-classification");
      assert.equal(answers[index]!.outputs[0]!.label, expected.label, sentence);
      assert.ok(Math.abs(answers[index]!.outputs[0]!.score - expected.score) < 1e-5);
    });
    const batches = queueOf(hub, "tests/tiny-sentiment")!.batches;
    assert.equal(
      batches.reduce((sum, size) => sum + size, 0),
      sentences.length,
    );
    assert.ok(Math.max(...batches) > 1, `batch sizes ${batches.join(", ")}`);
    const metered = (await hub.hangar.inference.usageEvents()).map((event) => event.batchSize);
    assert.equal(
      Math.max(...metered),
      Math.max(...batches),
      "usage rows record the batch each request rode in",
    );
  });

  it("keeps requests with different parameters apart", async () => {
    const before = queueOf(hub, "tests/tiny-sentiment")!.batches.length;
    const [one, two] = await Promise.all([
      hub.hangar.inference.run({
        caller: null,
        model: "tests/tiny-sentiment",
        task: "text-classification",
        inputs: "good",
        parameters: { top_k: 1 },
        api: "library",
      }),
      hub.hangar.inference.run({
        caller: null,
        model: "tests/tiny-sentiment",
        task: "text-classification",
        inputs: "good",
        parameters: { top_k: 2 },
        api: "library",
      }),
    ]);
    assert.equal((one.outputs as unknown[]).length, 1);
    assert.equal((two.outputs as unknown[]).length, 2);
    assert.deepEqual(queueOf(hub, "tests/tiny-sentiment")!.batches.slice(before), [1, 1]);
  });
});

/**
 * The same answers: equal labels, tokens, texts, offsets and order; scores equal to 1e-6. A padded batch may
 * sum a row's values in another order inside onnxruntime, which can move a score's last bits, and which
 * requests share a batch depends on when they arrive.
 */
function assertSameAnswers(actual: unknown, expected: unknown, path = "outputs"): void {
  if (typeof expected === "number" && !Number.isInteger(expected)) {
    assert.equal(typeof actual, "number", path);
    assert.ok(Math.abs((actual as number) - expected) <= 1e-6, `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), path);
    assert.equal(actual.length, expected.length, `${path}.length`);
    for (const [index, item] of expected.entries()) {
      assertSameAnswers(actual[index], item, `${path}[${index}]`);
    }
  } else if (expected !== null && typeof expected === "object") {
    assert.deepEqual(Object.keys(actual as object), Object.keys(expected), path);
    for (const [key, value] of Object.entries(expected)) {
      assertSameAnswers((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
  } else {
    assert.equal(actual, expected, path);
  }
}

describe("dynamic batching of fill-mask, question answering and zero-shot classification", () => {
  // The same factory models on two instances: one batching, one running every request alone.
  let batching: TestHangar;
  let alone: TestHangar;
  before(async () => {
    batching = await startTestHangar({ inference: { maxBatchSize: 8, maxQueueDelayMs: 200 } });
    alone = await startTestHangar({ inference: { maxBatchSize: 1 } });
    for (const hub of [batching, alone])
      await commitFactoryModels(hub.hangar, ["fill-mask", "qa", "zero-shot"]);
  });
  after(async () => {
    await batching.close();
    await alone.close();
  });

  const context =
    "Sofia Costa started Nordic Robotics in Oslo in 2019. Later Lena Fischer moved it to Hamburg.";
  const labels = ["sports", "weather", "food", "music"];
  const cases: Array<{
    task: string;
    model: string;
    bodies: Array<{ inputs: unknown; parameters?: unknown }>;
  }> = [
    {
      task: "fill-mask",
      model: "factory/fill-mask",
      bodies: [
        "The weather will be [MASK] tomorrow.",
        "The movie was [MASK].",
        "I [MASK] this film, it was great.",
        ["We went to the [MASK] on Sunday.", "She is a [MASK] singer."],
      ].map((inputs) => ({ inputs, parameters: { top_k: 3 } })),
    },
    {
      task: "question-answering",
      model: "factory/qa",
      bodies: [
        "Who started Nordic Robotics?",
        "Where did Lena Fischer move it?",
        "When did Sofia Costa start Nordic Robotics?",
        "Where did Sofia Costa start Nordic Robotics?",
      ].map((question) => ({ inputs: { question, context } })),
    },
    {
      task: "zero-shot-classification",
      model: "factory/zero-shot",
      bodies: [
        "The team won the match in the final minute",
        "It will rain all day tomorrow with strong wind",
        "Add salt and pepper to the soup before serving",
        "The band played their new song on the guitar",
      ].map((inputs) => ({ inputs, parameters: { candidate_labels: labels } })),
    },
  ];

  const ask = async (hub: TestHangar, task: string, model: string, body: object) => {
    const response = await post(hub, `/v1/inference/${task}`, { model, ...body });
    assert.equal(response.status, 200, `${task}: ${await response.clone().text()}`);
    return ((await response.json()) as { outputs: unknown }).outputs;
  };

  for (const { task, model, bodies } of cases) {
    it(`${task}: concurrent requests share model calls and get the answers they get alone`, async () => {
      const expected = [];
      for (const body of bodies) expected.push(await ask(alone, task, model, body));
      assert.deepEqual(
        queueOf(alone, model)!.batches,
        bodies.map(() => 1),
        "unbatched: one call per request",
      );

      const answers = await Promise.all(bodies.map((body) => ask(batching, task, model, body)));
      assertSameAnswers(answers, expected);
      const batches = queueOf(batching, model)!.batches;
      assert.equal(
        batches.reduce((sum, size) => sum + size, 0),
        bodies.length,
      );
      assert.ok(
        batches.length < bodies.length,
        `${bodies.length} requests in model calls of ${batches.join(", ")}`,
      );
      const metered = (await batching.hangar.inference.usageEvents({ model })).map(
        (event) => event.batchSize,
      );
      assert.equal(Math.max(...metered), Math.max(...batches));
    });
  }

  it("the answers make sense, so the comparison above compares something", async () => {
    const [filled, answered, classified] = await Promise.all(
      cases.map(({ task, model, bodies }) => ask(alone, task, model, bodies[0]!)),
    );
    const words = (filled as Array<{ token_str: string; sequence: string }>).map((entry) => entry.token_str);
    assert.equal(words.length, 3);
    assert.ok(
      (filled as Array<{ sequence: string }>)[0]!.sequence.startsWith("the weather will be"),
      JSON.stringify(filled),
    );
    assert.deepEqual(
      { answer: (answered as { answer: string }).answer, start: (answered as { start: number }).start },
      { answer: "Sofia Costa", start: 0 },
    );
    assert.equal((classified as Array<{ label: string }>)[0]!.label, "sports");
    assert.deepEqual(
      (classified as Array<{ label: string }>).map((entry) => entry.label).sort(),
      [...labels].sort(),
    );
  });

  it("a fill-mask text without the mask fails alone (400); the requests batched with it are answered", async () => {
    const before = queueOf(batching, "factory/fill-mask")!.batches.length;
    const [good, bad, alsoGood] = await Promise.all(
      ["The movie was [MASK].", "There is no mask here.", "The weather will be [MASK] tomorrow."].map(
        (inputs) =>
          post(batching, "/v1/inference/fill-mask", {
            model: "factory/fill-mask",
            inputs,
            parameters: { top_k: 3 },
          }),
      ),
    );
    assert.equal(bad!.status, 400);
    assert.deepEqual(await bad!.json(), {
      error: '"inputs" must contain the mask token [MASK]',
      code: "HANGAR_ERR_BAD_REQUEST",
    });
    assert.equal(good!.status, 200);
    assert.equal(alsoGood!.status, 200);
    const batches = queueOf(batching, "factory/fill-mask")!.batches.slice(before);
    assert.equal(
      batches.reduce((sum, size) => sum + size, 0),
      3,
    );
    assert.ok(batches.length < 3, `model calls of ${batches.join(", ")}`);
  });
});
