import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFile } from "@huggingface/hub";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";
import {
  type ApiDelivery,
  type ApiWebhook,
  hubJson,
  PRIVATE_TARGETS_ALLOWED,
  type Received,
  startReceiver,
} from "../helpers/webhook-receiver.ts";

describe("webhooks (/api/settings/webhooks) with deliveries off the request path", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  const receivers: Server[] = [];
  before(async () => {
    hub = await startTestHangar({ outbound: PRIVATE_TARGETS_ALLOWED });
    alice = await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
    hub.hangar.webhooks.start({
      baseUrl: hub.url,
      intervalMs: 50,
      retryBaseMs: 50,
      maxAttempts: 3,
      disableAfterFailures: 3,
    });
  });
  after(async () => {
    for (const server of receivers) server.close();
    await hub.close();
  });

  it("creates, lists, updates, disables, enables and deletes a webhook as huggingface_hub does", async () => {
    const created = await hubJson(hub, alice, "POST", "/api/settings/webhooks", {
      watched: [{ type: "user", name: "alice" }],
      domains: ["repo"],
      secret: "first",
      url: "http://127.0.0.1:9/never",
    });
    assert.equal(created.status, 200);
    const webhook = created.json.webhook;
    assert.match(webhook.id, /^[0-9a-f]{24}$/);
    assert.deepEqual(
      {
        url: webhook.url,
        watched: webhook.watched,
        domains: webhook.domains,
        secret: webhook.secret,
        disabled: webhook.disabled,
      },
      {
        url: "http://127.0.0.1:9/never",
        watched: [{ type: "user", name: "alice" }],
        domains: ["repo"],
        secret: "first",
        disabled: false,
      },
    );
    // huggingface_hub's update_webhook always sends `watched` (empty when not given).
    const updated = await hubJson(hub, alice, "POST", `/api/settings/webhooks/${webhook.id}`, {
      watched: [],
      secret: "second",
      domains: ["repo", "discussion"],
    });
    assert.deepEqual(
      [updated.json.webhook.secret, updated.json.webhook.domains, updated.json.webhook.watched],
      ["second", ["repo", "discussion"], [{ type: "user", name: "alice" }]],
    );
    assert.equal(
      (await hubJson(hub, alice, "POST", `/api/settings/webhooks/${webhook.id}/disable`)).json.webhook
        .disabled,
      true,
    );
    assert.equal(
      (await hubJson(hub, alice, "POST", `/api/settings/webhooks/${webhook.id}/enable`)).json.webhook
        .disabled,
      false,
    );
    const listed = await hubJson<ApiWebhook[]>(hub, alice, "GET", "/api/settings/webhooks");
    assert.deepEqual(
      listed.json.map((entry) => entry.id),
      [webhook.id],
    );
    // Another user neither sees nor changes it.
    assert.deepEqual((await hubJson<ApiWebhook[]>(hub, bob, "GET", "/api/settings/webhooks")).json, []);
    const foreign = await hubJson(hub, bob, "GET", `/api/settings/webhooks/${webhook.id}`);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.headers.get("x-error-code"), "NotFound");
    const bad = await hubJson(hub, alice, "POST", "/api/settings/webhooks", {
      watched: [{ type: "team", name: "x" }],
      url: "http://127.0.0.1:9/",
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /watched\[0\]\.type/);
    assert.equal((await hubJson(hub, alice, "DELETE", `/api/settings/webhooks/${webhook.id}`)).status, 200);
    assert.equal((await hubJson(hub, alice, "GET", `/api/settings/webhooks/${webhook.id}`)).status, 404);
  });

  it("delivers a push event with its secret, retried when the receiver first answers 500", async () => {
    const receiver = await startReceiver([500]);
    receivers.push(receiver.server);
    await createRepo({ repo: "alice/pushed", accessToken: alice, hubUrl: hub.url });
    const created = await hubJson(hub, alice, "POST", "/api/settings/webhooks", {
      watched: [{ type: "model", name: "alice/pushed" }],
      domains: ["repo"],
      secret: "s3cret",
      url: receiver.url,
    });
    const webhookId = created.json.webhook.id as string;
    await uploadFile({
      repo: "alice/pushed",
      file: { path: "config.json", content: new Blob(['{"model_type":"bert"}']) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    await until(() => receiver.received.length >= 2, "the retried delivery", { ms: 15_000 });
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "pushed" }))!;
    const [first, second] = receiver.received as [Received, Received];
    assert.equal(first.body, second.body, "a retry sends the same event");
    assert.equal(second.headers["x-webhook-secret"], "s3cret");
    assert.equal(
      second.headers["x-hangar-signature"],
      `sha256=${createHmac("sha256", "s3cret").update(second.body).digest("hex")}`,
    );
    const payload = JSON.parse(second.body);
    assert.deepEqual(payload.event, { action: "update", scope: "repo.content" });
    assert.equal(payload.repo.name, "alice/pushed");
    assert.equal(payload.repo.type, "model");
    assert.equal(payload.repo.private, false);
    assert.equal(payload.repo.headSha, repo.sha);
    assert.deepEqual(payload.repo.url, {
      web: `${hub.url}/alice/pushed`,
      api: `${hub.url}/api/models/alice/pushed`,
    });
    assert.equal(payload.updatedRefs[0].ref, "refs/heads/main");
    assert.equal(payload.updatedRefs[0].newSha, repo.sha);
    assert.deepEqual(payload.webhook, { id: webhookId, version: 3 });

    const log = await hubJson<ApiDelivery[]>(
      hub,
      alice,
      "GET",
      `/api/settings/webhooks/${webhookId}/deliveries`,
    );
    assert.equal(log.status, 200);
    assert.equal(log.json.length, 1);
    assert.deepEqual(
      log.json.map((entry) => [entry.event, entry.status, entry.attempts, entry.responseStatus]),
      [["repo.content.update", "delivered", 2, 200]],
    );
  });

  it("delivers discussion events: a discussion opened, then a comment on it", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver.server);
    await createRepo({ repo: "alice/talked-about", accessToken: alice, hubUrl: hub.url });
    await hubJson(hub, alice, "POST", "/api/settings/webhooks", {
      watched: [{ type: "model", name: "alice/talked-about" }],
      domains: ["discussion"],
      url: receiver.url,
    });
    // As huggingface_hub's create_discussion and comment_discussion send them, by another user.
    const opened = await hubJson<{ num: number }>(
      hub,
      bob,
      "POST",
      "/api/models/alice/talked-about/discussions",
      { title: "Which dataset?", description: "", pullRequest: false },
    );
    assert.equal(opened.status, 200, JSON.stringify(opened.json));
    const commented = await hubJson(
      hub,
      bob,
      "POST",
      `/api/models/alice/talked-about/discussions/${opened.json.num}/comment`,
      { comment: "The card does not say." },
    );
    assert.equal(commented.status, 200, JSON.stringify(commented.json));
    await until(() => receiver.received.length >= 2, "both discussion events", { ms: 15_000 });
    const payloads = receiver.received.map((entry) => JSON.parse(entry.body));
    assert.deepEqual(
      payloads.map((payload) => payload.event),
      [
        { action: "create", scope: "discussion" },
        { action: "create", scope: "discussion.comment" },
      ],
    );
    assert.equal(payloads[0].discussion.title, "Which dataset?");
    assert.equal(payloads[0].discussion.num, opened.json.num);
    assert.equal(payloads[0].discussion.isPullRequest, false);
    assert.equal(
      payloads[1].discussion.url.web,
      `${hub.url}/alice/talked-about/discussions/${opened.json.num}`,
    );
    assert.equal(payloads[1].comment.content, "The card does not say.");
    assert.equal(payloads[1].comment.author.id, "bob");
    // The repo domain was not asked for: the repo's creation and commits are not sent.
    assert.ok(payloads.every((payload) => payload.event.scope.startsWith("discussion")));
  });

  it("never delivers an event of a repo the webhook's owner cannot read", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver.server);
    await hubJson(hub, bob, "POST", "/api/settings/webhooks", {
      watched: [{ type: "user", name: "alice" }],
      domains: ["repo"],
      url: receiver.url,
    });
    await createRepo({ repo: "alice/hidden", accessToken: alice, hubUrl: hub.url, private: true });
    await uploadFile({
      repo: "alice/hidden",
      file: { path: "secret.txt", content: new Blob(["private"]) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    await createRepo({ repo: "alice/visible", accessToken: alice, hubUrl: hub.url });
    await uploadFile({
      repo: "alice/visible",
      file: { path: "open.txt", content: new Blob(["public"]) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    await until(
      () => receiver.received.some((entry) => JSON.parse(entry.body).event.scope === "repo.content"),
      "the public repo's events",
      { ms: 15_000 },
    );
    // The private repo's events were queued before the public one's: had they been sent, they would be here.
    await hub.hangar.webhooks.deliverDue();
    const names = receiver.received.map((entry) => JSON.parse(entry.body).repo.name as string);
    assert.ok(names.includes("alice/visible"));
    assert.ok(!names.includes("alice/hidden"), `bob's webhook got ${names.join(", ")}`);
    assert.ok(!receiver.received.some((entry) => entry.body.includes("hidden")));
  });

  it("disables a webhook after repeated failed deliveries", async () => {
    const receiver = await startReceiver([500, 500, 500, 500, 500, 500]);
    receivers.push(receiver.server);
    await createRepo({ repo: "alice/failing", accessToken: alice, hubUrl: hub.url });
    const created = await hubJson(hub, alice, "POST", "/api/settings/webhooks", {
      watched: [{ type: "model", name: "alice/failing" }],
      url: receiver.url,
    });
    const id = created.json.webhook.id as string;
    await uploadFile({
      repo: "alice/failing",
      file: { path: "a.txt", content: new Blob(["a"]) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    await until(
      async () =>
        (await hubJson(hub, alice, "GET", `/api/settings/webhooks/${id}`)).json.webhook.disabled === true,
      "the webhook to be disabled",
      { ms: 15_000 },
    );
    const webhook = (await hubJson(hub, alice, "GET", `/api/settings/webhooks/${id}`)).json.webhook;
    assert.equal(webhook.disabledReason, "failures");
    assert.equal(receiver.received.length, 3);
    const log = (await hubJson<ApiDelivery[]>(hub, alice, "GET", `/api/settings/webhooks/${id}/deliveries`))
      .json;
    assert.deepEqual(
      log.map((entry) => [entry.status, entry.attempts, entry.responseStatus]),
      [["failed", 3, 500]],
    );
  });
});

describe("webhook deliveries checked again when they are sent", () => {
  let hub: TestHangar;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    hub = await startTestHangar({ outbound: PRIVATE_TARGETS_ALLOWED });
    receiver = await startReceiver();
  });
  after(async () => {
    receiver.server.close();
    await hub.close();
  });

  it("drops a queued event of a repo that turned private before it was sent", async () => {
    // The deliverer is not started: events wait in the catalog's queue, as after a restart.
    const alice = await hub.addUser("alice", "write");
    const bob = await hub.addUser("bob", "write");
    await hubJson(hub, bob, "POST", "/api/settings/webhooks", {
      watched: [{ type: "user", name: "alice" }],
      domains: ["repo"],
      url: receiver.url,
    });
    await createRepo({ repo: "alice/turning", accessToken: alice, hubUrl: hub.url });
    await uploadFile({
      repo: "alice/turning",
      file: { path: "a.txt", content: new Blob(["a"]) },
      accessToken: alice,
      hubUrl: hub.url,
    });
    const settings = await fetch(`${hub.url}/api/models/alice/turning/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${alice}`, "content-type": "application/json" },
      body: JSON.stringify({ private: true }),
    });
    assert.equal(settings.status, 200);
    const [webhook] = (await hubJson<ApiWebhook[]>(hub, bob, "GET", "/api/settings/webhooks")).json;
    const queued = await hubJson<ApiDelivery[]>(
      hub,
      bob,
      "GET",
      `/api/settings/webhooks/${webhook!.id}/deliveries`,
    );
    assert.deepEqual(
      queued.json.map((entry) => [entry.event, entry.status]),
      [
        ["repo.content.update", "pending"],
        ["repo.create", "pending"],
      ],
      "queued while the repo was public; the settings change (private) is not queued for bob",
    );
    assert.equal(await hub.hangar.webhooks.deliverDue(), 2);
    assert.deepEqual(receiver.received, [], "nothing is sent once bob can no longer read the repo");
    assert.deepEqual(
      (await hubJson<ApiDelivery[]>(hub, bob, "GET", `/api/settings/webhooks/${webhook!.id}/deliveries`))
        .json,
      [],
    );
  });
});
