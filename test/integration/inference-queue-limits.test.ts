// A model's queue: full queues answer 429, requests whose client goes away are dropped or stopped, and
// requests that run out of time answer 504 and free the model.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import OpenAI from "openai";
import { holdSlot, post, queueOf, startWith } from "../helpers/inference-runtime.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";

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
