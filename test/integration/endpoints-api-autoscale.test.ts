import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import {
  createPayload,
  endpointsApi,
  type RawEndpoint,
  startEndpointsHub,
} from "../helpers/endpoints-api.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("inference endpoints through the Inference Endpoints v2 API, as huggingface_hub calls it: scale to zero and replicas", () => {
  let hub: TestHangar;
  let alice: string;
  const { call, waitRunning, waitForState } = endpointsApi(() => hub);

  before(async () => {
    ({ hub, alice } = await startEndpointsHub());
  });
  after(async () => {
    await hub.close();
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
});
