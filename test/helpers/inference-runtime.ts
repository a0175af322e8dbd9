// What the inference runtime tests (test/integration/inference-*.test.ts on batching, queues, settings, the
// model pool and metering) share: an instance with inference settings and tiny models, JSON requests, a
// completion that holds a model's slot, and a model's queue statistics (polls: helpers/until.ts).
import type OpenAI from "openai";
import type { InferenceSettings } from "../../src/core/inference-config.ts";
import { startTestHangar, type TestHangar } from "./test-hangar.ts";
import { importTinyModels } from "./tiny-inference-models.ts";

/** An instance with these inference settings and the tiny models (all of them, or `models`). */
export async function startWith(
  settings: Partial<InferenceSettings>,
  models?: Parameters<typeof importTinyModels>[1],
) {
  const hub = await startTestHangar({ inference: settings });
  await importTinyModels(hub.hangar, models);
  return hub;
}

/** A JSON POST to `path` of the instance, with a bearer token and an abort signal if given. */
export function post(
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
export async function holdSlot(openai: OpenAI): Promise<{ next(): Promise<unknown>; stop(): void }> {
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

/** The statistics of `model`'s queue (of whichever revision), if it has one. */
export function queueOf(hub: TestHangar, model: string) {
  const stats = hub.hangar.inference.stats();
  const key = Object.keys(stats.queues).find((entry) => entry.startsWith(`${model}@`));
  return key ? stats.queues[key] : undefined;
}
