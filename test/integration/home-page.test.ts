import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gitBlobOid } from "../../src/core/git-objects.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { seedDemoRepos } from "../../src/hub/seed-demo.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("GET /", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    assert.deepEqual(await seedDemoRepos(hub.hangar), ["hangar/welcome", "hangar/demo-dataset"]);
    const admin = localAdministrator();
    await createRepo(hub.hangar, admin, {
      type: "model",
      namespace: "secret",
      name: "hidden",
      private: true,
    });
    // A card whose tags try to inject markup: the page must show them as text.
    const tricky = await createRepo(hub.hangar, admin, { type: "model", namespace: "team", name: "tricky" });
    const card = Buffer.from('---\ntags:\n- "<script>alert(1)</script>"\n- "a&b"\n---\n# Tricky\n');
    const stored = await hub.hangar.blobs.put(card, { expectedSize: card.byteLength });
    await createCommit(hub.hangar, {
      repo: tricky,
      revision: "main",
      operations: [
        {
          kind: "put",
          path: "README.md",
          file: { sha256: stored.sha256, size: stored.size, gitOid: gitBlobOid(card), lfs: false },
        },
      ],
      title: "Add card",
      author: "hangar",
    });
  });
  after(() => hub.close());

  it("shows a browser the instance, its public repos and how to point the clients at it", async () => {
    const response = await fetch(`${hub.url}/`, { headers: { accept: "text/html,application/xhtml+xml" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    const html = await response.text();
    assert.match(html, new RegExp(`<title>Hangar at ${hub.url}</title>`));
    assert.ok(html.includes(`<a href="${hub.url}/api/models/hangar/welcome">hangar/welcome</a>`));
    assert.ok(html.includes(`<a href="${hub.url}/api/datasets/hangar/demo-dataset">hangar/demo-dataset</a>`));
    assert.ok(html.includes(`export HF_ENDPOINT=${hub.url}`));
    assert.ok(html.includes(`hubUrl: "${hub.url}"`));
    assert.ok(html.includes(`env.remoteHost = "${hub.url}/";`));
    assert.ok(html.includes("hf download"));
    assert.ok(!html.includes("secret/hidden"), "private repos are not listed to anonymous visitors");
  });

  it("escapes text that comes from repositories", async () => {
    const html = await (await fetch(`${hub.url}/`, { headers: { accept: "text/html" } })).text();
    assert.ok(!html.includes("<script>"));
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;, a&amp;b"));
  });

  it("answers other clients with JSON naming the instance", async () => {
    const response = await fetch(`${hub.url}/`, { headers: { accept: "application/json" } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await response.json(), {
      name: "Hangar",
      version: "0.1.0",
      repos: 4,
      catalogEntries: 0,
    });
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await fetch(`${hub.url}/`, { method: "HEAD", headers: { accept: "text/html" } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.ok(Number(response.headers.get("content-length")) > 0);
    assert.equal(await response.text(), "");
  });

  it("lists private repos to an admin", async () => {
    const html = await (
      await fetch(`${hub.url}/`, {
        headers: { accept: "text/html", authorization: `Bearer ${hub.adminToken}` },
      })
    ).text();
    assert.ok(html.includes(">secret/hidden</a>"));
  });

  it("seeds nothing once the instance has repos", async () => {
    assert.deepEqual(await seedDemoRepos(hub.hangar), []);
  });
});
