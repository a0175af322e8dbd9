import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { BatchRunner } from "../../src/workflows/batch/batch-runner.ts";
import { readJsonl, uploadBatchInput, waitForBatch } from "../helpers/batch-jobs.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

const ROWS = 300;

describe("batch jobs on PostgreSQL, two runners on one catalog", () => {
  let database: TestDatabase;
  let hub: TestHangar;
  let second: BatchRunner;

  before(async () => {
    database = await createTestDatabase();
    hub = await startTestHangar({ database: database.url });
    await importTinyModels(hub.hangar, ["tests/tiny-sentiment"]);
    // Two nodes' runners over the same catalog: the leases must keep them off each other's jobs.
    hub.hangar.batches.start();
    second = new BatchRunner(hub.hangar, { pollMs: 50 });
    second.start();
  });
  after(async () => {
    await second.close();
    await hub.close();
    await database.drop();
  });

  it("answers every line once across both runners, with the error file for bad lines", async () => {
    const client = new OpenAI({
      apiKey: await hub.addUser("frank"),
      baseURL: `${hub.url}/v1`,
      maxRetries: 0,
    });
    const lines: Array<object | string> = Array.from({ length: ROWS }, (_, n) => ({
      custom_id: `r${n}`,
      method: "POST",
      url: "/v1/inference/text-classification",
      body: { model: "tests/tiny-sentiment", inputs: n % 2 ? "good film" : "bad plot" },
    }));
    lines.push("not json", {
      custom_id: "ghost",
      method: "POST",
      url: "/v1/inference/text-classification",
      body: { model: "nobody/ghost", inputs: "x" },
    });
    const jobs = await Promise.all(
      [0, 1, 2].map(async () => {
        const file = await uploadBatchInput(client, lines);
        return client.batches.create({
          input_file_id: file.id,
          endpoint: "/v1/inference/text-classification" as "/v1/embeddings",
          completion_window: "24h",
        });
      }),
    );
    for (const job of jobs) {
      const done = await waitForBatch(client, job.id);
      assert.equal(done.status, "completed");
      assert.deepEqual(done.request_counts, { total: ROWS + 2, completed: ROWS, failed: 2 });
      const output = await readJsonl(client, done.output_file_id!);
      assert.equal(new Set(output.map((record) => record.custom_id)).size, ROWS);
      const errors = await readJsonl(client, done.error_file_id!);
      assert.deepEqual(
        errors.map((record) => [record.custom_id, record.error.code]),
        [
          [null, "invalid_json"],
          ["ghost", "model_not_found"],
        ],
      );
    }
    await hub.hangar.inference.flushUsage();
    const [totals] = await hub.hangar.inference.usageTotals({ model: "tests/tiny-sentiment" });
    assert.equal(Number(totals!.requests), ROWS * 3, "no line was run by both runners");
  });
});
