// The Hub write API for refs, through the real @huggingface/hub client and Python's requests: branches (from
// a starting point, empty, overwritten), tags, and pull requests opened with create_pr and committed to.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createBranch, createRepo, deleteBranch, uploadFiles } from "@huggingface/hub";
import { apiError } from "../helpers/hub-errors.ts";
import { header, headShaOf, inlineFile, postCommit } from "../helpers/ndjson-commits.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("Hub write API with the real @huggingface/hub client: branches, tags and pull requests", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    // The repo the branch, tag and pull request tests work on; main holds a.txt ("one").
    await createRepo({ repo: "alice/upload", accessToken: token, hubUrl: hub.url });
    await uploadFiles({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "a.txt", content: new Blob(["one"]) }],
    });
  });
  after(() => hub.close());

  const headSha = (name: string): Promise<string> => headShaOf(hub, "alice", name);

  it("creates and deletes branches (409 when the branch exists)", async () => {
    const main = await headSha("upload");
    await createBranch({ repo: "alice/upload", branch: "feature/x", accessToken: token, hubUrl: hub.url });
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "upload" }))!;
    assert.equal((await hub.hangar.catalog.commits.getRef(repo.pk, "branch", "feature/x"))?.commitOid, main);

    const again = await apiError(
      createBranch({ repo: "alice/upload", branch: "feature/x", accessToken: token, hubUrl: hub.url }),
    );
    assert.equal(again.statusCode, 409);

    const onBranch = await uploadFiles({
      repo: "alice/upload",
      branch: "feature/x",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "branch.txt", content: new Blob(["on a branch"]) }],
    });
    assert.equal(await headSha("upload"), main, "main did not move");
    const fromBranch = await hub.fetch(`${hub.url}/alice/upload/resolve/feature%2Fx/branch.txt`);
    assert.equal(await fromBranch.text(), "on a branch");
    assert.equal(fromBranch.headers.get("x-repo-commit"), onBranch?.commit.oid);

    await deleteBranch({ repo: "alice/upload", branch: "feature/x", accessToken: token, hubUrl: hub.url });
    assert.equal(await hub.hangar.catalog.commits.getRef(repo.pk, "branch", "feature/x"), undefined);
    const gone = await apiError(
      deleteBranch({ repo: "alice/upload", branch: "feature/x", accessToken: token, hubUrl: hub.url }),
    );
    assert.equal(gone.statusCode, 404);
  });

  it("creates and deletes tags as Python's create_tag and delete_tag do (409 when it exists)", async () => {
    const tagUrl = `${hub.url}/api/models/alice/upload/tag/main`;
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(tagUrl, {
      method: "POST",
      headers,
      body: JSON.stringify({ tag: "v1.0", message: "First release" }),
    });
    assert.equal(created.status, 200);
    const byTag = await hub.fetch(`${hub.url}/alice/upload/resolve/v1.0/a.txt`);
    assert.equal(await byTag.text(), "one");

    const again = await fetch(tagUrl, { method: "POST", headers, body: JSON.stringify({ tag: "v1.0" }) });
    assert.equal(again.status, 409);

    const deleted = await hub.fetch(`${hub.url}/api/models/alice/upload/tag/v1.0`, {
      method: "DELETE",
      headers,
    });
    assert.equal(deleted.status, 200);
    const missing = await hub.fetch(`${hub.url}/api/models/alice/upload/tag/v1.0`, {
      method: "DELETE",
      headers,
    });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "RevisionNotFound");
  });

  it("opens a pull request with create_pr and commits to refs/pr/1", async () => {
    const main = await headSha("upload");
    const opened = await uploadFiles({
      repo: "alice/upload",
      isPullRequest: true,
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "pr.txt", content: new Blob(["proposed"]) }],
    });
    assert.equal(opened?.pullRequestUrl, `${hub.url}/alice/upload/discussions/1`);
    assert.equal(await headSha("upload"), main, "main did not move");
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "upload" }))!;
    assert.equal(
      (await hub.hangar.catalog.commits.getRef(repo.pk, "pr", "1"))?.commitOid,
      opened?.commit.oid,
    );

    const onPr = await postCommit(hub, token, "alice/upload", "refs/pr/1", [
      header("More on the PR"),
      inlineFile("pr.txt", "revised"),
    ]);
    assert.equal(onPr.status, 200);
    const body = (await onPr.json()) as { commitOid: string; pullRequestUrl: string | null };
    assert.equal(body.pullRequestUrl, null);
    assert.equal((await hub.hangar.catalog.commits.getRef(repo.pk, "pr", "1"))?.commitOid, body.commitOid);
    const fromPr = await hub.fetch(`${hub.url}/alice/upload/resolve/refs%2Fpr%2F1/pr.txt`);
    assert.equal(await fromPr.text(), "revised");
  });

  it("speaks Python's protocol: branch from a startingPoint, commit URLs on the forwarded host", async () => {
    await createRepo({ repo: "alice/python", accessToken: token, hubUrl: hub.url });
    const first = await headSha("python");
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const added = await postCommit(hub, token, "alice/python", "main", [
      header("Add"),
      inlineFile("v.txt", "2"),
    ]);
    assert.equal(added.status, 200);

    // create_branch(revision=...) sends {"startingPoint": revision}; exist_ok relies on the 409.
    const branch = await hub.fetch(`${hub.url}/api/models/alice/python/branch/old`, {
      method: "POST",
      headers,
      body: JSON.stringify({ startingPoint: first }),
    });
    assert.equal(branch.status, 200);
    const old = await hub.fetch(`${hub.url}/alice/python/resolve/old/v.txt`);
    assert.equal(old.status, 404, "the branch starts before v.txt was added");
    const moved = await hub.fetch(`${hub.url}/api/models/alice/python/branch/old`, {
      method: "POST",
      headers,
      body: JSON.stringify({ startingPoint: "main", overwrite: true }),
    });
    assert.equal(moved.status, 200);
    assert.equal(await (await hub.fetch(`${hub.url}/alice/python/resolve/old/v.txt`)).text(), "2");
    const empty = await hub.fetch(`${hub.url}/api/models/alice/python/branch/empty`, {
      method: "POST",
      headers,
      body: JSON.stringify({ emptyBranch: true }),
    });
    assert.equal(empty.status, 200);
    const refs = hub.hangar.catalog.commits;
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "python" }))!;
    const emptyHead = (await refs.getCommit(
      repo.pk,
      (await refs.getRef(repo.pk, "branch", "empty"))!.commitOid,
    ))!;
    assert.deepEqual(await refs.listFiles(emptyHead.pk), []);
    const invalid = await hub.fetch(
      `${hub.url}/api/models/alice/python/branch/${encodeURIComponent("a..b")}`,
      {
        method: "POST",
        headers,
        body: "{}",
      },
    );
    assert.equal(invalid.status, 400);

    // Forwarding headers from a client that is not a trusted proxy change nothing (see trust-proxy.test.ts).
    const proxied = await hub.fetch(`${hub.url}/api/models/alice/python/commit/main`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/x-ndjson",
        "x-forwarded-host": "hub.example.test",
        "x-forwarded-proto": "https",
      },
      body: [header("Proxied"), inlineFile("w.txt", "3")].map((line) => JSON.stringify(line)).join("\n"),
    });
    const body = (await proxied.json()) as { commitUrl: string };
    assert.equal(body.commitUrl, `${hub.url}/alice/python/commit/${await headSha("python")}`);
  });

  it("lists the pull request create_pr opened among the repo's discussions", async () => {
    const response = await hub.fetch(`${hub.url}/api/models/alice/upload/discussions?type=pull_request`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      discussions: Array<{ num: number; isPullRequest: boolean; author: { name: string } }>;
    };
    const first = body.discussions.find((entry) => entry.num === 1);
    assert.deepEqual(first && { isPullRequest: first.isPullRequest, author: first.author.name }, {
      isPullRequest: true,
      author: "alice",
    });
  });
});
