import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";
import { startTestHangar, type TestHangar } from "./helpers/test-hangar.ts";
import { importTinyModels } from "./helpers/tiny-inference-models.ts";
import { tinyClassifierExpectation } from "./helpers/tiny-models.ts";

describe("official inference clients against Hangar's local runtime", () => {
  let hub: TestHangar;
  let openai: OpenAI;
  const endpoint = (model: string) =>
    new InferenceClient(hub.adminToken, { endpointUrl: `${hub.url}/models/${model}` });

  before(async () => {
    hub = await startTestHangar();
    await importTinyModels(hub.hangar);
    openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await hub.close();
  });

  it("@huggingface/inference textClassification gets every label, best first", async () => {
    const sentence = "I love this movie, it is great!";
    const output = await endpoint("tests/tiny-sentiment").textClassification({ inputs: sentence });
    const expected = tinyClassifierExpectation(sentence);
    assert.deepEqual(
      output.map((entry) => entry.label),
      ["POSITIVE", "NEGATIVE"],
    );
    assert.ok(Math.abs(output[0]!.score - expected.score) < 1e-5);
    const negative = await endpoint("tests/tiny-sentiment").textClassification({
      inputs: "the plot was awful and boring",
      parameters: { top_k: 1 },
    });
    assert.deepEqual(
      negative.map((entry) => entry.label),
      ["NEGATIVE"],
    );
  });

  it("@huggingface/inference tokenClassification groups entities with character offsets", async () => {
    const text = "Alice Smith lives in Paris and Bob visited Berlin";
    const output = await endpoint("tests/tiny-ner").tokenClassification({ inputs: text });
    assert.deepEqual(
      output.map(({ entity_group, word, start, end }) => ({ entity_group, word, start, end })),
      [
        { entity_group: "PER", word: "Alice Smith", start: 0, end: 11 },
        { entity_group: "LOC", word: "Paris", start: 21, end: 26 },
        { entity_group: "PER", word: "Bob", start: 31, end: 34 },
        { entity_group: "LOC", word: "Berlin", start: 43, end: 49 },
      ],
    );
    for (const entity of output) {
      assert.equal(text.slice(entity.start, entity.end), entity.word);
      assert.ok(entity.score > 0.9);
    }
  });

  it("@huggingface/inference featureExtraction and sentenceSimilarity", async () => {
    const client = endpoint("tests/tiny-embedder");
    const vector = (await client.featureExtraction({ inputs: "good movie", normalize: true })) as number[];
    assert.equal(vector.length, 4);
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-5, "normalized to unit length");
    const batch = (await client.featureExtraction({ inputs: ["good movie", "bad film"] })) as number[][];
    assert.equal(batch.length, 2);
    assert.equal(batch[0]!.length, 4);
    const similarity = await client.sentenceSimilarity({
      inputs: { source_sentence: "good movie", sentences: ["great film", "awful cat"] },
    });
    assert.equal(similarity.length, 2);
    assert.ok(similarity[0]! > 0.9 && similarity[1]! < 0.5, JSON.stringify(similarity));
  });

  it("@huggingface/inference chatCompletion, chatCompletionStream and textGeneration", async () => {
    const client = endpoint("tests/tiny-lm");
    const chat = await client.chatCompletion({ messages: [{ role: "user", content: "say hello" }] });
    assert.equal(chat.choices[0]!.message.content, "hello i am fine.");
    assert.equal(chat.choices[0]!.finish_reason, "stop");
    assert.equal(chat.usage.completion_tokens, 6);
    let streamed = "";
    for await (const chunk of client.chatCompletionStream({
      messages: [{ role: "user", content: "say hello" }],
    })) {
      streamed += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(streamed, "hello i am fine.");
    const generated = await client.textGeneration({ inputs: "count", parameters: { max_new_tokens: 4 } });
    assert.equal(generated.generated_text, "one two three four");
  });

  it("openai client: streaming chat ends with [DONE] and reports usage", async () => {
    const stream = await openai.chat.completions.create({
      model: "tests/tiny-lm",
      messages: [{ role: "user", content: "say hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(pieces.join(""), "hello i am fine.");
    assert.ok(pieces.length > 1, "the reply arrives in several chunks");
    assert.equal(finish, "stop");
    assert.equal(usage?.completion_tokens, 6);

    const response = await fetch(`${hub.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "tests/tiny-lm",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      }),
    });
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = (await response.text()).trim().split("\n\n");
    assert.equal(events.at(-1), "data: [DONE]");
  });

  it("openai client: non-streaming chat and completions", async () => {
    const chat = await openai.chat.completions.create({
      model: "tests/tiny-lm",
      messages: [{ role: "user", content: "say hello" }],
    });
    assert.equal(chat.object, "chat.completion");
    assert.equal(chat.choices[0]!.message.role, "assistant");
    assert.equal(chat.choices[0]!.message.content, "hello i am fine.");
    const completion = await openai.completions.create({
      model: "tests/tiny-lm",
      prompt: "seven",
      max_tokens: 3,
    });
    assert.equal(completion.choices[0]!.text, " eight nine ten".trimStart());
    assert.equal(completion.choices[0]!.finish_reason, "length");
    assert.equal(completion.usage?.completion_tokens, 3);
  });

  it("openai client: embeddings as floats and as base64", async () => {
    const floats = await openai.embeddings.create({
      model: "tests/tiny-embedder",
      input: ["good movie", "a cat"],
      encoding_format: "float",
    });
    assert.equal(floats.data.length, 2);
    assert.equal(floats.data[1]!.index, 1);
    const first = floats.data[0]!.embedding;
    assert.equal(first.length, 4);
    assert.ok(Math.abs(Math.hypot(...first) - 1) < 1e-5);
    assert.ok(floats.usage.prompt_tokens > 0);
    // The client asks for base64 by default and decodes it back to numbers.
    const decoded = await openai.embeddings.create({ model: "tests/tiny-embedder", input: "good movie" });
    const vector = decoded.data[0]!.embedding;
    assert.equal(vector.length, 4);
    for (const [index, value] of vector.entries()) assert.ok(Math.abs(value - first[index]!) < 1e-6);
  });

  it("openai client: models lists what Hangar can run, with tasks", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    const ids = models.map((model) => model.id).sort();
    assert.deepEqual(ids, ["tests/tiny-embedder", "tests/tiny-lm", "tests/tiny-ner", "tests/tiny-sentiment"]);
    const lm = models.find((model) => model.id === "tests/tiny-lm") as unknown as {
      tasks: string[];
      owned_by: string;
    };
    assert.deepEqual(lm.tasks, ["text-generation"]);
    assert.equal(lm.owned_by, "tests");
  });

  it("openai client: errors have OpenAI's shape", async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: "tests/missing", messages: [{ role: "user", content: "hi" }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal((error as InstanceType<typeof OpenAI.NotFoundError>).code, "model_not_found");
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create({
        model: "tests/tiny-sentiment",
        messages: [{ role: "user", content: "hi" }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.match((error as Error).message, /cannot do text-generation; it can do: text-classification/);
        return true;
      },
    );
  });
});
