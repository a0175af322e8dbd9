import assert from "node:assert/strict";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { readJsonl, uploadBatchInput, waitForBatch } from "../helpers/batch-jobs.ts";
import { type ServeProcess, spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

const ROWS = 10_000;
const WORDS = ["good", "bad", "great", "awful", "movie", "plot", "love", "boring", "the", "film"];

function serveEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith("HANGAR_")) delete env[name];
  return { ...env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1", HANGAR_LOG_LEVEL: "silent" };
}

describe("a batch job survives SIGKILL of the server", () => {
  let home: { path: string; remove: () => Promise<void> };
  let token: string;
  let served: ServeProcess | undefined;

  before(async () => {
    home = await makeTempDir("hangar-batch-crash-");
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      await importTinyModels(hangar, ["tests/tiny-sentiment"]);
      await createUser(hangar, { name: "carol" });
      token = (await createToken(hangar, { user: "carol", role: "write" })).token;
    } finally {
      await hangar.close();
    }
  });
  after(async () => {
    if (served) await stopServe(served.child);
    await home.remove();
  });

  it("10,000 rows: killed half-way, restarted, every row answered exactly once and none redone", async () => {
    served = await spawnServe(["--home", home.path, "--port", "0"], serveEnv());
    let client = new OpenAI({ apiKey: token, baseURL: `${served.url}/v1`, maxRetries: 0 });
    const lines = Array.from({ length: ROWS }, (_, n) => ({
      custom_id: `ticket-${n}`,
      method: "POST",
      url: "/v1/inference/text-classification",
      body: {
        model: "tests/tiny-sentiment",
        inputs: `${WORDS[n % 10]} ${WORDS[Math.floor(n / 10) % 10]} ${WORDS[Math.floor(n / 100) % 10]}`,
      },
    }));
    const file = await uploadBatchInput(client, lines);
    const job = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/inference/text-classification" as "/v1/embeddings",
      completion_window: "24h",
    });
    await waitForBatch(client, job.id, (batch) => (batch.request_counts?.completed ?? 0) >= ROWS * 0.3);
    const exited = once(served.child, "exit");
    served.child.kill("SIGKILL");
    await exited;

    // What the dead server had recorded: those records must come out unchanged (not answered again).
    const catalog = await Catalog.open(join(home.path, "hangar.db"));
    let before: string[] = [];
    try {
      const counts = await catalog.batches.counts(job.id);
      assert.ok(
        counts.completed > 0 && counts.completed < ROWS,
        `recorded ${counts.completed} before the kill`,
      );
      for await (const page of catalog.batches.records(job.id, true)) before = before.concat(page);
      assert.equal((await catalog.batches.get(job.id))?.status, "in_progress");
    } finally {
      await catalog.close();
    }

    served = await spawnServe(["--home", home.path, "--port", "0"], serveEnv());
    client = new OpenAI({ apiKey: token, baseURL: `${served.url}/v1`, maxRetries: 0 });
    const done = await waitForBatch(client, job.id, undefined, 300_000);
    assert.equal(done.status, "completed");
    assert.deepEqual(done.request_counts, { total: ROWS, completed: ROWS, failed: 0 });
    assert.equal(done.error_file_id, null);
    const output = await readJsonl(client, done.output_file_id!);
    assert.equal(output.length, ROWS);
    assert.deepEqual(
      output.map((record) => record.custom_id),
      lines.map((line) => line.custom_id),
      "every row once, in input order",
    );
    const byCustomId = new Map(output.map((record) => [record.custom_id, JSON.stringify(record)]));
    for (const record of before) {
      assert.equal(
        byCustomId.get(JSON.parse(record).custom_id),
        record,
        "a row recorded before the kill is kept as it was",
      );
    }
    for (const record of output) assert.equal(record.response.status_code, 200);
  });
});
