import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

describe("inference: empty texts and chat roles refused alike on every route; usage in each task's unit", () => {
  let hub: TestHangar;
  let openai: OpenAI;
  before(async () => {
    hub = await startTestHangar();
    await importTinyModels(hub.hangar);
    openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
  });
  after(() => hub.close());

  const post = (path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const badRequest = async (call: Promise<unknown>, message: string, param: string) => {
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.equal(error.message, `400 ${message}`);
      assert.equal(error.param, param);
      return true;
    });
  };

  it("/v1/embeddings refuses an empty input with a 400 naming it, as /v1/inference does", async () => {
    const model = "tests/tiny-embedder";
    await badRequest(openai.embeddings.create({ model, input: "" }), '"input" must not be empty', "input");
    await badRequest(
      openai.embeddings.create({ model, input: ["a cat", ""] }),
      '"input[1]" must not be empty',
      "input[1]",
    );
    for (const [inputs, message] of [
      ["", '"inputs" must not be empty'],
      [["a cat", ""], '"inputs[1]" must not be empty'],
    ] as const) {
      const response = await post("/v1/inference/feature-extraction", { model, inputs });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, message);
    }
    const fine = await openai.embeddings.create({ model, input: ["a cat", "a dog"] });
    assert.equal(fine.data.length, 2);
  });

  it("chat messages need a role OpenAI knows: 400 naming the message's role field", async () => {
    const model = "tests/tiny-lm";
    await badRequest(
      openai.chat.completions.create({
        model,
        messages: [
          { role: "user", content: "count" },
          { role: "wizard", content: "abracadabra" } as unknown as OpenAI.ChatCompletionMessageParam,
        ],
      }),
      '"messages[1].role" must be one of system, developer, user, assistant, tool; got "wizard"',
      "messages[1].role",
    );
    const taskApi = await post("/v1/inference/text-generation", {
      model,
      inputs: [{ role: "Wizard", content: "count" }],
    });
    assert.equal(taskApi.status, 400);
    assert.equal(
      ((await taskApi.json()) as { error: string }).error,
      '"inputs[0].role" must be one of system, developer, user, assistant, tool; got "Wizard"',
    );
    const everyRole = await openai.chat.completions.create({
      model,
      max_tokens: 2,
      messages: [
        { role: "system", content: "be brief" },
        { role: "developer", content: "count" },
        { role: "user", content: "count" },
        { role: "assistant", content: "one" },
        { role: "tool", content: "two", tool_call_id: "call_1" },
        { role: "user", content: "count" },
      ],
    });
    assert.equal(everyRole.choices.length, 1);
  });

  it("usage.output_units counts what the answer holds, in the task's unit, and the catalog records it", async () => {
    const run = async (task: string, body: Record<string, unknown>) => {
      const response = await post(`/v1/inference/${task}`, body);
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as {
        outputs: unknown;
        usage: { output_units: number; output_unit: string; unit: string };
      };
    };
    const one = await run("text-classification", { model: "tests/tiny-sentiment", inputs: "a good film" });
    const labels = (one.outputs as unknown[]).length;
    assert.ok(labels >= 2, "every label of the model, scored");
    assert.deepEqual([one.usage.output_units, one.usage.output_unit], [labels, "labels"]);
    const top = await run("text-classification", {
      model: "tests/tiny-sentiment",
      inputs: ["a good film", "a bad film", "fine"],
      parameters: { top_k: 1 },
    });
    assert.deepEqual([top.usage.output_units, top.usage.output_unit], [3, "labels"]);

    const entities = await run("token-classification", {
      model: "tests/tiny-ner",
      inputs: "Bob lives in Paris",
    });
    assert.deepEqual(
      [entities.usage.output_units, entities.usage.output_unit],
      [(entities.outputs as unknown[]).length, "entities"],
    );
    assert.ok(entities.usage.output_units > 0);

    const vectors = await run("feature-extraction", {
      model: "tests/tiny-embedder",
      inputs: ["a cat", "the good movie", "a dog"],
    });
    assert.deepEqual([vectors.usage.output_units, vectors.usage.output_unit], [3, "vectors"]);
    const perToken = await run("feature-extraction", {
      model: "tests/tiny-embedder",
      inputs: "the good movie",
      parameters: { pooling: "none" },
    });
    assert.deepEqual(
      [perToken.usage.output_units, perToken.usage.output_unit],
      [(perToken.outputs as unknown[]).length, "vectors"],
    );
    assert.ok(perToken.usage.output_units > 1, "one vector per token");

    const scores = await run("sentence-similarity", {
      model: "tests/tiny-embedder",
      inputs: { source_sentence: "a cat", sentences: ["a dog", "a film", "a good movie"] },
    });
    assert.deepEqual([scores.usage.output_units, scores.usage.output_unit], [3, "scores"]);

    const answers = await run("question-answering", {
      model: "tests/tiny-qa",
      inputs: { question: "Who lives in Paris?", context: "Bob lives in Paris" },
      parameters: { top_k: 2 },
    });
    assert.deepEqual(
      [answers.usage.output_units, answers.usage.output_unit],
      [(answers.outputs as unknown[]).length, "answers"],
    );

    const generated = await run("text-generation", {
      model: "tests/tiny-lm",
      inputs: "count",
      parameters: { max_new_tokens: 3 },
    });
    assert.deepEqual([generated.usage.output_units, generated.usage.output_unit], [3, "tokens"]);

    await hub.hangar.inference.flushUsage();
    const recorded = (await hub.hangar.catalog.usage.list({}, 3)).map((event) => [
      event.task,
      event.outputUnits,
      event.outputUnit,
    ]);
    assert.deepEqual(recorded, [
      ["text-generation", 3, "tokens"],
      ["question-answering", answers.usage.output_units, "answers"],
      ["sentence-similarity", 3, "scores"],
    ]);
  });
});
