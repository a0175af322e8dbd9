// The Hub write API for repos, through the real @huggingface/hub client and Python's requests: create (with
// initial files, as datasets, private), settings, move and delete.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, deleteRepo } from "@huggingface/hub";
import { apiError } from "../helpers/hub-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("Hub write API with the real @huggingface/hub client: repos", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
  });
  after(() => hub.close());

  it("creates a repo, and answers 409 with the repo url when it exists", async () => {
    const created = await createRepo({ repo: "alice/first", accessToken: token, hubUrl: hub.url });
    assert.equal(created.repoUrl, `${hub.url}/alice/first`);
    assert.equal(created.id, "alice/first");

    const again = await apiError(createRepo({ repo: "alice/first", accessToken: token, hubUrl: hub.url }));
    assert.equal(again.statusCode, 409);

    // Python's create_repo(exist_ok=True) sends no organization and reads `url` from the 409 body.
    const raw = await hub.fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "first", organization: null, private: false }),
    });
    assert.equal(raw.status, 409);
    assert.equal(raw.headers.get("x-error-code"), "Conflict");
    assert.equal(((await raw.json()) as { url: string }).url, `${hub.url}/alice/first`);
  });

  it("creates datasets under their prefix and private repos with visibility", async () => {
    const created = await createRepo({
      repo: { type: "dataset", name: "alice/data" },
      visibility: "private",
      accessToken: token,
      hubUrl: hub.url,
    });
    assert.equal(created.repoUrl, `${hub.url}/datasets/alice/data`);
    const stored = await hub.hangar.catalog.repos.get({ type: "dataset", namespace: "alice", name: "data" });
    assert.equal(stored?.private, true);
  });

  it("creates a repo with initial files (the JS client's `files`)", async () => {
    await createRepo({
      repo: "alice/seeded",
      files: [{ path: "README.md", content: new Blob(["# Seeded\n"]) }],
      accessToken: token,
      hubUrl: hub.url,
    });
    const readme = await hub.fetch(`${hub.url}/alice/seeded/resolve/main/README.md`);
    assert.equal(await readme.text(), "# Seeded\n");
    const attributes = await hub.fetch(`${hub.url}/alice/seeded/resolve/main/.gitattributes`);
    assert.equal(attributes.status, 200);
  });

  it("updates visibility and gating through settings", async () => {
    const response = await hub.fetch(`${hub.url}/api/models/alice/first/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ visibility: "private", gated: "manual" }),
    });
    assert.equal(response.status, 200);
    const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "first" });
    assert.equal(repo?.private, true);
    assert.equal(repo?.gated, "manual");
    const invalid = await hub.fetch(`${hub.url}/api/models/alice/first/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "sometimes" }),
    });
    assert.equal(invalid.status, 400);
  });

  it("moves a repo", async () => {
    const response = await hub.fetch(`${hub.url}/api/repos/move`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ fromRepo: "alice/first", toRepo: "alice/renamed", type: "model" }),
    });
    assert.equal(response.status, 200);
    assert.equal(
      await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "first" }),
      undefined,
    );
    assert.ok(await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "renamed" }));
  });

  it("deletes a repo, then answers 404 RepoNotFound", async () => {
    await deleteRepo({ repo: "alice/renamed", accessToken: token, hubUrl: hub.url });
    assert.equal(
      await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "renamed" }),
      undefined,
    );
    const again = await hub.fetch(`${hub.url}/api/repos/delete`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "renamed", organization: "alice", type: "model" }),
    });
    assert.equal(again.status, 404);
    assert.equal(again.headers.get("x-error-code"), "RepoNotFound");
  });
});
