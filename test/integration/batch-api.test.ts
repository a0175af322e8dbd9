import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI, { NotFoundError, toFile } from "openai";
import { readJsonl, uploadBatchInput, waitForBatch } from "../helpers/batch-jobs.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierExpectation } from "../helpers/tiny-models.ts";

const WORDS = ["good", "bad", "great", "awful", "movie", "plot", "love", "boring", "the", "film"];

/** A short text made of the tiny models' words, different for each n. */
function sentence(n: number): string {
  return [WORDS[n % 10], WORDS[Math.floor(n / 10) % 10], WORDS[Math.floor(n / 100) % 10], "film"].join(" ");
}

describe("batch jobs through the openai client (Files and Batch APIs)", () => {
  let hub: TestHangar;
  let alice: OpenAI;
  let bob: OpenAI;
  let aliceToken: string;

  before(async () => {
    hub = await startTestHangar();
    await importTinyModels(hub.hangar, ["tests/tiny-sentiment", "tests/tiny-embedder", "tests/tiny-lm"]);
    hub.hangar.batches.start();
    aliceToken = await hub.addUser("alice");
    alice = new OpenAI({ apiKey: aliceToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
    bob = new OpenAI({ apiKey: await hub.addUser("bob"), baseURL: `${hub.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await hub.close();
  });

  it("runs 300 embedding requests; malformed lines and an unknown model go to the error file, the rest answer as /v1/embeddings does", async () => {
    const lines: Array<object | string> = [];
    for (let n = 0; n < 297; n++) {
      lines.push({
        custom_id: `row-${n}`,
        method: "POST",
        url: "/v1/embeddings",
        body: { model: "tests/tiny-embedder", input: sentence(n) },
      });
    }
    lines.splice(10, 0, "{not json");
    lines.splice(20, 0, {
      method: "POST",
      url: "/v1/embeddings",
      body: { model: "tests/tiny-embedder", input: "x" },
    });
    lines.splice(30, 0, {
      custom_id: "unknown-model",
      method: "POST",
      url: "/v1/embeddings",
      body: { model: "nobody/no-such-model", input: "the film" },
    });
    const file = await uploadBatchInput(alice, lines);
    assert.equal(file.purpose, "batch");
    assert.equal(file.object, "file");
    assert.equal((await alice.files.retrieve(file.id)).bytes, file.bytes);

    const created = await alice.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/embeddings",
      completion_window: "24h",
      metadata: { purpose: "test" },
    });
    assert.equal(created.status, "validating");
    assert.deepEqual(created.metadata, { purpose: "test" });
    const batch = await waitForBatch(alice, created.id);
    assert.equal(batch.status, "completed");
    assert.deepEqual(batch.request_counts, { total: 300, completed: 297, failed: 3 });
    assert.ok(batch.in_progress_at && batch.finalizing_at && batch.completed_at);

    const extension = batch as unknown as {
      estimate: { requests: number; malformed: number; input_characters: number; unit: string };
      metered: { input_units: number; output_units: number };
    };
    const characters = Array.from({ length: 297 }, (_, n) => sentence(n).length).reduce((a, b) => a + b, 0);
    assert.deepEqual(extension.estimate, {
      requests: 298,
      malformed: 2,
      input_characters: characters + "the film".length,
      unit: "characters",
    });
    assert.ok(extension.metered.input_units > 0);
    assert.equal(extension.metered.output_units, 297, "one vector per request");

    const output = await readJsonl(alice, batch.output_file_id!);
    assert.equal(output.length, 297);
    assert.deepEqual(
      output.map((record) => record.custom_id),
      Array.from({ length: 297 }, (_, n) => `row-${n}`),
    );
    const direct = await alice.embeddings.create({ model: "tests/tiny-embedder", input: sentence(7) });
    const row7 = output.find((record) => record.custom_id === "row-7")!;
    assert.equal(row7.response.status_code, 200);
    assert.equal(row7.error, null);
    assert.match(row7.id, /^batch_req_/);
    assert.equal(row7.response.body.object, "list");
    assert.deepEqual(row7.response.body.data[0].embedding, direct.data[0]!.embedding);

    const errors = await readJsonl(alice, batch.error_file_id!);
    assert.deepEqual(
      errors.map((record) => [record.custom_id, record.error.code]),
      [
        [null, "invalid_json"],
        [null, "missing_custom_id"],
        ["unknown-model", "model_not_found"],
      ],
    );
    assert.equal(errors[2]!.response.status_code, 404);
    assert.equal(errors[2]!.response.body.error.code, "model_not_found");
    const outputFile = await alice.files.retrieve(batch.output_file_id!);
    assert.equal(outputFile.purpose, "batch_output");
  });

  it("runs Hangar's task endpoint and chat completions, each row answering what the route answers", async () => {
    const texts = ["i love this great film", "awful boring plot", "good movie"];
    const classify = await uploadBatchInput(
      alice,
      texts.map((text, n) => ({
        custom_id: `c${n}`,
        method: "POST",
        url: "/v1/inference/text-classification",
        body: { model: "tests/tiny-sentiment", inputs: text },
      })),
    );
    const job = await alice.batches.create({
      input_file_id: classify.id,
      endpoint: "/v1/inference/text-classification" as "/v1/embeddings",
      completion_window: "24h",
    });
    const done = await waitForBatch(alice, job.id);
    assert.equal(done.status, "completed");
    const records = await readJsonl(alice, done.output_file_id!);
    assert.deepEqual(
      records.map((record) => record.response.body.outputs[0].label),
      texts.map((text) => tinyClassifierExpectation(text).label),
    );
    assert.equal(records[0]!.response.body.task, "text-classification");

    const body = {
      model: "tests/tiny-lm",
      messages: [{ role: "user", content: "good film" }],
      max_tokens: 3,
    };
    const chat = await uploadBatchInput(alice, [
      { custom_id: "chat-1", method: "POST", url: "/v1/chat/completions", body },
      { custom_id: "wrong-url", method: "POST", url: "/v1/embeddings", body },
    ]);
    const chatJob = await waitForBatch(
      alice,
      (
        await alice.batches.create({
          input_file_id: chat.id,
          endpoint: "/v1/chat/completions",
          completion_window: "24h",
        })
      ).id,
    );
    assert.deepEqual(chatJob.request_counts, { total: 2, completed: 1, failed: 1 });
    const direct = await alice.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const [answer] = await readJsonl(alice, chatJob.output_file_id!);
    assert.equal(answer!.response.body.object, "chat.completion");
    assert.equal(answer!.response.body.choices[0].message.content, direct.choices[0]!.message.content);
    assert.deepEqual(answer!.response.body.usage, direct.usage);
    const [refused] = await readJsonl(alice, chatJob.error_file_id!);
    assert.equal(refused!.custom_id, "wrong-url");
    assert.equal(refused!.error.code, "invalid_url");
  });

  it("cancels a running job: it stops taking lines and keeps what it answered", async () => {
    const lines = Array.from({ length: 3000 }, (_, n) => ({
      custom_id: `r${n}`,
      method: "POST",
      url: "/v1/inference/text-classification",
      body: { model: "tests/tiny-sentiment", inputs: sentence(n) },
    }));
    const file = await uploadBatchInput(alice, lines);
    const job = await alice.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/inference/text-classification" as "/v1/embeddings",
      completion_window: "24h",
    });
    await waitForBatch(alice, job.id, (batch) => (batch.request_counts?.completed ?? 0) > 0);
    const cancelling = await alice.batches.cancel(job.id);
    assert.ok(["cancelling", "cancelled"].includes(cancelling.status), cancelling.status);
    const cancelled = await waitForBatch(alice, job.id);
    assert.equal(cancelled.status, "cancelled");
    assert.ok(cancelled.cancelled_at && cancelled.cancelling_at);
    const answered = cancelled.request_counts!.completed;
    assert.ok(answered > 0 && answered < 3000, `answered ${answered}`);
    const output = await readJsonl(alice, cancelled.output_file_id!);
    assert.equal(output.length, answered);
    assert.equal(new Set(output.map((record) => record.custom_id)).size, answered);
    await assert.rejects(
      alice.batches.cancel(job.id).then(() => alice.batches.cancel("batch_nope")),
      NotFoundError,
    );
  });

  it("lists jobs newest first with after/limit paging, and files by purpose", async () => {
    const page = await alice.batches.list({ limit: 2 });
    assert.equal(page.data.length, 2);
    assert.equal(page.has_more, true);
    const all: string[] = [];
    for await (const batch of alice.batches.list({ limit: 1 })) all.push(batch.id);
    assert.equal(all.length, 4);
    assert.deepEqual(
      all.slice(0, 2),
      page.data.map((batch) => batch.id),
    );
    const createdAt = page.data.map((batch) => batch.created_at);
    assert.ok(createdAt[0]! >= createdAt[1]!);
    const inputs = await alice.files.list({ purpose: "batch" });
    assert.equal(inputs.data.length, 4);
    assert.ok(inputs.data.every((file) => file.purpose === "batch"));
  });

  it("keeps each user's files and jobs to that user", async () => {
    const file = await uploadBatchInput(alice, [
      {
        custom_id: "a",
        method: "POST",
        url: "/v1/embeddings",
        body: { model: "tests/tiny-embedder", input: "secret" },
      },
    ]);
    const job = await alice.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/embeddings",
      completion_window: "24h",
    });
    await assert.rejects(bob.files.retrieve(file.id), NotFoundError);
    await assert.rejects(bob.files.content(file.id), NotFoundError);
    await assert.rejects(bob.files.delete(file.id), NotFoundError);
    await assert.rejects(bob.batches.retrieve(job.id), NotFoundError);
    await assert.rejects(bob.batches.cancel(job.id), NotFoundError);
    await assert.rejects(
      bob.batches.create({ input_file_id: file.id, endpoint: "/v1/embeddings", completion_window: "24h" }),
      NotFoundError,
    );
    assert.deepEqual((await bob.batches.list()).data, []);
    assert.deepEqual((await bob.files.list()).data, []);
    const done = await waitForBatch(alice, job.id);
    await assert.rejects(bob.files.content(done.output_file_id!), NotFoundError);

    const anonymous = new OpenAI({ apiKey: "placeholder", baseURL: `${hub.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      anonymous.files.list(),
      (error: Error & { status?: number }) => error.status === 401,
    );

    const deleted = await alice.files.delete(file.id);
    assert.deepEqual(deleted, { id: file.id, object: "file", deleted: true });
    await assert.rejects(alice.files.retrieve(file.id), NotFoundError);
  });

  it("refuses bad requests with the field named", async () => {
    const upload = alice.files.create({
      file: await toFile(Buffer.from("{}\n"), "x.jsonl"),
      purpose: "fine-tune",
    });
    await assert.rejects(upload, (error: Error & { status?: number; param?: string }) => {
      assert.equal(error.status, 400);
      assert.equal(error.param, "purpose");
      return true;
    });
    const file = await uploadBatchInput(alice, [{ custom_id: "a" }]);
    await assert.rejects(
      alice.batches.create({ input_file_id: file.id, endpoint: "/v1/moderations", completion_window: "24h" }),
      (error: Error & { status?: number; param?: string }) =>
        error.status === 400 && error.param === "endpoint",
    );
    await assert.rejects(
      alice.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/embeddings",
        completion_window: "1h" as "24h",
      }),
      (error: Error & { status?: number; param?: string }) =>
        error.status === 400 && error.param === "completion_window",
    );
  });

  it("hangar batch list|show|cancel against the running server", async () => {
    const connection = ["--endpoint", hub.url, "--token", aliceToken];
    const listed = await runCli(["batch", "list", ...connection, "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const page = JSON.parse(listed.stdout);
    assert.ok(page.data.length >= 5);
    const newest = page.data[0];
    const shown = await runCli(["batch", "show", newest.id, ...connection]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^${newest.id}\t${newest.status}\t`));
    assert.match(shown.stdout, /estimate: \{"requests":/);
    const refused = await runCli(["batch", "cancel", newest.id, ...connection]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only a validating or in_progress batch can be cancelled/);
    const stranger = await runCli([
      "batch",
      "show",
      newest.id,
      "--endpoint",
      hub.url,
      "--token",
      await hub.addUser("mallory"),
    ]);
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /No batch with id/);
  });
});
