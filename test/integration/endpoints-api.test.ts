import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** The headers `huggingface_hub`'s `_build_hf_headers` sends (its user agent and the bearer token). */
function hfHeaders(token: string | undefined, json = false): Record<string, string> {
  return {
    "user-agent": "unknown/None; hf_hub/1.3.0; python/3.12.3",
    "accept-encoding": "gzip, deflate",
    accept: "*/*",
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(json ? { "content-type": "application/json" } : {}),
  };
}

/** The body `create_inference_endpoint` sends for these arguments (None fields included, as it sends them). */
function createPayload(options: {
  name: string;
  repository: string;
  task?: string;
  minReplica?: number;
  maxReplica?: number;
  scaleToZeroTimeout?: number | null;
  instanceSize?: string;
  type?: string;
  vendor?: string;
}) {
  const payload: Record<string, unknown> = {
    accountId: null,
    compute: {
      accelerator: "cpu",
      instanceSize: options.instanceSize ?? "x1",
      instanceType: "cpu",
      scaling: {
        maxReplica: options.maxReplica ?? 1,
        minReplica: options.minReplica ?? 1,
        scaleToZeroTimeout: options.scaleToZeroTimeout ?? null,
      },
    },
    model: {
      framework: "pytorch",
      repository: options.repository,
      revision: null,
      image: { huggingface: {} },
    },
    name: options.name,
    provider: { region: "local", vendor: options.vendor ?? "hangar" },
    type: options.type ?? "authenticated",
  };
  if (options.task) (payload.model as Record<string, unknown>).task = options.task;
  return payload;
}

interface RawEndpoint {
  name: string;
  type: string;
  healthRoute: string;
  model: { repository: string; revision: string; task: string; framework: string };
  compute: { instanceSize: string; scaling: { minReplica: number; maxReplica: number } };
  status: { state: string; url: string | null; createdAt: string; updatedAt: string; readyReplica: number };
}

