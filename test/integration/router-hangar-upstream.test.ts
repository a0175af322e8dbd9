import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

async function postJson(
  url: string,
  token: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

describe("another Hangar as an upstream, and local deployments in a route", () => {
  let upstream: TestHangar;
  let front: TestHangar;
  let folder: Awaited<ReturnType<typeof makeTempDir>>;

  before(async () => {
    upstream = await startTestHangar();
    await importTinyModels(upstream.hangar, ["tests/tiny-lm", "tests/tiny-embedder"]);
    folder = await makeTempDir("hangar-upstream-routes-");
    const file = join(folder.path, "routes.yaml");
    await writeFile(
      file,
      `health_interval_ms: 0
routes:
  - name: team/lm
    deployments:
      - backend: openai
        url: http://127.0.0.1:1/v1
        model: nowhere
      - backend: hf-endpoint
        url: ${upstream.url}/models/tests/tiny-lm
        model: tests/tiny-lm
        api_key_env: UPSTREAM_TOKEN
  - name: team/embed
    task: feature-extraction
    deployments:
      - backend: hf-endpoint
        url: ${upstream.url}/models/tests/tiny-embedder
        model: tests/tiny-embedder
        api_key_env: UPSTREAM_TOKEN
  - name: local-lm
    deployments:
      - backend: local
        model: tests/tiny-lm
`,
    );
    front = await startTestHangar({
      routes: file,
      environment: (name) => (name === "UPSTREAM_TOKEN" ? upstream.adminToken : undefined),
    });
    await importTinyModels(front.hangar, ["tests/tiny-lm"]);
  });

  after(async () => {
    await front?.close();
    await upstream?.close();
    await folder?.remove();
  });

  it("generation falls back from an unreachable server to the other Hangar and answers as it does", async () => {
    const direct = new OpenAI({ apiKey: upstream.adminToken, baseURL: `${upstream.url}/v1`, maxRetries: 0 });
    const routed = new OpenAI({ apiKey: front.adminToken, baseURL: `${front.url}/v1`, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: "count" }];
    const expected = await direct.chat.completions.create({
      model: "tests/tiny-lm",
      messages,
      max_tokens: 8,
    });
    const answer = await routed.chat.completions.create({ model: "team/lm", messages, max_tokens: 8 });
    assert.equal(answer.choices[0]!.message.content, expected.choices[0]!.message.content);
    assert.ok((expected.choices[0]!.message.content ?? "").length > 0);
    assert.deepEqual(answer.usage, expected.usage);

    let streamed = "";
    for await (const chunk of await routed.chat.completions.create({
      model: "team/lm",
      messages,
      max_tokens: 8,
      stream: true,
    })) {
      streamed += chunk.choices[0]?.delta?.content ?? "";
    }
    assert.equal(streamed, expected.choices[0]!.message.content);
  });

  it("other tasks go to the endpoint URL as the Hub's serverless API takes them", async () => {
    const expected = await postJson(`${upstream.url}/models/tests/tiny-embedder`, upstream.adminToken, {
      inputs: "hello there",
    });
    const routed = await postJson(`${front.url}/models/team/embed`, front.adminToken, {
      inputs: "hello there",
    });
    assert.equal(expected.status, 200);
    assert.equal(routed.status, 200);
    assert.deepEqual(routed.json, expected.json);
  });

  it("a local deployment runs the local model under the route's name, metered under it", async () => {
    const direct = await postJson(`${front.url}/v1/inference/text-generation`, front.adminToken, {
      model: "tests/tiny-lm",
      inputs: "count",
      parameters: { max_new_tokens: 6 },
    });
    const routed = await postJson(`${front.url}/v1/inference/text-generation`, front.adminToken, {
      model: "local-lm",
      inputs: "count",
      parameters: { max_new_tokens: 6 },
    });
    assert.equal(routed.status, 200);
    assert.deepEqual(
      (routed.json as { outputs: unknown }).outputs,
      (direct.json as { outputs: unknown }).outputs,
    );
    assert.equal((routed.json as { model: string }).model, "local-lm");
    const events = await front.hangar.inference.usageEvents({ model: "local-lm" });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.task, "text-generation");
    assert.equal(events[0]!.outcome, "ok");
  });
});
