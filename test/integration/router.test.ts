import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { runCli } from "../helpers/cli-in-process.ts";
import { OpenAiUpstream } from "../helpers/openai-upstream.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";

async function chat(hub: TestHangar, model: string, extra: Record<string, unknown> = {}) {
  return fetch(`${hub.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
}

interface HealthReport {
  status: string;
  routes: Array<{
    name: string;
    state: string;
    deployments: Array<{
      id: string;
      state: string;
      circuit: string;
      last_check: string | null;
      error_rate: number;
      latency_ms: number | null;
      url: string | null;
    }>;
  }>;
}

async function health(hub: TestHangar): Promise<HealthReport> {
  const response = await fetch(`${hub.url}/v1/health`, {
    headers: { Authorization: `Bearer ${hub.adminToken}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as HealthReport;
}

/** The events of a server-sent stream, parsed (`[DONE]` as the string). */
function events(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((event) => event.startsWith("data: "))
    .map((event) => event.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

describe("inference router with OpenAI-compatible upstreams", () => {
  const first = new OpenAiUpstream(["one", " two", " three"]);
  const second = new OpenAiUpstream(["backup", " answer"]);
  const slow = new OpenAiUpstream(["slow"]);
  const limited = new OpenAiUpstream(["after", " waiting"]);
  let hub: TestHangar;
  let folder: Awaited<ReturnType<typeof makeTempDir>>;

  before(async () => {
    await Promise.all([first.start(), second.start(), slow.start(), limited.start()]);
    folder = await makeTempDir("hangar-routes-");
    const file = join(folder.path, "routes.yaml");
    await writeFile(
      file,
      `health_interval_ms: 100
routes:
  - name: chat-default
    policy: priority
    retries: 3
    timeout_ms: 5000
    circuit: { failures: 2, cooldown_ms: 300 }
    deployments:
      - backend: openai
        url: ${first.url}/v1
        model: first-model
        api_key_env: FIRST_KEY
      - backend: openai
        url: ${second.url}/v1
        model: second-model
  - name: slow-then-fast
    attempt_timeout_ms: 300
    deployments:
      - backend: openai
        url: ${slow.url}/v1
        model: slow-model
      - backend: openai
        url: ${second.url}/v1
        model: second-model
  - name: limited
    retries: 2
    deployments:
      - backend: openai
        url: ${limited.url}/v1
        model: limited-model
  - name: embed
    task: feature-extraction
    cache: true
    deployments:
      - backend: openai
        url: ${second.url}/v1
        model: embedder
`,
    );
    hub = await startTestHangar({
      routes: file,
      environment: (name) => (name === "FIRST_KEY" ? "sk-first-secret" : undefined),
    });
  });

  after(async () => {
    await hub?.close();
    await Promise.all([first.kill(), second.kill(), slow.kill(), limited.kill()]);
    await folder?.remove();
  });

  it("answers chat, completions and embeddings through the real openai client, with the key from the environment", async () => {
    const openai = new OpenAI({ apiKey: hub.adminToken, baseURL: `${hub.url}/v1`, maxRetries: 0 });
    const answer = await openai.chat.completions.create({
      model: "chat-default",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 7,
    });
    assert.equal(answer.choices[0]!.message.content, "one two three");
    assert.equal(answer.model, "chat-default");
    assert.deepEqual(answer.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    const seen = first.requests("/v1/chat/completions").at(-1)!;
    assert.equal(seen.authorization, "Bearer sk-first-secret");
    assert.equal(seen.body?.model, "first-model");
    assert.equal(seen.body?.max_tokens, 7);

    const completion = await openai.completions.create({ model: "chat-default", prompt: "say" });
    assert.equal(completion.choices[0]!.text, "one two three");
    assert.equal(first.requests("/v1/completions").at(-1)!.body?.prompt, "say");

    const stream = await openai.chat.completions.create({
      model: "chat-default",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, "one two three");
    assert.deepEqual(usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });

    const embeddings = await openai.embeddings.create({ model: "embed", input: ["ab", "xyz"] });
    assert.deepEqual(
      embeddings.data.map((item) => item.embedding),
      [
        [2, 97, 1],
        [3, 120, 1],
      ],
    );
    // The same request again is answered from the route's cache: the upstream sees it once.
    const before = second.requests("/v1/embeddings").length;
    await openai.embeddings.create({ model: "embed", input: ["ab", "xyz"] });
    assert.equal(second.requests("/v1/embeddings").length, before);

    const events = (await hub.hangar.inference.usageEvents({ model: "chat-default" })).filter(
      (e) => e.outcome === "ok",
    );
    assert.ok(events.length >= 3);
    assert.ok(
      events.some((event) => event.inputUnits === 5 && event.outputUnits === 3 && event.unit === "tokens"),
    );

    const models = await openai.models.list();
    assert.ok(models.data.some((model) => model.id === "chat-default"));
  });

  it("a name without a route is still a local repo", async () => {
    const response = await chat(hub, "nobody/missing-model");
    assert.equal(response.status, 404);
  });

  it("falls back when an upstream is killed; its circuit opens, /v1/health shows it, and it recovers", async () => {
    await first.kill();
    for (let index = 0; index < 4; index++) {
      const response = await chat(hub, "chat-default");
      assert.equal(response.status, 200);
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      assert.equal(body.choices[0]!.message.content, "backup answer");
    }
    const down = await health(hub);
    const route = down.routes.find((entry) => entry.name === "chat-default")!;
    assert.equal(route.state, "degraded");
    assert.equal(route.deployments[0]!.circuit, "open");
    assert.equal(route.deployments[0]!.state, "unhealthy");
    assert.ok(route.deployments[0]!.error_rate > 0);
    assert.equal(route.deployments[1]!.state, "healthy");
    assert.equal(down.status, "degraded");
    // `hangar status` shows the same, as a table and as JSON.
    const table = await runCli(["status", "--endpoint", hub.url, "--token", hub.adminToken]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Routes: degraded$/m);
    assert.match(table.stdout, /chat-default\s+chat-default\/0\s+openai\s+first-model\s+unhealthy/);
    assert.match(table.stdout, /chat-default\s+chat-default\/1\s+openai\s+second-model\s+healthy/);
    const json = await runCli(["status", "--endpoint", hub.url, "--token", hub.adminToken, "--json"]);
    assert.equal((JSON.parse(json.stdout) as HealthReport).routes[0]!.deployments[0]!.circuit, "open");
    // While open, requests go straight to the backup: no failed attempt on the dead one first.
    const metrics = await fetch(`${hub.url}/metrics`, {
      headers: { Authorization: `Bearer ${hub.adminToken}` },
    });
    const text = await metrics.text();
    assert.match(text, /hangar_router_circuit_open\{route="chat-default",deployment="chat-default\/0"\} 1/);
    assert.match(text, /hangar_router_retries_total\{route="chat-default",kind="fallback"\} \d+/);

    await first.restart();
    // The periodic probe finds it back once the cooldown is over, and closes the circuit.
    await until(async () => (await health(hub)).routes[0]!.deployments[0]!.state === "healthy", "recovery");
    const seenBefore = first.requests("/v1/chat/completions").length;
    const response = await chat(hub, "chat-default");
    assert.equal(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content,
      "one two three",
    );
    assert.equal(first.requests("/v1/chat/completions").length, seenBefore + 1);
    const back = await health(hub);
    assert.ok(back.routes[0]!.deployments[0]!.last_check !== null);
    assert.match(
      await (
        await fetch(`${hub.url}/metrics`, { headers: { Authorization: `Bearer ${hub.adminToken}` } })
      ).text(),
      /hangar_router_circuit_open\{route="chat-default",deployment="chat-default\/0"\} 0/,
    );
  });

  it("a slow upstream runs out of its attempt time and the next deployment answers", async () => {
    slow.mode = { kind: "stall", ms: 3_000 };
    const started = Date.now();
    const response = await chat(hub, "slow-then-fast");
    const elapsed = Date.now() - started;
    assert.equal(response.status, 200);
    assert.equal(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content,
      "backup answer",
    );
    assert.ok(elapsed >= 300 && elapsed < 2_500, `answered in ${elapsed} ms`);
    assert.equal(slow.requests("/v1/chat/completions").length, 1);
  });

  it("retries a 429 after its Retry-After", async () => {
    limited.mode = { kind: "rate-limit", seconds: 1, times: 1 };
    const response = await chat(hub, "limited");
    assert.equal(response.status, 200);
    assert.equal(
      ((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
        .content,
      "after waiting",
    );
    const [refused, answered] = limited.requests("/v1/chat/completions");
    assert.ok(answered!.at - refused!.at >= 950, `retried after ${answered!.at - refused!.at} ms`);
  });

  it("answers the upstream's 429 and its Retry-After at once when the wait would outlast the route's time", async () => {
    limited.mode = { kind: "rate-limit", seconds: 120, times: 1 };
    const started = Date.now();
    const response = await chat(hub, "limited");
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "120");
    assert.ok(Date.now() - started < 2_000);
    limited.mode = { kind: "ok" };
  });

  it("passes the upstream's status and message to the caller when retrying cannot help", async () => {
    limited.mode = { kind: "fail", status: 422 };
    const seen = limited.requests("/v1/chat/completions").length;
    const response = await chat(hub, "limited");
    assert.equal(response.status, 422);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /answered 422: upstream failure 422/);
    assert.equal(limited.requests("/v1/chat/completions").length, seen + 1);
    limited.mode = { kind: "ok" };
  });

  it("falls back before a stream's first token; after it, ends the stream with an in-band error and no token twice", async () => {
    first.mode = { kind: "fail", status: 503 };
    const early = await chat(hub, "chat-default", { stream: true });
    assert.equal(early.status, 200);
    const earlyEvents = events(await early.text());
    const earlyText = earlyEvents
      .filter(
        (event): event is { choices: Array<{ delta: { content?: string } }> } => typeof event === "object",
      )
      .map((event) => event.choices[0]?.delta.content ?? "")
      .join("");
    assert.equal(earlyText, "backup answer");
    assert.equal(earlyEvents.at(-1), "[DONE]");

    // Two failures above may have opened the first one's circuit: wait until a probe closes it again.
    first.mode = { kind: "break-stream" };
    await until(
      async () => (await health(hub)).routes[0]!.deployments[0]!.state === "healthy",
      "first closed",
    );
    const secondBefore = second.requests("/v1/chat/completions").length;
    const broken = await chat(hub, "chat-default", { stream: true });
    assert.equal(broken.status, 200);
    const brokenEvents = events(await broken.text()) as Array<Record<string, unknown>>;
    const tokens = brokenEvents
      .filter((event) => Array.isArray(event.choices))
      .map((event) => (event.choices as Array<{ delta: { content?: string } }>)[0]?.delta.content ?? "")
      .filter((token) => token !== "");
    assert.deepEqual(tokens, ["one"]);
    const last = brokenEvents.at(-1) as { error?: { message: string } };
    assert.ok(last.error, "the stream ends with an error event");
    assert.match(last.error.message, /could not be reached|ended before its end/);
    // No fallback after the first token: the backup was never asked.
    assert.equal(second.requests("/v1/chat/completions").length, secondBefore);
    first.mode = { kind: "ok" };
  });
});
