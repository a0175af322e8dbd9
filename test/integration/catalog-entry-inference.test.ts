import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

// Catalog entries of the bundled snapshot: real models Hangar knows the facts of, but holds no files of.
const CLASSIFIER = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
const CHAT_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct";
const EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2";

const notPulled = (id: string) =>
  `${id} is known from the catalog (metadata only): its files are not on this Hangar. ` +
  `\`hangar pull ${id}\` fetches them from the upstream hub when a network is there`;

describe("running a catalog entry (metadata only) says its files are not here and how to get them", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    await importCatalogSnapshot(hub.hangar.catalog);
  });
  after(() => hub.close());

  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("Hangar's task API and the Hub's /models/{id} route: 404 ModelNotPulled with the message", async () => {
    for (const response of [
      await post("/v1/inference/text-classification", { model: CLASSIFIER, inputs: "hi" }),
      await post(`/models/${CLASSIFIER}`, { inputs: "hi" }),
      await post(`/models/${CLASSIFIER}/pipeline/text-classification`, { inputs: "hi" }),
    ]) {
      assert.equal(response.status, 404);
      assert.equal(response.headers.get("x-error-code"), "ModelNotPulled");
      const body = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(body, {
        error: notPulled(CLASSIFIER),
        code: "HANGAR_ERR_MODEL_NOT_PULLED",
        repo: CLASSIFIER,
        pull: `hangar pull ${CLASSIFIER}`,
      });
    }
  });

  it("@huggingface/inference sees the message", async () => {
    const client = new InferenceClient(undefined, { endpointUrl: `${hub.url}/models/${CLASSIFIER}` });
    await assert.rejects(client.textClassification({ inputs: "hi" }), (error: Error) => {
      assert.ok(error.message.includes(notPulled(CLASSIFIER)), error.message);
      return true;
    });
  });

  it("the OpenAI-compatible routes, through the openai client: 404 with the message", async () => {
    const openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
    const calls: Array<[string, () => Promise<unknown>]> = [
      [
        CHAT_MODEL,
        () =>
          openai.chat.completions.create({ model: CHAT_MODEL, messages: [{ role: "user", content: "hi" }] }),
      ],
      [
        CHAT_MODEL,
        () =>
          openai.chat.completions.create({
            model: CHAT_MODEL,
            messages: [{ role: "user", content: "hi" }],
            stream: true,
          }),
      ],
      [CHAT_MODEL, () => openai.completions.create({ model: CHAT_MODEL, prompt: "hi" })],
      [EMBEDDER, () => openai.embeddings.create({ model: EMBEDDER, input: "hi" })],
    ];
    for (const [model, call] of calls) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError, String(error));
        assert.equal(error.message, `404 ${notPulled(model)}`);
        assert.equal(error.code, "ModelNotPulled");
        return true;
      });
    }
    // The chat route under a model, where @huggingface/inference sends chat.
    const underModel = await post(`/models/${CHAT_MODEL}/v1/chat/completions`, {
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(underModel.status, 404);
    assert.equal(
      ((await underModel.json()) as { error: { message: string } }).error.message,
      notPulled(CHAT_MODEL),
    );
  });

  it("hangar run: the same one line, exit 1", async () => {
    const run = await runCli(["run", "text-classification", CLASSIFIER, "hi", "--home", hub.home]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr, `hangar run: ${notPulled(CLASSIFIER)}\n`);
  });
});
