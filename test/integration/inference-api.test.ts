import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels, TINY_LM_MAX_TOKENS } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierFiles, writeRepoFolder } from "../helpers/tiny-models.ts";

async function importFiles(
  hub: TestHangar,
  id: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  const folder = await makeTempDir();
  try {
    await writeRepoFolder(folder.path, files);
    const [namespace, name] = id.split("/") as [string, string];
    await importFolder(hub.hangar, localAdministrator(), {
      folder: folder.path,
      repo: { type: "model", namespace, name },
    });
  } finally {
    await folder.remove();
  }
}

function post(hub: TestHangar, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${hub.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function expectError(response: Response, status: number, code: string, message: RegExp): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.equal(response.headers.get("x-error-code"), code, text);
  assert.match((JSON.parse(text) as { error: string }).error, message);
}

describe("inference API: task API, Hub route and bad input", () => {
  let hub: TestHangar;

  before(async () => {
    hub = await startTestHangar();
    await importTinyModels(hub.hangar);
    const broken = tinyClassifierFiles();
    broken["onnx/model.onnx"] = new TextEncoder().encode("this is not an ONNX graph");
    await importFiles(hub, "tests/broken", broken);
    await importFiles(hub, "tests/private-sentiment", tinyClassifierFiles());
    const repo = (await hub.hangar.catalog.repos.get({
      type: "model",
      namespace: "tests",
      name: "private-sentiment",
    }))!;
    await hub.hangar.catalog.repos.updateSettings(repo.pk, { private: true });
    await importFiles(hub, "tests/card-only", { "README.md": "# Just a card\n" });
  });
  after(() => hub.close());

  it("the task API answers {model, revision, task, outputs, usage}", async () => {
    const response = await post(hub, "/v1/inference/token-classification", {
      model: "tests/tiny-ner",
      inputs: "Carol went to London",
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.model, "tests/tiny-ner");
    assert.equal(body.task, "token-classification");
    assert.match(body.revision as string, /^[0-9a-f]{40}$/);
    assert.deepEqual(body.outputs, [
      {
        entity_group: "PER",
        score: (body.outputs as Array<{ score: number }>)[0]!.score,
        word: "Carol",
        start: 0,
        end: 5,
      },
      {
        entity_group: "LOC",
        score: (body.outputs as Array<{ score: number }>)[1]!.score,
        word: "London",
        start: 14,
        end: 20,
      },
    ]);
    assert.deepEqual(Object.keys(body.usage as object).sort(), [
      "input_units",
      "latency_ms",
      "output_unit",
      "output_units",
      "unit",
    ]);

    const tokens = await post(hub, "/v1/inference/token-classification", {
      model: "tests/tiny-ner",
      inputs: ["Bob lives in Paris"],
      parameters: { aggregation_strategy: "none" },
    });
    const tagged = ((await tokens.json()) as { outputs: Array<Array<{ entity: string; word: string }>> })
      .outputs;
    assert.deepEqual(
      tagged[0]!.map(({ entity, word }) => [entity, word]),
      [
        ["B-PER", "Bob"],
        ["B-LOC", "Paris"],
      ],
    );
  });

  it("the Hub route picks the task from the body and streams text generation", async () => {
    const similarity = await post(hub, "/models/tests/tiny-embedder", {
      inputs: { source_sentence: "a cat", sentences: ["a dog", "a good movie"] },
    });
    assert.equal(similarity.status, 200);
    assert.equal(similarity.headers.get("x-hangar-task"), "sentence-similarity");
    const scores = (await similarity.json()) as number[];
    assert.ok(scores[0]! > scores[1]!);
    const pinned = await post(hub, "/models/tests/tiny-embedder/pipeline/feature-extraction", {
      inputs: "a cat",
    });
    assert.equal(pinned.headers.get("x-hangar-task"), "feature-extraction");
    assert.equal(((await pinned.json()) as number[]).length, 4);
    const tokens = await post(hub, "/v1/inference/feature-extraction", {
      model: "tests/tiny-embedder",
      inputs: ["a cat", "the good movie and a dog"],
      parameters: { pooling: "none" },
    });
    const perToken = ((await tokens.json()) as { outputs: number[][][] }).outputs;
    assert.deepEqual(
      perToken.map((vectors) => vectors.length),
      [4, 8],
      "one vector per token of each text, [CLS] and [SEP] included, no padding",
    );

    const stream = await post(hub, "/models/tests/tiny-lm", {
      inputs: "count",
      parameters: { max_new_tokens: 3 },
      stream: true,
    });
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = (await stream.text())
      .trim()
      .split("\n\n")
      .map(
        (event) =>
          JSON.parse(event.replace(/^data: /, "")) as {
            token: { text: string } | null;
            generated_text: string | null;
          },
      );
    assert.deepEqual(
      events.slice(0, 3).map((event) => event.token?.text),
      ["one", " two", " three"],
    );
    assert.equal(events.at(-1)!.generated_text, "one two three");
    const generated = await post(hub, "/models/tests/tiny-lm", {
      inputs: "count",
      parameters: { max_new_tokens: 2 },
    });
    assert.deepEqual(await generated.json(), [{ generated_text: "one two" }]);
  });

  it("question answering: the answer with character offsets into the context, 413 for a long context", async () => {
    const client = new InferenceClient(undefined, { endpointUrl: `${hub.url}/models/tests/tiny-qa` });
    const context = "Alice lives in Paris";
    const answer = await client.questionAnswering({ inputs: { question: "where does alice live", context } });
    assert.equal(answer.answer, "Paris");
    assert.deepEqual([answer.start, answer.end], [15, 20]);
    assert.equal(context.slice(answer.start, answer.end), answer.answer);
    assert.ok(answer.score > 0.5);
    await expectError(
      await post(hub, "/v1/inference/question-answering", {
        model: "tests/tiny-qa",
        inputs: {
          question: "where",
          context: Array.from({ length: 30 }, () => "bob lives in london").join(" "),
        },
      }),
      413,
      "PayloadTooLarge",
      /accepts at most 24 for question-answering/,
    );
  });

  it("a model that cannot do the task: 400 naming the tasks it can do", async () => {
    await expectError(
      await post(hub, "/v1/inference/token-classification", {
        model: "tests/tiny-sentiment",
        inputs: "good",
      }),
      400,
      "BadRequest",
      /tests\/tiny-sentiment cannot do token-classification; it can do: text-classification/,
    );
    await expectError(
      await post(hub, "/v1/inference/fill-mask", { model: "tests/tiny-embedder", inputs: "a [MASK]" }),
      400,
      "BadRequest",
      /it can do: feature-extraction, sentence-similarity/,
    );
    await expectError(
      await post(hub, "/v1/inference/text-classification", { model: "tests/card-only", inputs: "good" }),
      400,
      "BadRequest",
      /tests\/card-only cannot run on this Hangar/,
    );
    await expectError(
      await post(hub, "/v1/inference/no-such-task", { model: "tests/tiny-sentiment", inputs: "good" }),
      404,
      "NotFound",
      /Unknown task "no-such-task": Hangar serves text-classification, /,
    );
  });

  it("inputs over the model's length: truncated where the task allows it, otherwise 413", async () => {
    const long = Array.from({ length: 40 }, () => "alice").join(" ");
    const tagged = await post(hub, "/v1/inference/token-classification", {
      model: "tests/tiny-ner",
      inputs: long,
    });
    assert.equal(tagged.status, 200, "token classification cuts the text at 16 tokens");
    const embedded = await post(hub, "/v1/inference/feature-extraction", {
      model: "tests/tiny-embedder",
      inputs: Array.from({ length: 100 }, () => "good").join(" "),
    });
    assert.equal(embedded.status, 200);
    await expectError(
      await post(hub, "/v1/inference/feature-extraction", {
        model: "tests/tiny-embedder",
        inputs: Array.from({ length: 100 }, () => "good").join(" "),
        parameters: { truncate: false },
      }),
      413,
      "PayloadTooLarge",
      /The input has 102 tokens; tests\/tiny-embedder accepts at most 32 for feature-extraction/,
    );
    const prompt = Array.from({ length: TINY_LM_MAX_TOKENS + 1 }, () => "one").join(" ");
    await expectError(
      await post(hub, "/v1/inference/text-generation", { model: "tests/tiny-lm", inputs: prompt }),
      413,
      "PayloadTooLarge",
      new RegExp(`accepts at most ${TINY_LM_MAX_TOKENS} for text-generation`),
    );
  });

  it("unknown and private models: 404 (401 when anonymous), as the Hub answers", async () => {
    const outsider = await hub.addUser("outsider", "read");
    await expectError(
      await post(hub, "/v1/inference/text-classification", { model: "tests/nope", inputs: "good" }, outsider),
      404,
      "RepoNotFound",
      /Repository Not Found/,
    );
    await expectError(
      await post(hub, "/models/tests/private-sentiment", { inputs: "good" }, outsider),
      404,
      "RepoNotFound",
      /Repository Not Found/,
    );
    await expectError(
      await post(hub, "/models/tests/private-sentiment", { inputs: "good" }),
      401,
      "RepoNotFound",
      /authenticated/,
    );
    const allowed = await post(hub, "/models/tests/private-sentiment", { inputs: "good" }, hub.adminToken);
    assert.equal(allowed.status, 200);
    const anonymous = await post(hub, "/models/tests/tiny-sentiment", { inputs: "good" });
    assert.equal(anonymous.status, 200, "public models need no token");
  });

  it("a model whose files fail to load: a clear error, and nothing left loaded", async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      await expectError(
        await post(hub, "/v1/inference/text-classification", { model: "tests/broken", inputs: "good" }),
        500,
        "ModelLoadError",
        /Model tests\/broken at [0-9a-f]{12} could not be loaded: /,
      );
    }
    const pool = hub.hangar.inference.stats().pool;
    assert.ok(!pool.loaded.some((key) => key.startsWith("tests/broken@")));
    assert.equal(pool.loadFailures, 2, "each request tries again: no failed load is kept");
  });

  it("malformed bodies: 400 with the field at fault", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["/v1/inference/text-classification", "{not json", /not valid JSON/],
      ["/v1/inference/text-classification", [1, 2], /must be a JSON object/],
      ["/v1/inference/text-classification", { inputs: "good" }, /"model" is required/],
      ["/v1/inference/text-classification", { model: "tests/tiny-sentiment" }, /"inputs" is required/],
      [
        "/v1/inference/text-classification",
        { model: "tests/tiny-sentiment", inputs: 42 },
        /"inputs" must be a string/,
      ],
      [
        "/v1/inference/text-classification",
        { model: "tests/tiny-sentiment", inputs: "good", parameters: { top_k: 0 } },
        /"parameters.top_k" must be an integer from 1/,
      ],
      [
        "/v1/inference/text-classification",
        { model: "tests/tiny-sentiment", inputs: "good", parameters: "fast" },
        /"parameters" must be an object/,
      ],
      [
        "/v1/inference/sentence-similarity",
        { model: "tests/tiny-embedder", inputs: "a cat" },
        /source_sentence/,
      ],
      [
        "/v1/inference/text-generation",
        { model: "tests/tiny-lm", inputs: "count", parameters: { max_new_tokens: -1 } },
        /max_new_tokens/,
      ],
      [
        "/models/tests/tiny-embedder",
        { inputs: { question: "?" } },
        /does not fit any task of tests\/tiny-embedder/,
      ],
      ["/v1/inference/text-classification", { model: "not a repo id", inputs: "good" }, /Invalid repo id/],
    ];
    for (const [path, body, message] of cases) {
      const response = await post(hub, path, body);
      const text = await response.text();
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${text}`);
      assert.match((JSON.parse(text) as { error: string }).error, message);
    }
  });

  it("transformers.js cannot reach outside the machine", async () => {
    const { env } = await import("@huggingface/transformers");
    await assert.rejects(
      env.fetch("https://huggingface.co/api/models"),
      /Hangar loads models only from its own hub/,
    );
  });

  it("a config flag makes inference require a token", async () => {
    const strict = await startTestHangar({ inference: { requireToken: true } });
    try {
      await importTinyModels(strict.hangar, ["tests/tiny-sentiment"]);
      await expectError(
        await post(strict, "/models/tests/tiny-sentiment", { inputs: "good" }),
        401,
        "Unauthorized",
        /requires a token/,
      );
      assert.equal(
        (await post(strict, "/models/tests/tiny-sentiment", { inputs: "good" }, strict.adminToken)).status,
        200,
      );
    } finally {
      await strict.close();
    }
  });
});

describe("GET /v1/models on an instance with the bundled catalog", () => {
  it("lists every runnable local model, however many catalog entries sort before it", async () => {
    const hub = await startTestHangar();
    try {
      // 1,452 metadata-only entries of real models; over 1,000 of them sort before "tests/".
      await importCatalogSnapshot(hub.hangar.catalog);
      await importTinyModels(hub.hangar, ["tests/tiny-sentiment"]);
      const listed = (await (await fetch(`${hub.url}/v1/models`)).json()) as {
        data: Array<{ id: string; tasks: string[] }>;
      };
      assert.deepEqual(
        listed.data.map((model) => [model.id, model.tasks]),
        [["tests/tiny-sentiment", ["text-classification"]]],
      );
    } finally {
      await hub.close();
    }
  });
});
