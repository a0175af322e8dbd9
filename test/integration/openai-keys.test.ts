import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels, tinyEmbedderFiles } from "../helpers/tiny-inference-models.ts";

/** What users of local OpenAI-compatible servers (vLLM, Ollama, LM Studio) put where the SDK wants a key. */
const PLACEHOLDER_KEYS = ["none", "sk-no-key-required", "ollama", "EMPTY", "lm-studio", "sk-1234"];
/** Shaped like a Hangar (and Hub) token, but unknown. */
const WRONG_TOKEN = "hf_WrongWrongWrongWrongWrongWrongWrong";

function client(hub: TestHangar, apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${hub.url}/v1`, maxRetries: 0 });
}

async function modelIds(openai: OpenAI): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of openai.models.list()) ids.push(model.id);
  return ids.sort();
}

describe("the openai SDK's placeholder keys on the OpenAI-compatible routes", () => {
  let hub: TestHangar;
  // A small throttle: if placeholder keys counted as failed authentications, it would trip at once.
  const maxFailures = 3;
  before(async () => {
    hub = await startTestHangar({ authThrottle: { maxFailures } });
    await importTinyModels(hub.hangar, ["tests/tiny-embedder", "tests/tiny-lm"]);
    await importFiles(hub.hangar, "secret/embedder", tinyEmbedderFiles(), { private: true });
  });
  after(() => hub.close());

  for (const apiKey of PLACEHOLDER_KEYS) {
    it(`runs public models for apiKey "${apiKey}", as anonymous`, async () => {
      const openai = client(hub, apiKey);
      const embeddings = await openai.embeddings.create({
        model: "tests/tiny-embedder",
        input: "the cat sat on the mat",
        encoding_format: "float",
      });
      assert.equal(embeddings.data.length, 1);
      assert.ok(embeddings.data[0]!.embedding.length > 0);
      const chat = await openai.chat.completions.create({
        model: "tests/tiny-lm",
        messages: [{ role: "user", content: "hello" }],
        max_tokens: 3,
      });
      assert.equal(chat.choices[0]!.message.role, "assistant");
      const completion = await openai.completions.create({
        model: "tests/tiny-lm",
        prompt: "the",
        max_tokens: 3,
      });
      assert.equal(completion.object, "text_completion");
      // Anonymous: the private model is neither listed nor served.
      assert.deepEqual(await modelIds(openai), ["tests/tiny-embedder", "tests/tiny-lm"]);
      await assert.rejects(
        openai.embeddings.create({ model: "secret/embedder", input: "x" }),
        (error: unknown) => error instanceof OpenAI.APIError && [401, 404].includes(error.status ?? 0),
      );
    });
  }

  it("gives a real token its own view: the private model too", async () => {
    assert.deepEqual(await modelIds(client(hub, hub.adminToken)), [
      "secret/embedder",
      "tests/tiny-embedder",
      "tests/tiny-lm",
    ]);
  });

  it("keeps placeholder keys refused on the Hub's routes, where they count as failures", async () => {
    const response = await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: "Bearer none" } });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: string };
    assert.equal(body.error, "Invalid credentials in Authorization header");
  });

  it("still refuses a wrong token shaped like a Hangar token with 401, and counts it", async () => {
    const openai = client(hub, WRONG_TOKEN);
    await assert.rejects(openai.models.list(), OpenAI.AuthenticationError);
    await assert.rejects(
      openai.embeddings.create({ model: "tests/tiny-embedder", input: "x" }),
      OpenAI.AuthenticationError,
    );
    // With the Hub route's failure above, that is three: the next wrong token is throttled. The placeholder
    // keys sent to the OpenAI routes (many more requests) counted for nothing.
    await assert.rejects(openai.models.list(), (error: unknown) => {
      assert.ok(error instanceof OpenAI.RateLimitError);
      return true;
    });
    // The token that worked from this address before still does.
    assert.deepEqual(await modelIds(client(hub, hub.adminToken)), [
      "secret/embedder",
      "tests/tiny-embedder",
      "tests/tiny-lm",
    ]);
  });
});
