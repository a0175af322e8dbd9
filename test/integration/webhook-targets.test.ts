import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo } from "@huggingface/hub";
import { parseOutboundAllow } from "../../src/core/outbound-url.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { type ApiDelivery, type ApiWebhook, hubJson, startReceiver } from "../helpers/webhook-receiver.ts";

/** Creates a webhook of `token`'s user watching itself; the raw answer. */
function createWebhook(hub: TestHangar, token: string, user: string, url: string) {
  return hubJson(hub, token, "POST", "/api/settings/webhooks", {
    watched: [{ type: "user", name: user }],
    domains: ["repo"],
    url,
  });
}

/** The delivery log of a webhook. */
async function deliveries(hub: TestHangar, token: string, id: string): Promise<ApiDelivery[]> {
  return (await hubJson<ApiDelivery[]>(hub, token, "GET", `/api/settings/webhooks/${id}/deliveries`)).json;
}

describe("webhook URLs may not reach private addresses by default (SSRF)", () => {
  let hub: TestHangar;
  let alice: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    hub = await startTestHangar();
    alice = await hub.addUser("alice", "write");
    receiver = await startReceiver([], "localhost");
  });
  after(async () => {
    receiver.server.close();
    await hub.close();
  });

  it("refuses a URL whose host is a literal private, loopback or link-local address, naming the field", async () => {
    const refused = [
      "http://127.0.0.1:9/hook",
      "http://127.1/hook",
      "http://2130706433/hook",
      "http://10.1.2.3/hook",
      "http://172.16.0.1/hook",
      "https://192.168.1.1/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://100.64.0.1/hook",
      "http://0.0.0.0/hook",
      "http://[::1]/hook",
      "http://[::]/hook",
      "http://[fd00::1]/hook",
      "http://[fe80::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://[::ffff:a9fe:a9fe]/hook",
    ];
    for (const url of refused) {
      const answer = await createWebhook(hub, alice, "alice", url);
      assert.equal(answer.status, 400, url);
      assert.equal(answer.headers.get("x-error-code"), "UrlNotAllowed", url);
      assert.match(answer.json.error, /^url: .*private, loopback or link-local.*HANGAR_OUTBOUND_ALLOW/, url);
    }
    assert.deepEqual((await hubJson<ApiWebhook[]>(hub, alice, "GET", "/api/settings/webhooks")).json, []);
  });

  it("refuses such a URL on an update too, and keeps the webhook's URL", async () => {
    const created = await createWebhook(hub, alice, "alice", "https://hooks.example.com/hangar");
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const id = created.json.webhook.id;
    const updated = await hubJson(hub, alice, "POST", `/api/settings/webhooks/${id}`, {
      watched: [],
      url: "http://169.254.169.254/latest/meta-data/",
    });
    assert.equal(updated.status, 400);
    assert.equal(updated.headers.get("x-error-code"), "UrlNotAllowed");
    assert.match(updated.json.error, /^url: 169\.254\.169\.254 /);
    const kept = await hubJson(hub, alice, "GET", `/api/settings/webhooks/${id}`);
    assert.equal(kept.json.webhook.url, "https://hooks.example.com/hangar");
    assert.equal((await hubJson(hub, alice, "DELETE", `/api/settings/webhooks/${id}`)).status, 200);
  });

  it("sends nothing to a host name that resolves to a loopback address, and says why in the log", async () => {
    // A host name is accepted when saved (it is resolved only when used); its address is checked then.
    const created = await createWebhook(hub, alice, "alice", `http://localhost:${receiver.port}/hook`);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    await createRepo({ repo: "alice/watched", accessToken: alice, hubUrl: hub.url });
    // The deliverer is not started: one round of deliveries is run here.
    assert.equal(await hub.hangar.webhooks.deliverDue(), 1);
    assert.deepEqual(receiver.received, [], "nothing reached the receiver");
    const [delivery] = await deliveries(hub, alice, created.json.webhook.id);
    assert.equal(delivery?.status, "pending", "retried later, as any failed attempt");
    assert.equal(delivery?.attempts, 1);
    assert.equal(delivery?.responseStatus, null);
    assert.match(
      delivery?.error ?? "",
      /^The receiver's address is refused: localhost resolves to an address that is private, loopback or link-local; nothing was sent \(the operator may permit it with HANGAR_OUTBOUND_ALLOW\)$/,
    );
  });
});

describe("webhook URLs to private addresses the operator permits", () => {
  let hub: TestHangar;
  let alice: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    // As HANGAR_OUTBOUND_ALLOW=localhost,10.20.0.0/16 sets it.
    hub = await startTestHangar({
      outbound: parseOutboundAllow("localhost,10.20.0.0/16", "HANGAR_OUTBOUND_ALLOW")!,
    });
    alice = await hub.addUser("alice", "write");
    receiver = await startReceiver([], "localhost");
  });
  after(async () => {
    receiver.server.close();
    await hub.close();
  });

  it("accepts the permitted network and refuses other private addresses", async () => {
    const permitted = await createWebhook(hub, alice, "nobody", "http://10.20.3.4/hook");
    assert.equal(permitted.status, 200, JSON.stringify(permitted.json));
    const other = await createWebhook(hub, alice, "nobody", "http://10.21.0.1/hook");
    assert.equal(other.status, 400);
    assert.equal(other.headers.get("x-error-code"), "UrlNotAllowed");
  });

  it("delivers to a permitted host name that resolves to a loopback address", async () => {
    const created = await createWebhook(hub, alice, "alice", `http://localhost:${receiver.port}/hook`);
    assert.equal(created.status, 200, JSON.stringify(created.json));
    await createRepo({ repo: "alice/watched", accessToken: alice, hubUrl: hub.url });
    assert.equal(await hub.hangar.webhooks.deliverDue(), 1);
    assert.equal(receiver.received.length, 1);
    assert.equal(JSON.parse(receiver.received[0]!.body).repo.name, "alice/watched");
    assert.equal(receiver.received[0]!.headers.host, `localhost:${receiver.port}`);
    const log = await deliveries(hub, alice, created.json.webhook.id);
    assert.deepEqual(
      log.map((entry) => [entry.status, entry.attempts, entry.responseStatus, entry.error]),
      [["delivered", 1, 200, null]],
    );
  });
});
