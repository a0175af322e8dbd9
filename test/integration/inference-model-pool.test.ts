// The inference model pool: past the memory budget the least recently used model is unloaded, and
// concurrent loads of one model are shared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startWith } from "../helpers/inference-runtime.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

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
