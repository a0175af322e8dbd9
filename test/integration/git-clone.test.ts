import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { uploadFiles } from "@huggingface/hub";
import { lfsPointer } from "../../src/core/types.ts";
import { GitClient, type GitRunOptions } from "../helpers/git-client.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** Bytes with a NUL in them, so Hangar stores them through LFS. */
function binaryBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + seed) % 256;
  return bytes;
}

const FILES = {
  "README.md": "# Clone me\n\nA repo for git.\n",
  "config.json": '{"model_type": "bert"}\n',
  "nested/deep/notes.txt": "deep inside\n",
  "nested/top.txt": "one level down\n",
  // Large enough to be deflated as a stream, small and plain enough to stay a regular git file.
  "data/big.txt": "line of text\n".repeat(100_000),
  "weights.bin": binaryBytes(200_000, 7),
};

describe("git clone and fetch over smart HTTP, with Git LFS", () => {
  let hub: TestHangar;
  let token: string;
  let client: GitClient;
  let removeClient: () => Promise<void>;
  const git = (args: string[], options?: GitRunOptions) => client.run(args, options);
  const ok = (args: string[], options?: GitRunOptions) => client.ok(args, options);
  const dest = () => client.folder();

  async function assertSameFiles(folder: string, files: Record<string, string | Uint8Array>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      const actual = await readFile(join(folder, path));
      assert.ok(actual.equals(Buffer.from(content)), `${path} differs after the clone`);
    }
  }

  async function apiSha(repo: string, token?: string): Promise<string> {
    const response = await fetch(`${hub.url}/api/${repo}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { sha: string }).sha;
  }

  before(async () => {
    hub = await startTestHangar();
    ({ client, remove: removeClient } = await GitClient.create());
    token = await hub.addUser("alice");
    await importFiles(hub.hangar, "alice/clone-me", FILES);
  });

  after(async () => {
    await hub?.close();
    await removeClient?.();
  });

  for (const version of [2, 0] as const) {
    it(`clones with protocol v${version}: the same bytes, LFS files included, and the Hub's commit id`, async () => {
      const folder = dest();
      const suffix = version === 0 ? ".git" : "";
      const clone = await git([
        "-c",
        `protocol.version=${version}`,
        "clone",
        "--progress",
        `${hub.url}/alice/clone-me${suffix}`,
        folder,
      ]);
      assert.equal(clone.code, 0, clone.stderr);
      assert.match(clone.stderr, /remote: Sending objects: 100% \(\d+\/\d+\), done\./);
      await assertSameFiles(folder, FILES);
      const head = await ok(["log", "-1", "--format=%H"], { cwd: folder });
      assert.equal(head, await apiSha("models/alice/clone-me"));
      assert.equal(await ok(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: folder }), "main");
      await ok(["fsck", "--strict"], { cwd: folder });
    });
  }

  it("leaves LFS pointers in place with GIT_LFS_SKIP_SMUDGE=1", async () => {
    const folder = dest();
    await ok(["clone", `${hub.url}/alice/clone-me`, folder], { env: { GIT_LFS_SKIP_SMUDGE: "1" } });
    const weights = FILES["weights.bin"];
    const sha256 = createHash("sha256").update(weights).digest("hex");
    assert.equal(await readFile(join(folder, "weights.bin"), "utf8"), lfsPointer(sha256, weights.byteLength));
    assert.equal(
      await readFile(join(folder, "nested/deep/notes.txt"), "utf8"),
      FILES["nested/deep/notes.txt"],
    );
  });

  it("fetches a commit uploaded after the clone, with both protocols, and clones shallow and partial", async () => {
    await importFiles(hub.hangar, "alice/moving", FILES);
    const clones: Record<string, string> = {};
    for (const version of [2, 0]) {
      clones[version] = dest();
      await ok(["-c", `protocol.version=${version}`, "clone", `${hub.url}/alice/moving`, clones[version]!]);
    }
    const changed = { "README.md": "# Moved on\n", "nested/deep/new.bin": binaryBytes(50_000, 3) };
    await uploadFiles({
      repo: "alice/moving",
      accessToken: token,
      hubUrl: hub.url,
      files: Object.entries(changed).map(([path, content]) => ({ path, content: new Blob([content]) })),
    });
    const before = Number(await ok(["rev-list", "--count", "HEAD"], { cwd: clones[2]! }));
    // Local commits the server does not know: the fetches negotiate over several rounds (gzipped requests).
    for (const version of [2, 0]) {
      const options = {
        cwd: clones[version]!,
        env: {
          GIT_AUTHOR_NAME: "a",
          GIT_AUTHOR_EMAIL: "a@b",
          GIT_COMMITTER_NAME: "a",
          GIT_COMMITTER_EMAIL: "a@b",
        },
      };
      await ok(["checkout", "-q", "-b", "local"], options);
      for (let index = 0; index < 20; index++) {
        await ok(["commit", "-q", "--allow-empty", "-m", `local ${index}`], options);
      }
      await ok(["checkout", "-q", "main"], options);
    }
    const sha = await apiSha("models/alice/moving");
    const expected = { ...FILES, ...changed };
    for (const version of [2, 0]) {
      const folder = clones[version]!;
      await ok(["-c", `protocol.version=${version}`, "pull", "--ff-only"], { cwd: folder });
      assert.equal(await ok(["rev-parse", "HEAD"], { cwd: folder }), sha);
      await assertSameFiles(folder, expected);
      assert.equal(await ok(["rev-list", "--count", "HEAD"], { cwd: folder }), String(before + 1));
    }

    for (const version of [2, 0]) {
      const shallow = dest();
      await ok([
        "-c",
        `protocol.version=${version}`,
        "clone",
        "--depth",
        "1",
        `${hub.url}/alice/moving`,
        shallow,
      ]);
      assert.equal(await ok(["rev-parse", "--is-shallow-repository"], { cwd: shallow }), "true");
      assert.equal(await ok(["rev-list", "--count", "HEAD"], { cwd: shallow }), "1");
      assert.equal(await ok(["rev-parse", "HEAD"], { cwd: shallow }), sha);
      await assertSameFiles(shallow, expected);
      await ok(["-c", `protocol.version=${version}`, "fetch", "--unshallow"], { cwd: shallow });
      assert.equal(await ok(["rev-parse", "--is-shallow-repository"], { cwd: shallow }), "false");
      assert.equal(await ok(["rev-list", "--count", "HEAD"], { cwd: shallow }), String(before + 1));
      await ok(["fsck", "--strict"], { cwd: shallow });
    }

    const partial = dest();
    await ok(["clone", "--filter=blob:none", `${hub.url}/alice/moving`, partial]);
    await assertSameFiles(partial, expected);
    // The first README was never needed, so never fetched; git fetches it when asked for.
    const missing = await ok(["rev-list", "--objects", "--all", "--missing=print"], { cwd: partial });
    const absent = missing.split("\n").filter((line) => line.startsWith("?"));
    assert.ok(absent.length > 0, "a blob:none clone fetched every blob");
    assert.equal(await ok(["show", "HEAD~1:README.md"], { cwd: partial }), FILES["README.md"].trim());
  });

  it("clones a private repo with a token as the password, and fails at once without one", async () => {
    await importFiles(hub.hangar, "alice/secret", FILES, { private: true });
    const anonymous = await git(["clone", `${hub.url}/alice/secret`, dest()]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /could not read Username|Authentication failed/);
    const wrong = await git([
      "clone",
      `${hub.url.replace("://", "://alice:hf_wrongtoken123456789@")}/alice/secret`,
      dest(),
    ]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /Authentication failed/);

    const folder = dest();
    await ok(["clone", `${hub.url.replace("://", `://alice:${token}@`)}/alice/secret`, folder]);
    await assertSameFiles(folder, FILES);
    assert.equal(
      await ok(["rev-parse", "HEAD"], { cwd: folder }),
      await apiSha("models/alice/secret", token),
    );
  });

  it("clones datasets, lists branches, tags and pull requests, and fetches a pull request", async () => {
    await importFiles(hub.hangar, "alice/data", { "data/train.csv": "a,b\n1,2\n" }, { type: "dataset" });
    const folder = dest();
    await ok(["clone", `${hub.url}/datasets/alice/data.git`, folder]);
    assert.equal(await readFile(join(folder, "data/train.csv"), "utf8"), "a,b\n1,2\n");
    const tag = await fetch(`${hub.url}/api/datasets/alice/data/tag/main`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ tag: "v1" }),
    });
    assert.equal(tag.status, 200, await tag.text());
    const opened = await uploadFiles({
      repo: { type: "dataset", name: "alice/data" },
      isPullRequest: true,
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "data/test.csv", content: new Blob(["a,b\n3,4\n"]) }],
    });
    for (const version of [2, 0]) {
      const refs = await ok([
        "-c",
        `protocol.version=${version}`,
        "ls-remote",
        `${hub.url}/datasets/alice/data`,
      ]);
      assert.match(refs, /^[0-9a-f]{40}\tHEAD$/m);
      assert.match(refs, /^[0-9a-f]{40}\trefs\/heads\/main$/m);
      assert.match(refs, /^[0-9a-f]{40}\trefs\/tags\/v1$/m);
      assert.match(refs, new RegExp(`^${opened?.commit.oid}\trefs/pr/1$`, "m"));
    }
    await ok(["fetch", "origin", "refs/pr/1:pr-1"], { cwd: folder });
    await ok(["checkout", "-q", "pr-1"], { cwd: folder });
    assert.equal(await readFile(join(folder, "data/test.csv"), "utf8"), "a,b\n3,4\n");
  });
});
