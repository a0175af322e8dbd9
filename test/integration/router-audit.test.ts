import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AuditEntry } from "../../src/governance/audit/index.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { untilValue } from "../helpers/until.ts";

const route = (name: string, model: string, extra: Record<string, unknown> = {}) => ({
  name,
  ...extra,
  deployments: [{ backend: "openai", url: "http://127.0.0.1:9/v1", model, api_key_env: "UPSTREAM_KEY" }],
});

describe("route changes are audited: the admin API and route-file reloads", () => {
  let folder: Awaited<ReturnType<typeof makeTempDir>>;
  let hub: TestHangar;
  let file: string;

  const entries = async (action: string): Promise<AuditEntry[]> => {
    const response = await fetch(`${hub.url}/v1/audit?action=${encodeURIComponent(action)}`, {
      headers: { Authorization: `Bearer ${hub.adminToken}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { entries: AuditEntry[] }).entries;
  };
  const put = (body: unknown, requestId: string) =>
    fetch(`${hub.url}/v1/routes`, {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${hub.adminToken}`,
        "X-Request-Id": requestId,
      },
      body: JSON.stringify(body),
    });

  before(async () => {
    folder = await makeTempDir("hangar-route-audit-");
    file = join(folder.path, "routes.yaml");
    await writeFile(file, "routes: []\n");
    hub = await startTestHangar({ routes: file });
  });
  after(async () => {
    await hub?.close();
    await folder?.remove();
  });

  it("the admin API: one entry per route created, updated and deleted, with the admin and the request", async () => {
    const created = await put({ routes: [route("chat-a", "m1"), route("chat-b", "m2")] }, "req-create");
    assert.equal(created.status, 200, await created.text());
    const creates = await entries("route.create");
    assert.deepEqual(
      creates.map((entry) => [entry.target, entry.outcome, entry.requestId, entry.actor.user]),
      [
        ["route:chat-a", "success", "req-create", "admin"],
        ["route:chat-b", "success", "req-create", "admin"],
      ],
    );
    assert.equal(creates[0]!.details.source, "api");
    assert.deepEqual(creates[0]!.details.deployments, [
      { backend: "openai", model: "m1", url: "http://127.0.0.1:9/v1" },
    ]);

    const changed = await put(
      { routes: [route("chat-a", "m1", { policy: "least-busy" }), route("chat-c", "m3")] },
      "req-change",
    );
    assert.equal(changed.status, 200);
    const updates = await entries("route.update");
    assert.deepEqual(
      updates.map((entry) => [entry.target, entry.requestId, entry.details.policy]),
      [["route:chat-a", "req-change", "least-busy"]],
    );
    assert.deepEqual(
      (await entries("route.delete")).map((entry) => [entry.target, entry.requestId]),
      [["route:chat-b", "req-change"]],
    );
    assert.equal((await entries("route.create")).length, 3, "chat-c created");

    // A refused change changes nothing and records nothing.
    const before = (await entries("route.")).length;
    const refused = await put({ routes: [{ name: "x", deployments: [] }] }, "req-refused");
    assert.equal(refused.status, 400);
    assert.equal((await entries("route.")).length, before);
    // The same routes again: nothing changed, nothing recorded.
    await put(
      { routes: [route("chat-a", "m1", { policy: "least-busy" }), route("chat-c", "m3")] },
      "req-same",
    );
    assert.equal((await entries("route.")).length, before);
  });

  it("a reload of the route file is recorded, with what it changed; a refused file is recorded as a failure", async () => {
    await writeFile(
      file,
      `routes:
  - name: chat-a
    policy: least-busy
    deployments:
      - backend: openai
        url: http://127.0.0.1:9/v1
        model: m1
        api_key_env: UPSTREAM_KEY
  - name: chat-d
    deployments:
      - backend: local
        model: tests/model
`,
    );
    const reload = await untilValue(
      async () => (await entries("routes.reload")).find((entry) => entry.outcome === "success"),
      "the reload's entry",
      { ms: 10_000, every: 100 },
    );
    assert.equal(reload.target, `routes-file:${file}`);
    assert.equal(reload.actor.user, null, "a reload is no user's doing");
    assert.deepEqual(reload.details, { routes: 2, created: ["chat-d"], updated: [], deleted: ["chat-c"] });
    const fromFile = (await entries("route.")).filter((entry) => entry.details.source === "file");
    assert.deepEqual(
      fromFile.map((entry) => [entry.action, entry.target]),
      [
        ["route.create", "route:chat-d"],
        ["route.delete", "route:chat-c"],
      ],
    );

    await writeFile(file, "routes:\n  - name: broken\n    deployments: []\n");
    const failure = await untilValue(
      async () => (await entries("routes.reload")).find((entry) => entry.outcome === "failure"),
      "the refused reload's entry",
      { ms: 10_000, every: 100 },
    );
    assert.equal(failure.details.error, `${file}:3: routes[0].deployments must be a non-empty list`);
    const current = (await (
      await fetch(`${hub.url}/v1/routes`, { headers: { Authorization: `Bearer ${hub.adminToken}` } })
    ).json()) as { routes: Array<{ name: string }> };
    assert.deepEqual(
      current.routes.map((entry) => entry.name),
      ["chat-a", "chat-d"],
      "the routes in force stay",
    );
  });

  it("entries name deployments without their keys, and the chain verifies", async () => {
    const all = [...(await entries("route.")), ...(await entries("routes."))];
    assert.ok(all.length >= 8);
    for (const entry of all) assert.doesNotMatch(JSON.stringify(entry.details), /api_key|UPSTREAM_KEY/);
    const verified = await runCli(["audit", "verify", "--home", hub.home]);
    assert.equal(verified.code, 0, verified.stderr);
  });
});
