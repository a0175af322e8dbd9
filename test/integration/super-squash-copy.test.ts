import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import { parseGitCommit } from "../../src/core/git-objects.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("super_squash_history and CommitOperationCopy, as huggingface_hub sends them", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  before(async () => {
    hub = await startTestHangar();
    alice = await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
  });
  after(() => hub.close());

  const upload = (repo: string, files: Record<string, string | Uint8Array>, token = alice) =>
    uploadFiles({
      repo,
      accessToken: token,
      hubUrl: hub.url,
      files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
    });
  const download = async (repo: string, path: string, revision?: string): Promise<Buffer | undefined> => {
    const blob = await downloadFile({
      repo,
      path,
      hubUrl: hub.url,
      accessToken: alice,
      ...(revision ? { revision } : {}),
    });
    return blob ? Buffer.from(await blob.arrayBuffer()) : undefined;
  };
  const commits = async (repo: string, revision = "main") => {
    const response = await fetch(`${hub.url}/api/models/${repo}/commits/${revision}`, {
      headers: { authorization: `Bearer ${alice}` },
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Array<{ id: string; title: string }>;
  };
  /** Python's super_squash_history: POST with `{message}`, the branch quoted whole. */
  const superSquash = (repo: string, branch: string, token: string, message?: string) =>
    fetch(`${hub.url}/api/models/${repo}/super-squash/${encodeURIComponent(branch)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ message: message ?? `Super-squash branch '${branch}' using huggingface_hub` }),
    });
  /** Python's create_commit, NDJSON lines (a copy of an LFS file is an lfsFile line without a size). */
  const postCommit = (repo: string, token: string, lines: unknown[]) =>
    fetch(`${hub.url}/api/models/${repo}/commit/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
      body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
    });
  /** Python's get_paths_info: a form with the paths, as _fetch_files_to_copy asks for the source files. */
  const pathsInfo = async (repo: string, paths: string[], token: string) => {
    const form = new URLSearchParams();
    for (const path of paths) form.append("paths", path);
    form.append("expand", "false");
    const response = await fetch(`${hub.url}/api/models/${repo}/paths-info/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Array<{ path: string; lfs?: { oid: string; size: number } }>;
  };

  it("squashes a branch into one root commit with the same files, as real git objects", async () => {
    const weights = randomBytes(4096);
    await createRepo({ repo: "alice/squash", accessToken: alice, hubUrl: hub.url });
    await upload("alice/squash", { "README.md": "# v1\n", "model.bin": weights });
    await upload("alice/squash", { "README.md": "# v2\n" });
    await upload("alice/squash", { "config.json": '{"model_type":"bert"}' });
    const history = await commits("alice/squash");
    assert.ok(history.length >= 3);

    const refused = await superSquash("alice/squash", "main", bob);
    assert.equal(refused.status, 403);
    const missing = await superSquash("alice/squash", "nope", alice);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "RevisionNotFound");

    const squashed = await superSquash("alice/squash", "main", alice, "Start over");
    assert.equal(squashed.status, 200, await squashed.clone().text());
    const after = await commits("alice/squash");
    assert.equal(after.length, 1);
    assert.equal(after[0]!.title, "Start over");
    assert.notEqual(after[0]!.id, history[0]!.id);

    assert.equal((await download("alice/squash", "README.md"))?.toString(), "# v2\n");
    assert.deepEqual(await download("alice/squash", "model.bin"), weights);
    assert.equal((await download("alice/squash", "config.json"))?.toString(), '{"model_type":"bert"}');
    // The old head stays readable by its id until garbage collection.
    assert.equal((await download("alice/squash", "README.md", history[0]!.id))?.toString(), "# v2\n");

    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "squash" }))!;
    assert.equal(repo.sha, after[0]!.id);
    const object = await hub.hangar.catalog.commits.getGitObject(repo.pk, after[0]!.id);
    assert.ok(object, "the commit is stored as a git object");
    const body = Buffer.from(object.body);
    const id = createHash("sha1")
      .update(Buffer.concat([Buffer.from(`commit ${body.byteLength}\0`), body]))
      .digest("hex");
    assert.equal(id, after[0]!.id);
    const fields = parseGitCommit(body);
    assert.deepEqual(fields.parents, []);
    const headTree = await hub.hangar.catalog.commits.getGitObject(repo.pk, fields.tree);
    assert.ok(headTree, "its tree is stored too");
  });

  it("copies an LFS file named by its oid alone, and a regular file sent as its bytes", async () => {
    const weights = randomBytes(8192);
    await createRepo({ repo: "alice/source", accessToken: alice, hubUrl: hub.url });
    await upload("alice/source", { "weights.bin": weights, "vocab.txt": "a\nb\n" });
    await createRepo({ repo: "alice/target", accessToken: alice, hubUrl: hub.url });
    await upload("alice/target", { "README.md": "# target\n" });

    const [info] = await pathsInfo("alice/source", ["weights.bin"], alice);
    assert.equal(info?.lfs?.oid, sha256(weights), "the source file is stored through LFS");
    // Within one repo, and from another repo the caller may read.
    const sameRepo = await postCommit("alice/source", alice, [
      { key: "header", value: { summary: "Copy weights", description: "" } },
      { key: "lfsFile", value: { path: "copy/weights.bin", algo: "sha256", oid: info!.lfs!.oid } },
    ]);
    assert.equal(sameRepo.status, 200, await sameRepo.clone().text());
    assert.deepEqual(await download("alice/source", "copy/weights.bin"), weights);

    const vocab = (await download("alice/source", "vocab.txt"))!;
    const crossRepo = await postCommit("alice/target", alice, [
      { key: "header", value: { summary: "Copy from alice/source", description: "" } },
      { key: "lfsFile", value: { path: "weights.bin", algo: "sha256", oid: info!.lfs!.oid } },
      { key: "file", value: { path: "vocab.txt", content: vocab.toString("base64"), encoding: "base64" } },
    ]);
    assert.equal(crossRepo.status, 200, await crossRepo.clone().text());
    assert.deepEqual(await download("alice/target", "weights.bin"), weights);
    assert.equal((await download("alice/target", "vocab.txt"))?.toString(), "a\nb\n");
    const [copied] = await pathsInfo("alice/target", ["weights.bin"], alice);
    assert.deepEqual(copied?.lfs && { oid: copied.lfs.oid, size: copied.lfs.size }, {
      oid: sha256(weights),
      size: weights.byteLength,
    });
  });

  it("refuses a copy of an LFS object the caller cannot read", async () => {
    const secret = randomBytes(4096);
    await createRepo({ repo: "alice/private", accessToken: alice, hubUrl: hub.url, private: true });
    await upload("alice/private", { "secret.bin": secret });
    await createRepo({ repo: "bob/mine", accessToken: bob, hubUrl: hub.url });
    await upload("bob/mine", { "README.md": "# bob\n" }, bob);
    const refused = await postCommit("bob/mine", bob, [
      { key: "header", value: { summary: "Copy", description: "" } },
      { key: "lfsFile", value: { path: "stolen.bin", algo: "sha256", oid: sha256(secret) } },
    ]);
    assert.equal(refused.status, 400);
    assert.match(refused.headers.get("x-error-message") ?? "", /stolen\.bin/);
    const unknown = await postCommit("bob/mine", bob, [
      { key: "header", value: { summary: "Copy", description: "" } },
      { key: "lfsFile", value: { path: "nothing.bin", algo: "sha256", oid: "ab".repeat(32) } },
    ]);
    assert.equal(unknown.status, 400);
    assert.equal(
      refused.headers.get("x-error-message"),
      unknown.headers.get("x-error-message")?.replace("nothing.bin", "stolen.bin"),
    );
  });
});
