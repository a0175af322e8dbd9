// The inference runtime's settings: maxConcurrency, HANGAR_INFERENCE_THREADS, and the warm-up of every model
// when it loads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { resolveConfig } from "../../src/core/config.ts";
import type { InferenceSettings } from "../../src/core/inference-config.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { roomTone, wavBytes } from "../helpers/audio-fixtures.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { holdSlot, post, queueOf, startWith } from "../helpers/inference-runtime.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";

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
