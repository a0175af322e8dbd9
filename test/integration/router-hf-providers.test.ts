import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import { OpenAiUpstream } from "../helpers/openai-upstream.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * A stand-in for Hugging Face's side of Inference Providers on 127.0.0.1: the Hub's provider mappings
 * (`/api/models/{id}?expand[]=inferenceProviderMapping`), the router's OpenAI-compatible chat for `auto`
 * and the `:fastest` policy, and the hf-inference provider's feature-extraction pipeline.
 */
function providersStandIn(): OpenAiUpstream {
  const standIn = new OpenAiUpstream(["provider", " says", " hi"]);
  standIn.extra.set("/api/models/org/embedder", (_request, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(
      JSON.stringify({
        id: "org/embedder",
        inferenceProviderMapping: {
          "hf-inference": { providerId: "org/embedder", status: "live", task: "feature-extraction" },
        },
      }),
    );
  });
  standIn.extra.set(
    "/hf-inference/models/org/embedder/pipeline/feature-extraction",
    (request, response, body) => {
      if (request.headers.authorization !== "Bearer hf_provider_token_for_tests") {
        response.writeHead(401, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ error: "Invalid credentials in Authorization header" }));
        return;
      }
      const inputs = body?.inputs;
      const vector = (text: string) => [text.length, 0.5, -1];
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(
        JSON.stringify(
          Array.isArray(inputs) ? inputs.map((text) => vector(String(text))) : vector(String(inputs)),
        ),
      );
    },
  );
  return standIn;
}

describe("Hugging Face Inference Providers backend (through @huggingface/inference, against a local stand-in)", () => {
  const standIn = providersStandIn();
  let hub: TestHangar;
  let folder: Awaited<ReturnType<typeof makeTempDir>>;

  before(async () => {
    await standIn.start();
    folder = await makeTempDir("hangar-hf-routes-");
    const file = join(folder.path, "routes.yaml");
    await writeFile(
      file,
      `health_interval_ms: 0
routes:
  - name: hf-chat
    deployments:
      - backend: hf-providers
        model: org/chat-model:fastest
        url: ${standIn.url}
        hub_url: ${standIn.url}
        api_key_env: HF_PROVIDER_TOKEN
  - name: hf/embedder
    task: feature-extraction
    retries: 0
    deployments:
      - backend: hf-providers
        provider: hf-inference
        model: org/embedder
        url: ${standIn.url}
        hub_url: ${standIn.url}
        api_key_env: HF_PROVIDER_TOKEN
  - name: hf/embedder-bad-token
    task: feature-extraction
    deployments:
      - backend: hf-providers
        provider: hf-inference
        model: org/embedder
        url: ${standIn.url}
        hub_url: ${standIn.url}
        api_key_env: WRONG_TOKEN
`,
    );
    hub = await startTestHangar({
      routes: file,
      environment: (name) =>
        ({ HF_PROVIDER_TOKEN: "hf_provider_token_for_tests", WRONG_TOKEN: "hf_wrong" })[name],
    });
  });

  after(async () => {
    await hub?.close();
    await standIn.kill();
    await folder?.remove();
  });

  it("chat goes to the providers' router with the :fastest policy and the deployment's token", async () => {
    const client = new InferenceClient(hub.adminToken);
    const answer = await client.chatCompletion({
      endpointUrl: `${hub.url}/v1`,
      model: "hf-chat",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 9,
    });
    assert.equal(answer.choices[0]!.message.content, "provider says hi");
    const seen = standIn.requests("/v1/chat/completions").at(-1)!;
    assert.equal(seen.body?.model, "org/chat-model:fastest");
    assert.equal(seen.body?.max_tokens, 9);
    assert.equal(seen.authorization, "Bearer hf_provider_token_for_tests");

    let streamed = "";
    for await (const chunk of client.chatCompletionStream({
      endpointUrl: `${hub.url}/v1`,
      model: "hf-chat",
      messages: [{ role: "user", content: "hello" }],
    })) {
      streamed += chunk.choices[0]?.delta?.content ?? "";
    }
    assert.equal(streamed, "provider says hi");
  });

  it("feature extraction reads the provider mapping from the Hub, then calls the provider's pipeline", async () => {
    const client = new InferenceClient(hub.adminToken);
    const vector = await client.featureExtraction({
      endpointUrl: `${hub.url}/models/hf/embedder`,
      inputs: "four",
    });
    assert.deepEqual(vector, [4, 0.5, -1]);
    assert.ok(standIn.requests("/api/models/org/embedder?expand").length >= 1);
    assert.equal(standIn.requests("/hf-inference/models/org/embedder/pipeline/feature-extraction").length, 1);
  });

  it("the provider's refusal reaches the caller with its status and message, not retried", async () => {
    const before = standIn.requests("/hf-inference/").length;
    const response = await fetch(`${hub.url}/models/hf/embedder-bad-token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify({ inputs: "four" }),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /answered 401: Invalid credentials in Authorization header/);
    assert.equal(standIn.requests("/hf-inference/").length, before + 1);
  });
});
