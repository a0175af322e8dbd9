import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readTaskCorpus } from "../../src/discovery/recommend/task-corpus.ts";
import { DEFAULT_TASK_MODEL_SETTINGS } from "../../src/discovery/recommend/task-model.ts";
import { cachedTaskModel, taskModelKey } from "../../src/discovery/recommend/task-model-cache.ts";

/** Reading must be far cheaper than training (one to three seconds); generous for a loaded machine. */
const READ_BUDGET_MS = 1000;

const DESCRIPTIONS = [
  "turn our podcast episodes into written text",
  "group similar support tickets together",
  "something nice for my team",
];

describe("recommend: the task model's weights kept in a cache folder", () => {
  let directory: string;
  const corpus = readTaskCorpus();
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "hangar-task-model-"));
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it("trains once, then reads the same model back from the cache", async () => {
    const trained = cachedTaskModel({ directory, corpus });
    assert.equal(trained.from, "training");
    const files = await readdir(directory);
    assert.deepEqual(files, [`task-model-${taskModelKey(corpus, DEFAULT_TASK_MODEL_SETTINGS)}.bin`]);
    const started = performance.now();
    const cached = cachedTaskModel({ directory, corpus });
    const readMs = performance.now() - started;
    assert.equal(cached.from, "cache");
    assert.ok(readMs < READ_BUDGET_MS, `read in ${readMs} ms`);
    for (const description of DESCRIPTIONS) {
      assert.deepEqual(cached.model.classify(description), trained.model.classify(description), description);
      assert.deepEqual(
        cached.model.explain(description, cached.model.classify(description)[0]!.task),
        trained.model.explain(description, trained.model.classify(description)[0]!.task),
      );
    }
  });

  it("trains again over a damaged file, and when the settings change (dropping the old file)", async () => {
    const [file] = await readdir(directory);
    await writeFile(join(directory, file!), "not a model");
    assert.equal(cachedTaskModel({ directory, corpus }).from, "training");
    assert.equal(cachedTaskModel({ directory, corpus }).from, "cache");
    const settings = { ...DEFAULT_TASK_MODEL_SETTINGS, epochs: 1 };
    assert.equal(cachedTaskModel({ directory, corpus, settings }).from, "training");
    assert.deepEqual(await readdir(directory), [`task-model-${taskModelKey(corpus, settings)}.bin`]);
  });
});
