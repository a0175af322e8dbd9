import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import OpenAI from "openai";
import { resolveConfig } from "../../src/core/config.ts";
import type { InferenceSettings } from "../../src/core/inference-config.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { roomTone, wavBytes } from "../helpers/audio-fixtures.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierExpectation } from "../helpers/tiny-models.ts";

async function startWith(
  settings: Partial<InferenceSettings>,
  models?: Parameters<typeof importTinyModels>[1],
) {
  const hub = await startTestHangar({ inference: settings });
  await importTinyModels(hub.hangar, models);
  return hub;
}

function post(
  hub: TestHangar,
  path: string,
  body: unknown,
  token?: string,
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${hub.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/**
 * A streamed completion of the tiny LM that counts without end: it holds one of the model's slots, producing
 * tokens, until `stop()` (the client goes away and the model stops at its next token).
 */
async function holdSlot(openai: OpenAI): Promise<{ next(): Promise<unknown>; stop(): void }> {
  const controller = new AbortController();
  const stream = await openai.completions.create(
    { model: "tests/tiny-lm", prompt: "count", max_tokens: 30_000, stream: true },
    { signal: controller.signal },
  );
  const iterator = stream[Symbol.asyncIterator]();
  await iterator.next();
  return {
    next: () => iterator.next(),
    stop: () => controller.abort(),
  };
}

/** Polls a condition on the in-process runtime (state, not time, decides). */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`gave up waiting for ${what}`);
}

function queueOf(hub: TestHangar, model: string) {
  const stats = hub.hangar.inference.stats();
  const key = Object.keys(stats.queues).find((entry) => entry.startsWith(`${model}@`));
  return key ? stats.queues[key] : undefined;
}

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

