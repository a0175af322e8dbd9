import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { downloadFile, uploadFiles } from "@huggingface/hub";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { GitClient, type GitRunOptions } from "../helpers/git-client.ts";
import { OS_SYSTEM } from "../helpers/scan-corpus-pickle.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** Bytes with a NUL in them: binary, and tracked by LFS in these tests. */
function binaryBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + seed) % 256;
  return bytes;
}

/** Large, varied text: git deltas a slightly edited copy against it. */
const BIG_TEXT = Array.from(
  { length: 20_000 },
  (_, index) => `line ${index}: ${(index * 7919) % 10007}\n`,
).join("");

describe("git push over smart HTTP, with Git LFS", () => {
  let hub: TestHangar;
  let token: string;
  let readToken: string;
  let client: GitClient;
  let removeClient: () => Promise<void>;
  const git = (args: string[], options?: GitRunOptions) => client.run(args, options);
  const ok = (args: string[], options?: GitRunOptions) => client.ok(args, options);
  const withToken = (secret: string) => hub.url.replace("://", `://alice:${secret}@`);

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${hub.url}/api/${path}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `GET /api/${path}`);
    return (await response.json()) as T;
  }

  async function download(repo: string, path: string, revision?: string): Promise<Buffer> {
    const blob = await downloadFile({ repo, path, hubUrl: hub.url, accessToken: token, revision });
    assert.ok(blob, `${path} downloads`);
    return Buffer.from(await blob.arrayBuffer());
  }

  /** A clone with a write token in its remote URL and an identity to commit with. */
  async function cloneForPush(repo: string, secret = token): Promise<string> {
    const folder = client.folder();
    await ok(["clone", `${withToken(secret)}/${repo}`, folder]);
    await ok(["config", "user.name", "Alice Pusher"], { cwd: folder });
    await ok(["config", "user.email", "alice@example.com"], { cwd: folder });
    return folder;
  }

  async function commitFile(folder: string, path: string, content: string | Buffer, message: string) {
    await writeFile(join(folder, path), content);
    await ok(["add", path], { cwd: folder });
    await ok(["commit", "-q", "-m", message], { cwd: folder });
  }

  before(async () => {
    hub = await startTestHangar();
    ({ client, remove: removeClient } = await GitClient.create());
    token = await hub.addUser("alice");
    readToken = await hub.addUser("reader", "read");
    await importFiles(hub.hangar, "alice/push-me", { "README.md": "# Push to me\n", "big.txt": BIG_TEXT });
  });

  after(async () => {
    await hub?.close();
    await removeClient?.();
  });

  it("pushes a text file and an LFS file: the Hub API reports the pushed commit and serves both files", async () => {
    const folder = await cloneForPush("alice/push-me");
    await ok(["lfs", "track", "*.bin"], { cwd: folder });
    await ok(["add", ".gitattributes"], { cwd: folder });
    const weights = binaryBytes(300_000, 3);
    await writeFile(join(folder, "weights.bin"), weights);
    await writeFile(join(folder, "notes.txt"), "pushed with git\n");
    await ok(["add", "weights.bin", "notes.txt"], { cwd: folder });
    await ok(["commit", "-q", "-m", "Add weights and notes\n\nWith a body."], { cwd: folder });
    const push = await git(["push", "origin", "main"], { cwd: folder });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /main -> main/);

    const head = await ok(["rev-parse", "HEAD"], { cwd: folder });
    assert.equal((await api<{ sha: string }>("models/alice/push-me")).sha, head);
    assert.ok((await download("alice/push-me", "weights.bin")).equals(weights));
    assert.equal((await download("alice/push-me", "notes.txt")).toString(), "pushed with git\n");
    const tree = await api<Array<{ path: string; lfs?: { oid: string } }>>("models/alice/push-me/tree/main");
    assert.ok(tree.find((entry) => entry.path === "weights.bin")?.lfs, "weights.bin is an LFS file");
    const commits = await api<Array<{ id: string; title: string }>>("models/alice/push-me/commits/main");
    assert.equal(commits[0]?.id, head);
    assert.equal(commits[0]?.title, "Add weights and notes");

    // A fresh clone has the same commit and bytes.
    const again = client.folder();
    await ok(["clone", `${withToken(token)}/alice/push-me`, again]);
    assert.equal(await ok(["rev-parse", "HEAD"], { cwd: again }), head);
    assert.ok((await readFile(join(again, "weights.bin"))).equals(weights));
    assert.equal(await readFile(join(again, "notes.txt"), "utf8"), "pushed with git\n");
  });

  it("pushes several commits at once, each kept with its id, and a delta-compressed edit round-trips", async () => {
    const folder = await cloneForPush("alice/push-me");
    const first = `${BIG_TEXT}one more line\n`;
    await commitFile(folder, "big.txt", first, "Edit big.txt");
    const second = first.replace("line 100: ", "line one hundred: ");
    await commitFile(folder, "big.txt", second, "Edit big.txt again");
    await commitFile(folder, "third.txt", "three\n", "Third commit");
    const push = await git(["push", "--progress", "origin", "main"], { cwd: folder });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stderr, /Total \d+ \(delta [1-9]\d*\)/, "git sent deltas");

    const log = (await ok(["log", "--format=%H", "-3"], { cwd: folder })).split("\n");
    const commits = await api<Array<{ id: string }>>("models/alice/push-me/commits/main");
    assert.deepEqual(
      commits.slice(0, 3).map((commit) => commit.id),
      log,
    );
    assert.equal((await download("alice/push-me", "big.txt")).toString(), second);
    assert.equal((await download("alice/push-me", "big.txt", log[2])).toString(), first);

    const again = client.folder();
    await ok(["clone", `${withToken(token)}/alice/push-me`, again]);
    assert.equal(await readFile(join(again, "big.txt"), "utf8"), second);
    assert.equal(await ok(["rev-parse", "HEAD"], { cwd: again }), log[0]);
  });

  it("creates and deletes a branch, and pushes a tag", async () => {
    const folder = await cloneForPush("alice/push-me");
    await ok(["checkout", "-q", "-b", "feature"], { cwd: folder });
    await commitFile(folder, "feature.txt", "a feature\n", "Feature work");
    const create = await git(["push", "origin", "feature"], { cwd: folder });
    assert.equal(create.code, 0, create.stderr);
    assert.match(create.stderr, /\* \[new branch\]\s+feature -> feature/);
    const head = await ok(["rev-parse", "HEAD"], { cwd: folder });
    type Ref = { name: string; targetCommit: string };
    type Refs = { branches: Ref[]; tags: Ref[] };
    let refs = await api<Refs>("models/alice/push-me/refs");
    assert.equal(refs.branches.find((branch) => branch.name === "feature")?.targetCommit, head);
    assert.equal((await download("alice/push-me", "feature.txt", "feature")).toString(), "a feature\n");

    await ok(["tag", "v1"], { cwd: folder });
    const tag = await git(["push", "origin", "v1"], { cwd: folder });
    assert.equal(tag.code, 0, tag.stderr);
    refs = await api<Refs>("models/alice/push-me/refs");
    assert.equal(refs.tags.find((entry) => entry.name === "v1")?.targetCommit, head);

    const remove = await git(["push", "origin", "--delete", "feature"], { cwd: folder });
    assert.equal(remove.code, 0, remove.stderr);
    assert.match(remove.stderr, /- \[deleted\]\s+feature/);
    refs = await api<Refs>("models/alice/push-me/refs");
    assert.equal(
      refs.branches.some((branch) => branch.name === "feature"),
      false,
    );
    const main = await git(["push", "origin", "--delete", "main"], { cwd: folder });
    assert.notEqual(main.code, 0);
    assert.match(
      main.stderr,
      /! \[remote rejected\] main \(deletion of the default branch refs\/heads\/main prohibited\)/,
    );
    // Each ref a push moved has its audit entry, with the pusher and where the push came from.
    const audit = await fetch(`${hub.url}/v1/audit?target=model:alice/push-me&limit=1000`, {
      headers: { Authorization: `Bearer ${hub.adminToken}` },
    });
    type Entry = {
      action: string;
      details: { ref?: string; to?: string | null };
      actor: { user: string | null };
      clientAddress: string | null;
    };
    const entries = ((await audit.json()) as { entries: Entry[] }).entries.filter((entry) =>
      ["refs/heads/feature", "refs/tags/v1"].includes(entry.details.ref ?? ""),
    );
    assert.deepEqual(
      entries.map((entry) => [
        entry.action,
        entry.details.ref,
        entry.details.to,
        entry.actor.user,
        entry.clientAddress,
      ]),
      [
        ["repo.push", "refs/heads/feature", head, "alice", "127.0.0.1"],
        ["repo.push", "refs/tags/v1", head, "alice", "127.0.0.1"],
        ["ref.delete", "refs/heads/feature", null, "alice", "127.0.0.1"],
      ],
    );
  });

  it("refuses a push without a token, with a read token and an LFS pointer to an object never uploaded", async () => {
    const anonymous = client.folder();
    await ok(["clone", `${hub.url}/alice/push-me`, anonymous]);
    await ok(["config", "user.name", "Nobody"], { cwd: anonymous });
    await ok(["config", "user.email", "nobody@example.com"], { cwd: anonymous });
    await commitFile(anonymous, "anon.txt", "anonymous\n", "Anonymous");
    const noToken = await git(["push", "origin", "main"], { cwd: anonymous });
    assert.notEqual(noToken.code, 0);
    assert.match(noToken.stderr, /could not read Username/);

    const folder = await cloneForPush("alice/push-me", readToken);
    await commitFile(folder, "read.txt", "read only\n", "Read token");
    const push = await git(["push", "origin", "main"], { cwd: folder });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /remote error: You have read access but not the required permissions/);

    // A pointer committed without git-lfs's upload (its pre-push hook skipped): the push names the file.
    const writer = await cloneForPush("alice/push-me");
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${"ab".repeat(32)}\nsize 12345\n`;
    await commitFile(writer, "ghost.bin", pointer, "A pointer to nothing");
    const ghost = await git(["push", "--no-verify", "origin", "main"], { cwd: writer });
    assert.notEqual(ghost.code, 0);
    assert.match(ghost.stderr, /! \[remote rejected\] main -> main \(.*LFS pointer.*ghost\.bin\)/);
  });

  it("rejects a stale push (fetch first) and a forced non-fast-forward push", async () => {
    const folder = await cloneForPush("alice/push-me");
    await uploadFiles({
      repo: "alice/push-me",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "from-api.txt", content: new Blob(["uploaded meanwhile\n"]) }],
    });
    await commitFile(folder, "late.txt", "late\n", "Late commit");
    const stale = await git(["push", "origin", "main"], { cwd: folder });
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /! \[rejected\]\s+main -> main \(fetch first\)/);

    const forced = await git(["push", "--force", "origin", "main"], { cwd: folder });
    assert.notEqual(forced.code, 0);
    assert.match(forced.stderr, /! \[remote rejected\] main -> main \(non-fast-forward\)/);
    const files = await api<Array<{ path: string }>>("models/alice/push-me/tree/main");
    assert.ok(
      files.some((file) => file.path === "from-api.txt"),
      "the upload survives",
    );
    assert.ok(!files.some((file) => file.path === "late.txt"));
  });

  it("refuses symlinks and executable files, naming them", async () => {
    const folder = await cloneForPush("alice/push-me");
    await ok(["update-index", "--add", "--cacheinfo", `120000,${await hashText(folder, "README.md")},link`], {
      cwd: folder,
    });
    await ok(["commit", "-q", "-m", "A link"], { cwd: folder });
    const push = await git(["push", "origin", "main"], { cwd: folder });
    assert.notEqual(push.code, 0);
    assert.match(
      push.stderr,
      /remote rejected\] main -> main \(commit [0-9a-f]{40}: link is a symbolic link/,
    );

    await ok(["reset", "-q", "--hard", "origin/main"], { cwd: folder });
    await ok(["update-index", "--chmod=+x", "README.md"], { cwd: folder });
    await ok(["commit", "-q", "-m", "Executable"], { cwd: folder });
    const executable = await git(["push", "origin", "main"], { cwd: folder });
    assert.notEqual(executable.code, 0);
    assert.match(executable.stderr, /\(commit [0-9a-f]{40}: README.md is an executable file/);
  });

  it("updates an open pull request's refs/pr/N, and opens none", async () => {
    await uploadFiles({
      repo: "alice/push-me",
      accessToken: token,
      hubUrl: hub.url,
      isPullRequest: true,
      files: [{ path: "proposal.txt", content: new Blob(["a proposal\n"]) }],
    });
    const folder = await cloneForPush("alice/push-me");
    await ok(["fetch", "-q", "origin", "refs/pr/1:pr-1"], { cwd: folder });
    await ok(["checkout", "-q", "pr-1"], { cwd: folder });
    await commitFile(folder, "proposal.txt", "a better proposal\n", "Improve the proposal");
    const update = await git(["push", "origin", "HEAD:refs/pr/1"], { cwd: folder });
    assert.equal(update.code, 0, update.stderr);
    assert.equal(
      (await download("alice/push-me", "proposal.txt", "refs/pr/1")).toString(),
      "a better proposal\n",
    );
    const details = (await (await fetch(`${hub.url}/api/models/alice/push-me/discussions/1`)).json()) as {
      events: Array<{ type: string; data: { subject?: string; oid?: string } }>;
    };
    assert.deepEqual(
      details.events.filter((event) => event.type === "commit").map((event) => event.data.subject),
      ["Add 1 files", "Improve the proposal"],
    );

    const open = await git(["push", "origin", "HEAD:refs/pr/99"], { cwd: folder });
    assert.notEqual(open.code, 0);
    assert.match(
      open.stderr,
      /! \[remote rejected\] HEAD -> refs\/pr\/99 \(pull requests are opened through the Hub API/,
    );
    const other = await git(["push", "origin", "HEAD:refs/notes/x"], { cwd: folder });
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /\(Hangar keeps only branches/);
  });

  it("refuses every ref of an atomic push when one is refused", async () => {
    const folder = await cloneForPush("alice/push-me");
    await ok(["reset", "-q", "--hard", "HEAD~1"], { cwd: folder });
    await commitFile(folder, "diverged.txt", "diverged\n", "Diverged");
    const push = await git(["push", "--atomic", "--force", "origin", "main", "main:refs/heads/side"], {
      cwd: folder,
    });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr, /! \[remote rejected\] main -> main \(non-fast-forward\)/);
    assert.match(push.stderr, /! \[remote rejected\] main -> side \(atomic transaction failed\)/);
    type Ref = { name: string };
    const refs = await api<{ branches: Ref[] }>("models/alice/push-me/refs");
    assert.equal(
      refs.branches.some((branch) => branch.name === "side"),
      false,
    );
  });

  it("takes a push larger than git's post buffer to a dataset at its .git URL", async () => {
    await importFiles(hub.hangar, "alice/big-push", { "README.md": "# Data\n" }, { type: "dataset" });
    const folder = client.folder();
    await ok(["clone", `${withToken(token)}/datasets/alice/big-push.git`, folder]);
    await ok(["config", "user.name", "Alice Pusher"], { cwd: folder });
    await ok(["config", "user.email", "alice@example.com"], { cwd: folder });
    // Random text compresses little: the pack is past git's 1 MiB post buffer, so git probes, then streams.
    const text = randomBytes(3 * 1024 * 1024).toString("base64");
    await commitFile(folder, "data.txt", text, "Add data");
    const push = await git(["push", "origin", "main"], { cwd: folder });
    assert.equal(push.code, 0, push.stderr);
    const head = await ok(["rev-parse", "HEAD"], { cwd: folder });
    assert.equal((await api<{ sha: string }>("datasets/alice/big-push")).sha, head);
    const blob = await downloadFile({
      repo: { type: "dataset", name: "alice/big-push" },
      path: "data.txt",
      hubUrl: hub.url,
      accessToken: token,
    });
    assert.equal(await blob?.text(), text);
  });

  it("leaves fsck clean", async () => {
    const report = await fsck(hub.hangar, { verifyHashes: true });
    assert.deepEqual(report.problems, []);
  });

  async function hashText(folder: string, text: string): Promise<string> {
    await writeFile(join(folder, ".link-target"), text);
    const oid = await ok(["hash-object", "-w", ".link-target"], { cwd: folder });
    return oid;
  }
});

describe("git push under a scan block policy (HANGAR_SCAN_BLOCK=unsafe)", () => {
  let hub: TestHangar;
  let client: GitClient;
  let removeClient: () => Promise<void>;
  let token: string;
  before(async () => {
    hub = await startTestHangar({ scanBlock: ["unsafe"] });
    ({ client, remove: removeClient } = await GitClient.create());
    token = await hub.addUser("alice");
    await importFiles(hub.hangar, "alice/guarded", { "README.md": "# Guarded\n" });
  });
  after(async () => {
    await hub?.close();
    await removeClient?.();
  });

  it("refuses a push adding an unsafe pickle, naming the file, and takes a safe one", async () => {
    const folder = client.folder();
    await client.ok(["clone", `${hub.url.replace("://", `://alice:${token}@`)}/alice/guarded`, folder]);
    await client.ok(["config", "user.name", "Alice"], { cwd: folder });
    await client.ok(["config", "user.email", "alice@example.com"], { cwd: folder });
    const head = ((await (await fetch(`${hub.url}/api/models/alice/guarded`)).json()) as { sha: string }).sha;
    await writeFile(join(folder, "model.pkl"), OS_SYSTEM);
    await client.ok(["add", "model.pkl"], { cwd: folder });
    await client.ok(["commit", "-q", "-m", "Add a pickle"], { cwd: folder });
    const refused = await client.run(["push", "origin", "main"], { cwd: folder });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /! \[remote rejected\]\s+main -> main \(model\.pkl is unsafe/);
    const after = ((await (await fetch(`${hub.url}/api/models/alice/guarded`)).json()) as { sha: string })
      .sha;
    assert.equal(after, head, "the branch did not move");

    // The refused commit stays in the history until it is dropped: a later commit removing the file would
    // still bring it.
    await client.ok(["reset", "-q", "--hard", "origin/main"], { cwd: folder });
    await writeFile(join(folder, "notes.txt"), "safe\n");
    await client.ok(["add", "notes.txt"], { cwd: folder });
    await client.ok(["commit", "-q", "-m", "Notes instead"], { cwd: folder });
    const pushed = await client.run(["push", "origin", "main"], { cwd: folder });
    assert.equal(pushed.code, 0, pushed.stderr);
  });
});
