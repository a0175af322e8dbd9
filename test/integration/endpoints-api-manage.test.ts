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

describe("inference endpoints through the Inference Endpoints v2 API, as huggingface_hub calls it: create, pause, access, update and delete", () => {
  let hub: TestHangar;
  let alice: string;
  let aliceRead: string;
  let bob: string;
  const { call, fromRaw, waitRunning } = endpointsApi(() => hub);

  before(async () => {
    ({ hub, alice, aliceRead, bob } = await startEndpointsHub());
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