describe("queue limits, cancellation and timeouts", () => {
  let hub: TestHangar;
  let openai: OpenAI;
  before(async () => {
    hub = await startWith({ maxQueue: 1, maxConcurrency: 1 }, ["tests/tiny-lm"]);
    openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
  });
  after(() => hub.close());

  it("answers 429 with Retry-After when the model's queue is full", async () => {
    const running = new AbortController();
    const stream = await openai.completions.create(
      { model: "tests/tiny-lm", prompt: "count", max_tokens: 2000, stream: true },
      { signal: running.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const waiting = post(hub, "/v1/inference/text-generation", {
      model: "tests/tiny-lm",
      inputs: "count",
      parameters: { max_new_tokens: 2 },
    });
    await until(() => queueOf(hub, "tests/tiny-lm")?.waiting === 1, "the second request to queue");
    const refused = await post(hub, "/v1/inference/text-generation", {
      model: "tests/tiny-lm",
      inputs: "count",
    });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.equal(refused.headers.get("x-error-code"), "RateLimited");
    assert.match(((await refused.json()) as { error: string }).error, /busy/);
    running.abort();
    const served = await waiting;
    assert.equal(served.status, 200);
    assert.equal(
      ((await served.json()) as { outputs: { generated_text: string } }).outputs.generated_text,
      "one two",
    );
  });

  it("drops a queued request whose client goes away: it never runs, and is metered as cancelled", async () => {
    const queue = () => queueOf(hub, "tests/tiny-lm")!;
    const held = await holdSlot(openai);
    const callsBefore = queue().batches.length;
    const cancelledBefore = queue().cancelled;
    const leaving = new AbortController();
    const left = post(
      hub,
      "/v1/inference/text-generation",
      { model: "tests/tiny-lm", inputs: "count", parameters: { max_new_tokens: 2 } },
      undefined,
      leaving.signal,
    );
    await until(() => queue().waiting === 1, "the second request to queue behind the stream");
    leaving.abort();
    await assert.rejects(left, { name: "AbortError" });
    await until(() => queue().cancelled === cancelledBefore + 1, "the request to leave the queue");
    assert.equal(queue().waiting, 0);
    held.stop();
    await until(() => queue().running === 0, "the stream to stop");

    const served = await post(hub, "/v1/inference/text-generation", {
      model: "tests/tiny-lm",
      inputs: "count",
      parameters: { max_new_tokens: 3 },
    });
    assert.equal(served.status, 200);
    assert.equal(
      ((await served.json()) as { outputs: { generated_text: string } }).outputs.generated_text,
      "one two three",
    );
    assert.deepEqual(
      queue().batches.slice(callsBefore),
      [1],
      "one model call: the request that left never ran",
    );
    const events = (await hub.hangar.inference.usageEvents({ model: "tests/tiny-lm" })).filter(
      (e) => e.api === "task",
    );
    const [answered, cancelled] = events;
    assert.deepEqual(
      { outcome: answered!.outcome, status: answered!.status, outputUnits: answered!.outputUnits },
      { outcome: "ok", status: 200, outputUnits: 3 },
    );
    assert.deepEqual(
      {
        task: cancelled!.task,
        outcome: cancelled!.outcome,
        status: cancelled!.status,
        errorCode: cancelled!.errorCode,
        inputUnits: cancelled!.inputUnits,
        outputUnits: cancelled!.outputUnits,
      },
      {
        task: "text-generation",
        outcome: "cancelled",
        status: 499,
        errorCode: null,
        inputUnits: 1,
        outputUnits: 0,
      },
      "the request that left: its prompt's token, nothing generated",
    );
  });

  it("stops generating when the client goes away", async () => {
    const cancelledBefore = (await hub.hangar.inference.usageEvents()).filter(
      (event) => event.outcome === "cancelled",
    ).length;
    const controller = new AbortController();
    const stream = await openai.completions.create(
      { model: "tests/tiny-lm", prompt: "count", max_tokens: 2000, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    for await (const _chunk of stream) {
      if (++received === 3) {
        controller.abort();
        break;
      }
    }
    const cancelledEvents = async () =>
      (await hub.hangar.inference.usageEvents()).filter((event) => event.outcome === "cancelled");
    await until(
      async () => (await cancelledEvents()).length > cancelledBefore,
      "the cancelled request to be metered",
    );
    const cancelled = (await cancelledEvents())[0]!;
    assert.equal(cancelled.api, "openai");
    assert.equal(cancelled.status, 499);
    assert.ok(cancelled.outputUnits >= 3 && cancelled.outputUnits < 2000, `${cancelled.outputUnits} tokens`);
    assert.equal(queueOf(hub, "tests/tiny-lm")!.running, 0, "the model's slot is free again");
  });

  /** A generation far longer than any timeout below (the tiny model counts for 5,000 tokens). */
  const generateLong = (hub: TestHangar, extra: Record<string, unknown> = {}) =>
    post(hub, "/v1/inference/text-generation", {
      model: "tests/tiny-lm",
      inputs: "count",
      parameters: { max_new_tokens: 5000 },
      ...extra,
    });

  it("times out even when garbage is collected while the request runs", async () => {
    const quick = await startWith({ timeoutMs: 300 }, ["tests/tiny-lm"]);
    // Full collections while the model generates: a timeout nothing holds on to must still fire.
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const collecting = setInterval(collect, 20);
    try {
      assert.equal((await generateLong(quick)).status, 504);
    } finally {
      clearInterval(collecting);
      await quick.close();
    }
  });

  it("answers 504 when a request runs out of time, and frees the model", async () => {
    const quick = await startWith({ timeoutMs: 50 }, ["tests/tiny-lm"]);
    try {
      const response = await generateLong(quick);
      assert.equal(response.status, 504);
      assert.equal(response.headers.get("x-error-code"), "Timeout");
      // Under load the 50 ms can run out while the model is still loading, before its queue exists.
      await until(() => (queueOf(quick, "tests/tiny-lm")?.running ?? 0) === 0, "generation to stop");
      const streamed = await generateLong(quick, { stream: true });
      const last = (await streamed.text()).trim().split("\n\n").at(-1)!;
      assert.deepEqual(JSON.parse(last.replace(/^data: /, "")), {
        error: "The inference request took too long and was stopped",
        error_type: "generation",
      });
    } finally {
      await quick.close();
    }
  });
});

describe("runtime settings", () => {
  it("runs two calls of one model at once with maxConcurrency 2; a third waits for a free slot", async () => {
    const hub = await startWith({ maxConcurrency: 2 }, ["tests/tiny-lm"]);
    try {
      const openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
      const queue = () => queueOf(hub, "tests/tiny-lm")!;
      const first = await holdSlot(openai);
      const second = await holdSlot(openai);
      assert.equal(queue().running, 2);
      // Both keep generating side by side.
      assert.deepEqual(
        await Promise.all([first.next(), second.next()]).then((chunks) =>
          chunks.map((c) => (c as { done: boolean }).done),
        ),
        [false, false],
      );
      const third = post(hub, "/v1/inference/text-generation", {
        model: "tests/tiny-lm",
        inputs: "count",
        parameters: { max_new_tokens: 2 },
      });
      await until(() => queue().waiting === 1, "the third request to wait");
      assert.equal(queue().running, 2);
      first.stop();
      const answer = await third;
      assert.equal(answer.status, 200);
      assert.equal(
        ((await answer.json()) as { outputs: { generated_text: string } }).outputs.generated_text,
        "one two",
      );
      second.stop();
      await until(() => queue().running === 0, "both streams to stop");
    } finally {
      await hub.close();
    }
  });

  /** One request to each model, so each gets loaded; returns the loaded models' stats by repo id. */
  async function loadEach(hub: TestHangar) {
    const png = await renderTextPng(["Hello Offline"]);
    const requests: Array<[string, string, unknown, Record<string, unknown>?]> = [
      ["text-classification", "tests/tiny-sentiment", "good"],
      ["fill-mask", "factory/fill-mask", "The movie was [MASK]."],
      [
        "zero-shot-classification",
        "factory/zero-shot",
        "We won the match",
        { candidate_labels: ["sports", "food"] },
      ],
      ["image-to-text", "hangar/paddleocr", png.toString("base64")],
      ["voice-activity-detection", "hangar/silero-vad", wavBytes(roomTone(1, 16000)).toString("base64")],
    ];
    const outputs = [];
    for (const [task, model, inputs, parameters] of requests) {
      const response = await post(hub, `/v1/inference/${task}`, { model, inputs, parameters });
      assert.equal(response.status, 200, `${model}: ${await response.clone().text()}`);
      outputs.push(((await response.json()) as { outputs: unknown }).outputs);
    }
    assert.equal((outputs[3] as { generated_text: string }).generated_text, "Hello Offline");
    assert.deepEqual(outputs[4], [], "no speech in a quiet room");
    const { models, queues } = hub.hangar.inference.stats();
    const byRepo = (entries: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(entries).map(([key, value]) => [key.split("@")[0]!, value]));
    return {
      models: byRepo(models) as Record<string, (typeof models)[string]>,
      queues: byRepo(queues) as Record<string, (typeof queues)[string]>,
      ids: requests.map(([, model]) => model),
    };
  }

  async function startWithEveryKind(settings: Partial<InferenceSettings>) {
    const hub = await startWith(settings, ["tests/tiny-sentiment"]);
    await commitFactoryModels(hub.hangar, ["fill-mask", "zero-shot"]);
    await importPackagedModels(hub.hangar);
    return hub;
  }

  it("HANGAR_INFERENCE_THREADS reaches the onnxruntime session options of every model that uses it", async () => {
    const settings = resolveConfig({ env: { HANGAR_INFERENCE_THREADS: "1" } }).inference!;
    assert.equal(settings.threads, 1);
    const threaded = await startWithEveryKind(settings);
    const plain = await startWithEveryKind({});
    try {
      const withThreads = (await loadEach(threaded)).models;
      const withDefault = (await loadEach(plain)).models;
      for (const id of [
        "tests/tiny-sentiment",
        "factory/fill-mask",
        "factory/zero-shot",
        "hangar/paddleocr",
      ]) {
        assert.equal(withThreads[id]!.runtime!.sessionOptions.intraOpNumThreads, 1, id);
        assert.equal(
          withDefault[id]!.runtime!.sessionOptions.intraOpNumThreads,
          undefined,
          `${id}: onnxruntime's default`,
        );
      }
      // transformers.js sessions also keep onnxruntime from busy-waiting between operators.
      assert.deepEqual(withThreads["tests/tiny-sentiment"]!.runtime!.sessionOptions.extra, {
        session: { intra_op: { allow_spinning: "0" } },
      });
      // Silero's graph runs window by window on one thread whatever the setting (see silero-vad.ts).
      for (const models of [withThreads, withDefault]) {
        const vad = models["hangar/silero-vad"]!.runtime!.sessionOptions;
        assert.deepEqual([vad.intraOpNumThreads, vad.interOpNumThreads], [1, 1]);
      }
    } finally {
      await threaded.close();
      await plain.close();
    }
  });

  it("every model is warmed up when it loads, outside its queue and its metering", async () => {
    const hub = await startWithEveryKind({});
    try {
      const { models, queues, ids } = await loadEach(hub);
      for (const id of ids) {
        assert.equal(models[id]!.runtime!.warmedUp, true, id);
        assert.deepEqual(queues[id]!.batches, [1], `${id}: the request is the model's only queued call`);
      }
      assert.equal(
        (await hub.hangar.inference.usageEvents()).length,
        ids.length,
        "only the requests are metered",
      );
    } finally {
      await hub.close();
    }
  });
});

describe("model pool", () => {
  it("unloads the least recently used model past the memory budget and shares concurrent loads", async () => {
    const measure = await startWith({}, ["tests/tiny-sentiment", "tests/tiny-ner", "tests/tiny-embedder"]);
    const run = (hub: TestHangar, model: string, inputs = "good") =>
      hub.hangar.inference.run({ caller: null, model, inputs, api: "library" });
    let sizes: Record<string, number>;
    try {
      await run(measure, "tests/tiny-sentiment");
      await run(measure, "tests/tiny-ner");
      await run(measure, "tests/tiny-embedder");
      sizes = Object.fromEntries(
        Object.entries(measure.hangar.inference.stats().pool.memoryByModel).map(([key, bytes]) => [
          key.split("@")[0]!,
          bytes,
        ]),
      );
    } finally {
      await measure.close();
    }
    const total = Object.values(sizes).reduce((sum, bytes) => sum + bytes, 0);
    const hub = await startWith({ memoryBudgetBytes: total - 1 }, [
      "tests/tiny-sentiment",
      "tests/tiny-ner",
      "tests/tiny-embedder",
    ]);
    try {
      // Two requests for a model that is not loaded yet share one load.
      await Promise.all([run(hub, "tests/tiny-sentiment"), run(hub, "tests/tiny-sentiment")]);
      assert.equal(hub.hangar.inference.stats().pool.loads, 1);
      await run(hub, "tests/tiny-ner");
      await run(hub, "tests/tiny-sentiment");
      await run(hub, "tests/tiny-embedder");
      const pool = hub.hangar.inference.stats().pool;
      assert.equal(pool.unloads, 1);
      assert.deepEqual(
        pool.loaded.map((key) => key.split("@")[0]),
        ["tests/tiny-sentiment", "tests/tiny-embedder"],
        "the NER model, used least recently, was unloaded",
      );
      assert.ok(pool.memoryBytes <= total - 1);
      await run(hub, "tests/tiny-ner");
      assert.equal(hub.hangar.inference.stats().pool.loads, 4);
    } finally {
      await hub.close();
    }
  });
});

describe("metering", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startWith({}, ["tests/tiny-sentiment", "tests/tiny-lm"]);
  });
  after(() => hub.close());

  it("records every request with model, task, sizes, latency, outcome and caller", async () => {
    const token = await hub.addUser("metered", "read");
    assert.equal(
      (await post(hub, "/models/tests/tiny-sentiment", { inputs: "good film" }, token)).status,
      200,
    );
    assert.equal(
      (
        await post(hub, "/v1/inference/text-generation", {
          model: "tests/tiny-lm",
          inputs: "count",
          parameters: { max_new_tokens: 3 },
        })
      ).status,
      200,
    );
    assert.equal(
      (await post(hub, "/v1/inference/text-classification", { model: "tests/nothing", inputs: "x" }, token))
        .status,
      404,
    );
    const events = (await hub.hangar.inference.usageEvents()).reverse();
    assert.equal(events.length, 3);
    const [classified, generated, missing] = events;
    assert.deepEqual(
      {
        model: classified!.model,
        task: classified!.task,
        api: classified!.api,
        caller: classified!.caller,
        status: classified!.status,
        outcome: classified!.outcome,
        unit: classified!.unit,
      },
      {
        model: "tests/tiny-sentiment",
        task: "text-classification",
        api: "hub",
        caller: "metered",
        status: 200,
        outcome: "ok",
        unit: "tokens",
      },
    );
    assert.equal(classified!.inputUnits, 4, "[CLS] good film [SEP]");
    assert.ok(classified!.inputBytes > 0 && classified!.outputBytes > 0);
    assert.ok(classified!.latencyMs >= 0);
    assert.match(classified!.revision ?? "", /^[0-9a-f]{40}$/);
    assert.equal(generated!.caller, null);
    assert.equal(generated!.outputUnits, 3, "generated tokens");
    assert.deepEqual(
      { status: missing!.status, outcome: missing!.outcome, errorCode: missing!.errorCode },
      { status: 404, outcome: "error", errorCode: "HANGAR_ERR_REPO_NOT_FOUND" },
    );
    const totals = await hub.hangar.inference.usageTotals({ model: "tests/tiny-lm" });
    assert.deepEqual(
      totals.map(({ model, task, requests, outputUnits }) => ({ model, task, requests, outputUnits })),
      [{ model: "tests/tiny-lm", task: "text-generation", requests: 1, outputUnits: 3 }],
    );
    // The rows are in the catalog itself, for the usage and cost work.
    assert.equal((await hub.hangar.catalog.usage.list()).length, 3);
  });
});
