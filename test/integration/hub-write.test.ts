import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  commit,
  createBranch,
  createRepo,
  deleteBranch,
  deleteFile,
  deleteRepo,
  uploadFiles,
} from "@huggingface/hub";
import { apiError } from "../helpers/hub-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** Posts a raw NDJSON commit, as Python's create_commit does. */
async function postCommit(
  hub: TestHangar,
  token: string | undefined,
  repo: string,
  revision: string,
  lines: unknown[] | string,
  query = "",
): Promise<Response> {
  return hub.fetch(`${hub.url}/api/models/${repo}/commit/${encodeURIComponent(revision)}${query}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-ndjson",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof lines === "string" ? lines : `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
  });
}

function header(summary: string, parentCommit?: string): unknown {
  return { key: "header", value: { summary, ...(parentCommit ? { parentCommit } : {}) } };
}

function inlineFile(path: string, text: string): unknown {
  return { key: "file", value: { path, content: Buffer.from(text).toString("base64"), encoding: "base64" } };
}

describe("Hub write API with the real @huggingface/hub client", () => {
  let hub: TestHangar;
  let token: string;
  let readToken: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    readToken = await hub.addUser("alice", "read");
  });
  after(() => hub.close());

  const headSha = async (name: string): Promise<string> => {
    const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name });
    assert.ok(repo?.sha, `alice/${name} has a head`);
    return repo.sha;
  };

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

  it("uploads small files inline and a 15 MB file through LFS, and serves them back", async () => {
    await createRepo({ repo: "alice/upload", accessToken: token, hubUrl: hub.url });
    const weights = randomBytes(15 * 1024 * 1024);
    const readme = "---\nlicense: mit\n---\n# Upload test\n";
    const result = await uploadFiles({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        { path: "README.md", content: new Blob([readme]) },
        { path: "config.json", content: new Blob(['{"model_type": "bert"}']) },
        { path: "model.safetensors", content: new Blob([weights]) },
      ],
    });
    assert.ok(result);
    assert.match(result.commit.oid, /^[0-9a-f]{40}$/);
    assert.equal(result.commit.url, `${hub.url}/alice/upload/commit/${result.commit.oid}`);
    assert.equal(await headSha("upload"), result.commit.oid);

    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "upload" }))!;
    const head = (await hub.hangar.catalog.commits.getCommit(repo.pk, result.commit.oid))!;
    const big = (await hub.hangar.catalog.commits.getFile(head.pk, "model.safetensors"))!;
    assert.equal(big.lfs, true);
    assert.equal(big.sha256, createHash("sha256").update(weights).digest("hex"));
    assert.equal((await hub.hangar.catalog.commits.getFile(head.pk, "README.md"))?.lfs, false);

    const download = await hub.fetch(`${hub.url}/alice/upload/resolve/main/model.safetensors`);
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(weights), "the LFS file round-trips");
    const card = await hub.fetch(`${hub.url}/alice/upload/resolve/main/README.md`);
    assert.equal(await card.text(), readme);
  });

  it("tells clients which files are unchanged through the preupload oid", async () => {
    const response = await hub.fetch(`${hub.url}/api/models/alice/upload/preupload/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        files: [
          { path: "config.json", size: 22, sample: Buffer.from('{"model_type": "bert"}').toString("base64") },
          { path: "new.bin", size: 10, sample: Buffer.from("plain text").toString("base64") },
          { path: "notes.txt", size: 4, sample: Buffer.from([0, 1, 2, 3]).toString("base64") },
          { path: "logs/run.txt", size: 3, sample: Buffer.from("abc").toString("base64") },
        ],
        gitIgnore: "logs/\n",
      }),
    });
    assert.equal(response.status, 200);
    const { files } = (await response.json()) as {
      files: Array<{ path: string; uploadMode: string; shouldIgnore: boolean; oid?: string }>;
    };
    const configOid = createHash("sha1").update('blob 22\0{"model_type": "bert"}').digest("hex");
    assert.deepEqual(files, [
      { path: "config.json", uploadMode: "regular", shouldIgnore: false, oid: configOid },
      // `*.bin` is an LFS pattern of the repo's .gitattributes; a NUL byte makes a file binary.
      { path: "new.bin", uploadMode: "lfs", shouldIgnore: false },
      { path: "notes.txt", uploadMode: "lfs", shouldIgnore: false },
      { path: "logs/run.txt", uploadMode: "regular", shouldIgnore: true },
    ]);
  });

  it("marks files the repo's .gitignore excludes", async () => {
    await uploadFiles({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: ".gitignore", content: new Blob(["*.log\n"]) }],
    });
    const response = await hub.fetch(`${hub.url}/api/models/alice/upload/preupload/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        files: [
          { path: "train.log", size: 3, sample: Buffer.from("abc").toString("base64") },
          { path: "train.py", size: 3, sample: Buffer.from("abc").toString("base64") },
        ],
      }),
    });
    const { files } = (await response.json()) as { files: Array<{ path: string; shouldIgnore: boolean }> };
    assert.deepEqual(
      files.map((file) => [file.path, file.shouldIgnore]),
      [
        ["train.log", true],
        ["train.py", false],
      ],
    );
  });

  it("deletes a file", async () => {
    const result = await deleteFile({
      repo: "alice/upload",
      path: "config.json",
      accessToken: token,
      hubUrl: hub.url,
    });
    assert.ok(result);
    const missing = await hub.fetch(`${hub.url}/alice/upload/resolve/main/config.json`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");
    const still = await hub.fetch(`${hub.url}/alice/upload/resolve/main/README.md`);
    assert.equal(still.status, 200);
  });

  it("refuses a commit whose parentCommit is no longer the head (412)", async () => {
    const stale = await headSha("upload");
    await uploadFiles({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "a.txt", content: new Blob(["one"]) }],
    });
    const refused = await apiError(
      commit({
        repo: "alice/upload",
        accessToken: token,
        hubUrl: hub.url,
        title: "Based on an old head",
        parentCommit: stale,
        operations: [{ operation: "addOrUpdate", path: "b.txt", content: new Blob(["two"]) }],
      }),
    );
    assert.equal(refused.statusCode, 412);
    const fresh = await commit({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      title: "Based on the head",
      parentCommit: await headSha("upload"),
      operations: [{ operation: "addOrUpdate", path: "b.txt", content: new Blob(["two"]) }],
    });
    assert.equal(fresh?.commit.oid, await headSha("upload"));
  });

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

  it("refuses writes without a token (401) and with a read token (403)", async () => {
    const anonymous = await hub.fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "nope", organization: "alice", type: "model" }),
    });
    assert.equal(anonymous.status, 401);

    const readOnly = await apiError(
      createRepo({ repo: "alice/nope", accessToken: readToken, hubUrl: hub.url }),
    );
    assert.equal(readOnly.statusCode, 403);

    const upload = await apiError(
      uploadFiles({
        repo: "alice/upload",
        accessToken: readToken,
        hubUrl: hub.url,
        files: [{ path: "x.txt", content: new Blob(["x"]) }],
      }),
    );
    assert.equal(upload.statusCode, 403);

    const noToken = await postCommit(hub, undefined, "alice/upload", "main", [
      header("x"),
      inlineFile("x.txt", "x"),
    ]);
    assert.equal(noToken.status, 401);
    const readCommit = await postCommit(hub, readToken, "alice/upload", "main", [
      header("x"),
      inlineFile("x.txt", "x"),
    ]);
    assert.equal(readCommit.status, 403);

    // Another user's private repo is indistinguishable from a missing one.
    const bob = await hub.addUser("bob", "write");
    const hidden = await postCommit(hub, bob, "alice/data", "main", [header("x")]);
    assert.equal(hidden.status, 404);
    const hiddenDataset = await hub.fetch(`${hub.url}/api/datasets/alice/data/commit/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob}`, "content-type": "application/x-ndjson" },
      body: JSON.stringify(header("x")),
    });
    assert.equal(hiddenDataset.status, 404);
    assert.equal(hiddenDataset.headers.get("x-error-code"), "RepoNotFound");
  });

  it("rejects malformed NDJSON with 400 naming the line, and changes nothing", async () => {
    const before = await headSha("upload");
    const response = await postCommit(
      hub,
      token,
      "alice/upload",
      "main",
      `${JSON.stringify(header("Broken"))}\n\n${JSON.stringify(inlineFile("ok.txt", "ok"))}\n{"key": "file", "value": {\n`,
    );
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /^Line 4 of the commit is not valid JSON/);
    assert.equal(await headSha("upload"), before);

    const noHeader = await postCommit(hub, token, "alice/upload", "main", [inlineFile("ok.txt", "ok")]);
    assert.equal(noHeader.status, 400);
    assert.match(((await noHeader.json()) as { error: string }).error, /Line 1 .*header/);
  });

  it("rejects paths that escape the repo and file/folder collisions with 400", async () => {
    const escaping = await postCommit(hub, token, "alice/upload", "main", [
      header("Escape"),
      inlineFile("../x", "x"),
    ]);
    assert.equal(escaping.status, 400);
    assert.equal(escaping.headers.get("x-error-code"), "InvalidPath");
    assert.match(((await escaping.json()) as { error: string }).error, /Line 2 .*"\.\." segment/);

    // `a.txt` is a file, so `a.txt/inner` cannot be added, nor can a file named like an existing folder.
    const underFile = await postCommit(hub, token, "alice/upload", "main", [
      header("Collide"),
      inlineFile("a.txt/inner", "x"),
    ]);
    assert.equal(underFile.status, 400);
    assert.match(((await underFile.json()) as { error: string }).error, /a\.txt is a file/);
    await uploadFiles({
      repo: "alice/upload",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "folder/file.txt", content: new Blob(["in a folder"]) }],
    });
    const overFolder = await postCommit(hub, token, "alice/upload", "main", [
      header("Collide"),
      inlineFile("folder", "x"),
    ]);
    assert.equal(overFolder.status, 400);
  });

  it("refuses an lfsFile whose object was never uploaded", async () => {
    const response = await postCommit(hub, token, "alice/upload", "main", [
      header("Missing object"),
      { key: "lfsFile", value: { path: "ghost.bin", algo: "sha256", oid: "ab".repeat(32), size: 5 } },
    ]);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, /has not been uploaded/);
  });

  it("deletes folders and answers 404 EntryNotFound for missing paths", async () => {
    const deleted = await postCommit(hub, token, "alice/upload", "main", [
      header("Remove folder"),
      { key: "deletedFolder", value: { path: "folder/" } },
    ]);
    assert.equal(deleted.status, 200);
    const missing = await postCommit(hub, token, "alice/upload", "main", [
      header("Remove nothing"),
      { key: "deletedFile", value: { path: "nope.txt" } },
    ]);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");
  });

  it("limits the commit body size (413)", async () => {
    const small = await startTestHangar({
      limits: { ...hub.hangar.config.limits, maxRequestBodySize: 1024 },
    });
    try {
      const smallToken = await small.addUser("carol");
      await createRepo({ repo: "carol/r", accessToken: smallToken, hubUrl: small.url });
      const response = await postCommit(small, smallToken, "carol/r", "main", [
        header("Too big"),
        inlineFile("big.txt", "x".repeat(4000)),
      ]);
      assert.equal(response.status, 413);

      // Without a Content-Length (chunked), the limit is enforced while the body streams in.
      const lines = `${JSON.stringify(header("Too big"))}\n${JSON.stringify(inlineFile("big.txt", "x".repeat(4000)))}\n`;
      const chunked = await fetch(`${small.url}/api/models/carol/r/commit/main`, {
        method: "POST",
        headers: { authorization: `Bearer ${smallToken}`, "content-type": "application/x-ndjson" },
        body: new Blob([lines]).stream(),
        duplex: "half",
      } as RequestInit);
      assert.equal(chunked.status, 413);
      assert.match(((await chunked.json()) as { error: string }).error, /over the limit of 1024 bytes/);
    } finally {
      await small.close();
    }
  });

  it("validates README metadata", async () => {
    const post = (content: string) =>
      hub.fetch(`${hub.url}/api/validate-yaml`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ content, repoType: "model" }),
      });
    const good = await post("---\nlicense: mit\n---\n# Card\n");
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), { errors: [], warnings: [] });
    const bad = await post("---\nlicense: [mit\n---\n# Card\n");
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { errors: Array<{ message: string }> };
    assert.equal(body.errors.length, 1);
    assert.match(body.errors[0]!.message, /not valid YAML/);
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
