import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { env, pipeline } from "@huggingface/transformers";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierExpectation, writeTinyClassifier } from "../helpers/tiny-models.ts";

describe("transformers.js loads a model from Hangar's Hub API", () => {
  let hub: TestHangar;
  let modelFolder: { path: string; remove: () => Promise<void> };
  let cache: { path: string; remove: () => Promise<void> };
  const requested: string[] = [];
  const originalFetch = env.fetch;

  before(async () => {
    hub = await startTestHangar();
    modelFolder = await makeTempDir();
    cache = await makeTempDir("hangar-transformers-cache-");
    await writeTinyClassifier(modelFolder.path);
    await importFolder(hub.hangar, localAdministrator(), {
      folder: modelFolder.path,
      repo: { type: "model", namespace: "acme", name: "tiny-sentiment" },
    });
    env.remoteHost = `${hub.url}/`;
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
    env.cacheDir = cache.path;
    // Records what transformers.js asks for, and makes sure nothing leaves the machine.
    env.fetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(hub.url)) throw new Error(`transformers.js tried to reach ${url}`);
      requested.push(url.slice(hub.url.length));
      return fetch(input, init);
    };
  });
  after(async () => {
    env.fetch = originalFetch;
    await hub.close();
    await modelFolder.remove();
    await cache.remove();
  });

  it("runs a text-classification pipeline with the model's deterministic answers", async () => {
    const classify = await pipeline("text-classification", "acme/tiny-sentiment", { dtype: "fp32" });
    const sentences = [
      "I love this movie, it is great!",
      "The plot was awful and boring",
      "this film is good",
    ];
    for (const sentence of sentences) {
      const expected = tinyClassifierExpectation(sentence);
      const [result] = (await classify(sentence)) as Array<{ label: string; score: number }>;
      assert.equal(result!.label, expected.label, sentence);
      assert.ok(
        Math.abs(result!.score - expected.score) < 1e-5,
        `${sentence}: ${result!.score} vs ${expected.score}`,
      );
    }
    const both = (await classify("good", { top_k: 2 })) as Array<{ label: string; score: number }>;
    assert.deepEqual(
      both.map((entry) => entry.label),
      ["POSITIVE", "NEGATIVE"],
    );
    assert.ok(Math.abs(both[0]!.score + both[1]!.score - 1) < 1e-5);

    for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]) {
      assert.ok(
        requested.some((path) => path === `/acme/tiny-sentiment/resolve/main/${file}`),
        `${file} was fetched from Hangar`,
      );
    }
    const cached = await readdir(cache.path, { recursive: true });
    assert.ok(
      cached.some((path) => path.endsWith("model.onnx")),
      "the model was cached in env.cacheDir",
    );
  });
});
