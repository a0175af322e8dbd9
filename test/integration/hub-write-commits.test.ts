// The Hub write API for commits, through the real @huggingface/hub client and raw NDJSON as Python posts it:
// inline and LFS files, preupload, deletions, stale parents, who may write, malformed commits, bad paths,
// the body size limit, and README metadata validation.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { commit, createRepo, deleteFile, uploadFiles } from "@huggingface/hub";
import { apiError } from "../helpers/hub-errors.ts";
import { header, headShaOf, inlineFile, postCommit } from "../helpers/ndjson-commits.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("Hub write API with the real @huggingface/hub client: commits", () => {
  let hub: TestHangar;
  let token: string;
  let readToken: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    readToken = await hub.addUser("alice", "read");
    // A private dataset of alice's: another user's commit to it must find no repo.
    await createRepo({
      repo: { type: "dataset", name: "alice/data" },
      visibility: "private",
      accessToken: token,
      hubUrl: hub.url,
    });
  });
  after(() => hub.close());

  const headSha = (name: string): Promise<string> => headShaOf(hub, "alice", name);

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
});
