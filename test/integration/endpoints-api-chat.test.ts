import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import OpenAI from "openai";
import { createPayload, endpointsApi, startEndpointsHub } from "../helpers/endpoints-api.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("inference endpoints through the Inference Endpoints v2 API, as huggingface_hub calls it: chat, metrics and prices", () => {
  let hub: TestHangar;
  let alice: string;
  const { call, waitRunning } = endpointsApi(() => hub);

  before(async () => {
    ({ hub, alice } = await startEndpointsHub());
  });
  after(async () => {
    await hub.close();
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
});