describe("inference endpoints through the Inference Endpoints v2 API, as huggingface_hub calls it", () => {
  let hub: TestHangar;
  let alice: string;
  let aliceRead: string;
  let bob: string;
  const api = (path: string) => `${hub.url}/api/endpoints/v2/endpoint/${path}`;

  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const response = await fetch(api(path), {
      method,
      headers: hfHeaders(token, body !== undefined),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined, response };
  }

  /** `InferenceEndpoint.from_raw`: every field it reads, with its type. */
  function fromRaw(raw: RawEndpoint) {
    assert.equal(typeof raw.name, "string");
    assert.equal(typeof raw.model.repository, "string");
    assert.equal(typeof raw.status.state, "string");
    assert.ok(raw.status.url === null || typeof raw.status.url === "string");
    assert.equal(typeof raw.healthRoute, "string");
    assert.equal(typeof raw.model.framework, "string");
    assert.ok(raw.model.revision === null || typeof raw.model.revision === "string");
    assert.ok(raw.model.task === null || typeof raw.model.task === "string");
    assert.ok(!Number.isNaN(Date.parse(raw.status.createdAt)));
    assert.ok(!Number.isNaN(Date.parse(raw.status.updatedAt)));
    assert.equal(typeof raw.type, "string");
    return raw;
  }

  /** `InferenceEndpoint.wait()`: re-GET until running with a URL whose health route answers 200. */
  async function waitRunning(namespace: string, name: string, token: string): Promise<RawEndpoint> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { json } = await call("GET", `${namespace}/${name}`, token);
      const raw = fromRaw(json as RawEndpoint);
      assert.notEqual(raw.status.state, "failed", JSON.stringify(raw.status));
      if (raw.status.state === "running" && raw.status.url) {
        const health = await fetch(
          `${raw.status.url.replace(/\/$/, "")}/${raw.healthRoute.replace(/^\//, "")}`,
          {
            headers: hfHeaders(token),
          },
        );
        await health.body?.cancel();
        if (health.status === 200) return raw;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${namespace}/${name} did not come up`);
  }

  async function waitForState(namespace: string, name: string, token: string, state: string) {
    for (let attempt = 0; attempt < 600; attempt++) {
      const { json } = await call("GET", `${namespace}/${name}`, token);
      if ((json as RawEndpoint).status.state === state) return json as RawEndpoint;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${namespace}/${name} never reached ${state}`);
  }

  before(async () => {
    hub = await startTestHangar({ endpoints: { autoscaleIntervalMs: 100, scaleDownAfterMs: 400 } });
    await commitFactoryModels(hub.hangar, ["sentiment", "generator"]);
    alice = await hub.addUser("alice");
    aliceRead = await hub.addUser("alice", "read");
    bob = await hub.addUser("bob");
  });
  after(async () => {
    await hub.close();
  });

  it("creates an endpoint from create_inference_endpoint's body, waits for it, and runs it through @huggingface/inference", async () => {
    const created = await call(
      "POST",
      "alice",
      alice,
      createPayload({ name: "sentiment", repository: "factory/sentiment", task: "text-classification" }),
    );
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const raw = fromRaw(created.json as RawEndpoint);
    assert.equal(raw.name, "sentiment");
    assert.equal(raw.model.repository, "factory/sentiment");
    assert.match(raw.model.revision, /^[0-9a-f]{40}$/, "the revision is pinned to the commit deployed");
    assert.equal(raw.model.task, "text-classification");
    assert.equal(raw.model.framework, "pytorch");
    assert.equal(raw.compute.scaling.minReplica, 1);
    assert.equal(raw.type, "authenticated");
    assert.ok(["pending", "initializing", "running"].includes(raw.status.state), raw.status.state);

    const running = await waitRunning("alice", "sentiment", alice);
    assert.equal(running.status.url, `${hub.url}/endpoints/alice/sentiment`);
    assert.equal(running.status.readyReplica, 1);

    const client = new InferenceClient(alice, { endpointUrl: running.status.url! });
    const labels = await client.textClassification({ inputs: "I really enjoyed this wonderful film" });
    assert.deepEqual(
      labels.map((entry) => entry.label),
      ["POSITIVE", "NEGATIVE"],
    );
    // An authenticated endpoint refuses anonymous callers.
    const anonymous = await fetch(running.status.url!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: "hello" }),
    });
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();

    const listed = await call("GET", "alice", alice);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      (listed.json as { items: RawEndpoint[] }).items.map((item) => fromRaw(item).name),
      ["sentiment"],
    );
  });

  it("serves chat through the openai client and @huggingface/inference, streamed and not, and counts time to first token", async () => {
    const created = await call(
      "POST",
      "alice",
      alice,
      createPayload({ name: "chat", repository: "factory/generator", instanceSize: "x2", type: "public" }),
    );
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const { status } = await waitRunning("alice", "chat", alice);
    const openai = new OpenAI({ apiKey: "unused", baseURL: `${status.url}/v1`, maxRetries: 0 });
    const answer = await openai.chat.completions.create({
      model: "tgi",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 5,
    });
    assert.equal(answer.choices[0]!.message.role, "assistant");
    assert.ok(answer.usage!.completion_tokens > 0);
    const stream = await openai.chat.completions.create({
      model: "tgi",
      messages: [{ role: "user", content: "hello" }],
      max_tokens: 5,
      stream: true,
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? "";
    assert.ok(streamed.length > 0);

    const client = new InferenceClient(undefined, { endpointUrl: status.url! });
    const chat = await client.chatCompletion({ messages: [{ role: "user", content: "hi" }], max_tokens: 4 });
    assert.equal(typeof chat.choices[0]!.message.content, "string");
    const generated = await client.textGeneration({ inputs: "once upon", parameters: { max_new_tokens: 4 } });
    assert.equal(typeof generated.generated_text, "string");

    const metrics = await call("GET", "alice/chat/metrics", alice);
    assert.equal(metrics.status, 200);
    const report = metrics.json as {
      requests: number;
      latency_ms: { p50: number; p95: number; p99: number };
      time_to_first_token_ms: { p50: number | null };
      tokens_per_second: number | null;
      error_rate: number;
      availability: number;
      replicas: { current: number; history: unknown[] };
      cost: { price_per_replica_hour: number; replica_hours: number; usd: number };
    };
    assert.equal(report.requests, 4);
    assert.ok(report.latency_ms.p50 > 0 && report.latency_ms.p99 >= report.latency_ms.p50);
    assert.ok(report.time_to_first_token_ms.p50 !== null, "the stream's first token was timed");
    assert.ok(report.tokens_per_second !== null && report.tokens_per_second > 0);
    assert.equal(report.error_rate, 0);
    assert.equal(report.availability, 1);
    assert.equal(report.replicas.current, 1);
    assert.equal(report.cost.price_per_replica_hour, 0.2, "x2: two threads at the default 0.10 USD each");
    assert.ok(report.cost.replica_hours > 0 && report.cost.usd > 0);

    const scraped = await (
      await fetch(`${hub.url}/metrics`, { headers: { authorization: `Bearer ${hub.adminToken}` } })
    ).text();
    const prometheus = scraped
      .split("\n")
      .filter((line) => line.startsWith("hangar_endpoint_"))
      .join("\n");
    assert.match(prometheus, /hangar_endpoint_requests_total\{endpoint="alice\/chat"\} 4/);
    assert.match(prometheus, /hangar_endpoint_replicas\{endpoint="alice\/chat"\} 1/);
    assert.match(prometheus, /hangar_endpoint_state\{endpoint="alice\/chat",state="running"\} 1/);
    assert.match(
      prometheus,
      /hangar_endpoint_time_to_first_token_seconds\{endpoint="alice\/chat",quantile="0.5"\}/,
    );
    assert.match(prometheus, /hangar_endpoint_cost_usd_total\{endpoint="alice\/chat"\} \d/);

    // A price set in the instance's price table applies to the endpoint's replica-hours.
    const priced = await fetch(`${hub.url}/v1/prices`, {
      method: "PUT",
      headers: { authorization: `Bearer ${hub.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ replica: "alice/chat", per_hour: 0.5 }),
    });
    assert.equal(priced.status, 200, await priced.text());
    const repriced = (await call("GET", "alice/chat/metrics", alice)).json as typeof report;
    assert.equal(repriced.cost.price_per_replica_hour, 0.5);
  });

  it("pause refuses requests with a clear error; resume brings it back; resume again is 400 'already running'", async () => {
    const paused = await call("POST", "alice/sentiment/pause", alice);
    assert.equal(paused.status, 200);
    assert.equal((paused.json as RawEndpoint).status.state, "paused");
    assert.equal((paused.json as RawEndpoint).status.url, null);
    const refused = await fetch(`${hub.url}/endpoints/alice/sentiment`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: "hello" }),
    });
    assert.equal(refused.status, 503);
    const error = (await refused.json()) as { error: string };
    assert.match(error.error, /Endpoint alice\/sentiment is paused: resume it/);
    const health = await fetch(`${hub.url}/endpoints/alice/sentiment/health`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(health.status, 503);
    await health.body?.cancel();

    const resumed = await call("POST", "alice/sentiment/resume", alice);
    assert.equal(resumed.status, 200);
    assert.equal((resumed.json as RawEndpoint).status.state, "initializing");
    const running = await waitRunning("alice", "sentiment", alice);
    const labels = await new InferenceClient(alice, { endpointUrl: running.status.url! }).textClassification({
      inputs: "a dull, tedious and badly acted mess",
    });
    assert.equal(labels[0]!.label, "NEGATIVE");
    const again = await call("POST", "alice/sentiment/resume", alice);
    assert.equal(again.status, 400);
    assert.match(JSON.stringify(again.json), /already running/);
  });

  it("scales to zero after its idle timeout, and the next request wakes it and succeeds", async () => {
    const created = await call(
      "POST",
      "alice",
      alice,
      // 0.005 minutes: 300 ms without a request.
      createPayload({
        name: "sleepy",
        repository: "factory/sentiment",
        minReplica: 0,
        scaleToZeroTimeout: 0.005,
      }),
    );
    assert.equal(created.status, 200, JSON.stringify(created.json));
    await waitRunning("alice", "sleepy", alice);
    const asleep = await waitForState("alice", "sleepy", alice, "scaledToZero");
    assert.equal(asleep.status.readyReplica, 0);
    assert.equal(
      asleep.status.url,
      `${hub.url}/endpoints/alice/sleepy`,
      "a scaled-to-zero endpoint keeps its URL",
    );
    const labels = await new InferenceClient(alice, { endpointUrl: asleep.status.url! }).textClassification({
      inputs: "I really enjoyed this wonderful film",
    });
    assert.equal(labels[0]!.label, "POSITIVE");
    const awake = (await call("GET", "alice/sleepy", alice)).json as RawEndpoint;
    assert.equal(awake.status.state, "running");
    assert.equal(awake.status.readyReplica, 1);

    // scale_to_zero_inference_endpoint does the same at once.
    const scaled = await call("POST", "alice/sleepy/scale-to-zero", alice);
    assert.equal((scaled.json as RawEndpoint).status.state, "scaledToZero");
    const woken = await fetch(`${hub.url}/endpoints/alice/sleepy`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: "great" }),
    });
    assert.equal(woken.status, 200);
    await woken.body?.cancel();
  });

  it("adds replicas under concurrent load and removes them once idle", async () => {
    const created = await call("POST", "alice", alice, {
      ...createPayload({ name: "busy", repository: "factory/sentiment", minReplica: 1, maxReplica: 3 }),
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const { status } = await waitRunning("alice", "busy", alice);
    const client = new InferenceClient(alice, { endpointUrl: status.url! });
    let loading = true;
    let most = 1;
    const load = Array.from({ length: 12 }, async () => {
      while (loading)
        await client.textClassification({
          inputs: "a long enough sentence to keep the model busy ".repeat(8),
        });
    });
    try {
      for (let attempt = 0; attempt < 600 && most < 2; attempt++) {
        const raw = (await call("GET", "alice/busy", alice)).json as RawEndpoint;
        most = Math.max(most, raw.status.readyReplica);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      loading = false;
      await Promise.all(load);
    }
    assert.ok(most >= 2, `the endpoint scaled up under load (at most ${most} replicas seen)`);
    let replicas = most;
    for (let attempt = 0; attempt < 600 && replicas > 1; attempt++) {
      replicas = ((await call("GET", "alice/busy", alice)).json as RawEndpoint).status.readyReplica;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(replicas, 1, "back down to its minimum once idle");
    const report = (await call("GET", "alice/busy/metrics", alice)).json as {
      replicas: { history: Array<{ replicas: number }> };
    };
    const counts = report.replicas.history.map((point) => point.replicas);
    assert.ok(Math.max(...counts) >= 2 && counts.at(-1) === 1, JSON.stringify(counts));
  });

  it("adds a replica when latency passes measure.latencyMs, even with one request at a time", async () => {
    const payload = createPayload({
      name: "slow",
      repository: "factory/sentiment",
      minReplica: 1,
      maxReplica: 2,
    });
    (payload.compute as { scaling: Record<string, unknown> }).scaling.measure = { latencyMs: 0.001 };
    const created = await call("POST", "alice", alice, payload);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const { status } = await waitRunning("alice", "slow", alice);
    const client = new InferenceClient(alice, { endpointUrl: status.url! });
    let replicas = 1;
    for (let attempt = 0; attempt < 600 && replicas < 2; attempt++) {
      await client.textClassification({ inputs: "one request at a time" });
      replicas = ((await call("GET", "alice/slow", alice)).json as RawEndpoint).status.readyReplica;
    }
    assert.equal(replicas, 2, "every request is slower than 0.001 ms: the latency target adds a replica");
    assert.equal((await call("DELETE", "alice/slow", alice)).status, 200);
  });

  it("keeps other users out, refuses read tokens for changes, and names the field of bad input", async () => {
    assert.equal((await call("GET", "alice", undefined)).status, 401);
    assert.equal((await call("GET", "alice", bob)).status, 403);
    assert.equal((await call("GET", "alice/sentiment", bob)).status, 403);
    assert.equal((await call("GET", "alice/sentiment", aliceRead)).status, 200, "a read token may look");
    const readCreate = await call(
      "POST",
      "alice",
      aliceRead,
      createPayload({ name: "nope", repository: "factory/sentiment" }),
    );
    assert.equal(readCreate.status, 403);
    assert.equal((await call("POST", "alice/sentiment/pause", bob)).status, 403);
    assert.equal((await call("GET", "alice/missing", alice)).status, 404);
    const bad = async (payload: Record<string, unknown>, pattern: RegExp, status = 400) => {
      const answer = await call("POST", "alice", alice, payload);
      assert.equal(answer.status, status, JSON.stringify(answer.json));
      assert.match((answer.json as { error: string }).error, pattern);
    };
    await bad(
      createPayload({ name: "aws", repository: "factory/sentiment", vendor: "aws" }),
      /"provider\.vendor" must be one of hangar/,
    );
    await bad(
      createPayload({ name: "big", repository: "factory/sentiment", instanceSize: "x9" }),
      /"compute\.instanceSize" must be one of x1/,
    );
    await bad(
      createPayload({ name: "bounds", repository: "factory/sentiment", minReplica: 3, maxReplica: 2 }),
      /"compute\.scaling\.minReplica" \(3\) must not be above/,
    );
    await bad(
      createPayload({ name: "Bad_Name", repository: "factory/sentiment" }),
      /"name" must be 1-32 lowercase/,
    );
    await bad(
      createPayload({ name: "task", repository: "factory/sentiment", task: "fill-mask" }),
      /"model\.task": factory\/sentiment cannot do fill-mask/,
    );
    await bad(createPayload({ name: "ghost", repository: "nobody/nothing" }), /Repository Not Found/, 404);
    await bad(
      createPayload({ name: "sentiment", repository: "factory/sentiment" }),
      /already exists in alice/,
      409,
    );

    // A private endpoint answers only its namespace's members.
    const created = await call(
      "POST",
      "alice",
      alice,
      createPayload({ name: "secret", repository: "factory/sentiment", type: "private" }),
    );
    assert.equal(created.status, 200);
    const { status } = await waitRunning("alice", "secret", alice);
    const post = (token?: string) =>
      fetch(status.url!, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ inputs: "fine" }),
      });
    assert.equal((await post(alice)).status, 200);
    assert.equal((await post(bob)).status, 404);
    assert.equal((await post()).status, 401);
  });

  it("updates an endpoint's scaling and model, deletes it, and audits every change", async () => {
    const updated = await call("PUT", "alice/sentiment", alice, {
      compute: { scaling: { maxReplica: 2, minReplica: 1 } },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    assert.equal((updated.json as RawEndpoint).compute.scaling.maxReplica, 2);
    const resized = await call("PUT", "alice/sentiment", alice, { compute: { instanceSize: "x2" } });
    assert.equal((resized.json as RawEndpoint).compute.instanceSize, "x2");
    await waitRunning("alice", "sentiment", alice);
    const deleted = await call("DELETE", "alice/sentiment", alice);
    assert.equal(deleted.status, 200);
    assert.equal((await call("GET", "alice/sentiment", alice)).status, 404);
    const gone = await fetch(`${hub.url}/endpoints/alice/sentiment`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: "x" }),
    });
    assert.equal(gone.status, 404);
    await gone.body?.cancel();
    const entries = await hub.hangar.catalog.audit.list({ target: "endpoint:alice/sentiment" });
    assert.deepEqual(
      entries.map((entry) => entry.action).sort(),
      [
        "endpoint.create",
        "endpoint.delete",
        "endpoint.pause",
        "endpoint.resume",
        "endpoint.update",
        "endpoint.update",
      ].sort(),
    );
    assert.ok(entries.every((entry) => entry.actor.user === "alice"));
  });
});
