import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("official inference clients against Hangar's local runtime, on the factory's models", () => {
  let hub: TestHangar;
  let openai: OpenAI;
  const endpoint = (model: string) =>
    new InferenceClient(hub.adminToken, { endpointUrl: `${hub.url}/models/${model}` });

  before(async () => {
    hub = await startTestHangar();
    await commitFactoryModels(hub.hangar);
    openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await hub.close();
  });

  it("@huggingface/inference textClassification: the trained sentiment model, every label best first", async () => {
    const client = endpoint("factory/sentiment");
    const positive = await client.textClassification({ inputs: "I really enjoyed this wonderful film" });
    assert.deepEqual(
      positive.map((entry) => entry.label),
      ["POSITIVE", "NEGATIVE"],
    );
    assert.ok(Math.abs(positive[0]!.score + positive[1]!.score - 1) < 1e-6);
    const negative = await client.textClassification({
      inputs: "a dull, tedious and badly acted mess",
      parameters: { top_k: 1 },
    });
    assert.deepEqual(
      negative.map((entry) => entry.label),
      ["NEGATIVE"],
    );
  });

  it("@huggingface/inference tokenClassification: entity groups with character offsets", async () => {
    const text = "Angela Merkel visited Paris with John Smith";
    const output = await endpoint("factory/ner").tokenClassification({ inputs: text });
    assert.deepEqual(
      output.map(({ entity_group, word, start, end }) => ({ entity_group, word, start, end })),
      [
        { entity_group: "PER", word: "Angela Merkel", start: 0, end: 13 },
        { entity_group: "LOC", word: "Paris", start: 22, end: 27 },
        { entity_group: "PER", word: "John Smith", start: 33, end: 43 },
      ],
    );
    for (const entity of output) {
      assert.equal(text.slice(entity.start, entity.end), entity.word);
      assert.ok(entity.score > 0.5 && entity.score <= 1);
    }
  });

  it("@huggingface/inference featureExtraction and sentenceSimilarity", async () => {
    const client = endpoint("factory/embedder");
    const vector = (await client.featureExtraction({
      inputs: "the cat sat on the mat",
      normalize: true,
    })) as number[];
    assert.ok(vector.length > 8);
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-5, "normalized to unit length");
    const batch = (await client.featureExtraction({ inputs: ["a cat", "a dog"] })) as number[][];
    assert.equal(batch.length, 2);
    assert.equal(batch[0]!.length, vector.length);
    const similarity = await client.sentenceSimilarity({
      inputs: {
        source_sentence: "the cat sat on the mat",
        sentences: ["a kitten was sitting on a rug", "stock markets fell sharply"],
      },
    });
    assert.equal(similarity.length, 2);
    assert.ok(similarity[0]! > similarity[1]!, JSON.stringify(similarity));
  });

  it("@huggingface/inference chatCompletion, chatCompletionStream and textGeneration", async () => {
    const client = endpoint("factory/generator");
    const messages = [{ role: "user", content: "Tell me about the weather" }];
    const chat = await client.chatCompletion({ messages, max_tokens: 20 });
    const reply = chat.choices[0]!.message.content ?? "";
    assert.match(reply, /\w+ \w+/, "a reply of words");
    assert.ok(["stop", "length"].includes(chat.choices[0]!.finish_reason));
    assert.ok(chat.usage.completion_tokens > 0 && chat.usage.completion_tokens <= 20);
    let streamed = "";
    for await (const chunk of client.chatCompletionStream({ messages, max_tokens: 20 })) {
      streamed += chunk.choices[0]?.delta.content ?? "";
    }
    assert.equal(streamed, reply, "greedy decoding streams the same reply");
    const generated = await client.textGeneration({
      inputs: "The weather",
      parameters: { max_new_tokens: 6 },
    });
    assert.match(generated.generated_text, /\w/);
  });

  it("openai client: streaming chat ends with [DONE] and reports usage", async () => {
    const request = {
      model: "factory/generator",
      messages: [{ role: "user" as const, content: "Tell me about the weather" }],
      max_tokens: 20,
    };
    const whole = await openai.chat.completions.create(request);
    const stream = await openai.chat.completions.create({
      ...request,
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
    assert.equal(pieces.join(""), whole.choices[0]!.message.content);
    assert.ok(pieces.length > 1, "the reply arrives in several chunks");
    assert.equal(finish, whole.choices[0]!.finish_reason);
    assert.deepEqual(usage, whole.usage);

    const response = await fetch(`${hub.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...request, stream: true }),
    });
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = (await response.text()).trim().split("\n\n");
    assert.equal(events.at(-1), "data: [DONE]");
  });

  it("openai client: completions", async () => {
    const completion = await openai.completions.create({
      model: "factory/generator",
      prompt: "The weather",
      max_tokens: 5,
    });
    assert.equal(completion.object, "text_completion");
    assert.match(completion.choices[0]!.text, /\w/);
    assert.ok(completion.usage!.completion_tokens <= 5);
  });

  it("openai client: embeddings as floats and as base64", async () => {
    const floats = await openai.embeddings.create({
      model: "factory/embedder",
      input: ["the cat sat on the mat", "stock markets fell"],
      encoding_format: "float",
    });
    assert.equal(floats.data.length, 2);
    assert.equal(floats.data[1]!.index, 1);
    const first = floats.data[0]!.embedding;
    assert.ok(Math.abs(Math.hypot(...first) - 1) < 1e-5);
    assert.ok(floats.usage.prompt_tokens > 0);
    // The client asks for base64 by default and decodes it back to numbers.
    const decoded = await openai.embeddings.create({
      model: "factory/embedder",
      input: "the cat sat on the mat",
    });
    const vector = decoded.data[0]!.embedding;
    assert.equal(vector.length, first.length);
    for (const [index, value] of vector.entries()) assert.ok(Math.abs(value - first[index]!) < 1e-6);
  });

  it("the factory's fill-mask and zero-shot models through the Hub route", async () => {
    const filled = await endpoint("factory/fill-mask").fillMask({ inputs: "The movie was [MASK]." });
    assert.equal(filled.length, 5);
    assert.ok(filled.every((entry) => entry.sequence.includes(entry.token_str ?? "")));
    const labels = await endpoint("factory/zero-shot").zeroShotClassification({
      inputs: "The team won the match in the final minute",
      parameters: { candidate_labels: ["sports", "politics", "cooking"] },
    });
    assert.equal(labels[0]!.label, "sports");
  });

  it("openai client: models lists what Hangar can run, with tasks", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    const ids = models.map((model) => model.id).sort();
    assert.deepEqual(ids, [
      "factory/embedder",
      "factory/fill-mask",
      "factory/generator",
      "factory/ner",
      "factory/sentiment",
      "factory/zero-shot",
    ]);
    const generator = models.find((model) => model.id === "factory/generator") as unknown as {
      tasks: string[];
      owned_by: string;
    };
    assert.deepEqual(generator.tasks, ["text-generation"]);
    assert.equal(generator.owned_by, "factory");
  });

  it("openai client: errors have OpenAI's shape", async () => {
    await assert.rejects(
      openai.chat.completions.create({
        model: "factory/missing",
        messages: [{ role: "user", content: "hi" }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.NotFoundError);
        assert.equal((error as InstanceType<typeof OpenAI.NotFoundError>).code, "model_not_found");
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create({
        model: "factory/sentiment",
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
