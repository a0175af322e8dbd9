import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { commitIter, downloadFileToCacheDir, listFiles, scanCacheDir } from "@huggingface/hub";
import { type CliRun, runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

function parseJson<T>(run: CliRun): T {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface UploadJson {
  commitOid: string;
  commitUrl: string;
  committed: boolean;
  uploadedBytes: number;
  files: string[];
  unchanged: string[];
}

interface DownloadJson {
  path: string;
  commit: string;
  files: string[];
  downloadedBytes: number;
}

describe("hangar client commands against a running Hangar", () => {
  let hub: TestHangar;
  let token: string;
  let temp: { path: string; remove: () => Promise<void> };
  let folder: string;
  let connection: string[];
  const repo = "alice/demo";
  const bigSize = 10 * 1024 * 1024 + 123;
  let firstCommit: string;
  let latestCommit: string;

  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    temp = await makeTempDir("hangar-cli-client-");
    folder = join(temp.path, "model");
    await mkdir(join(folder, "sub"), { recursive: true });
    await writeFile(join(folder, "config.json"), JSON.stringify({ model_type: "bert", hidden_size: 8 }));
    await writeFile(join(folder, "tokenizer.json"), JSON.stringify({ version: "1.0" }));
    await writeFile(join(folder, "sub", "nested.json"), "{}\n");
    // Same bytes as tokenizer.json: one blob in the cache for both.
    await writeFile(join(folder, "sub", "same.json"), JSON.stringify({ version: "1.0" }));
    await writeFile(join(folder, "README.md"), "# Demo\n");
    await writeFile(join(folder, "weights.bin"), randomBytes(bigSize));
    connection = ["--endpoint", hub.url, "--token", token];
  });
  after(async () => {
    await hub.close();
    await temp.remove();
  });

  it("creates a repo, refuses a duplicate, and accepts it with --exist-ok", async () => {
    const created = parseJson<{ url: string; created: boolean }>(
      await runCli(["repo", "create", repo, ...connection, "--json"]),
    );
    assert.equal(created.created, true);
    assert.equal(created.url, `${hub.url}/${repo}`);

    const [duplicate, existOk] = await Promise.all([
      runCli(["repo", "create", repo, ...connection]),
      runCli(["repo", "create", repo, ...connection, "--exist-ok", "--json"]),
    ]);
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr.trim().split("\n").length, 1);
    assert.match(duplicate.stderr, /^hangar repo create: /);
    assert.equal(parseJson<{ created: boolean }>(existOk).created, false);
  });

  it("uploads a folder in one commit, the large file through LFS", async () => {
    const upload = parseJson<UploadJson>(await runCli(["upload", repo, folder, ...connection, "--json"]));
    assert.equal(upload.committed, true);
    assert.match(upload.commitOid, /^[0-9a-f]{40}$/);
    assert.deepEqual(upload.files, [
      "README.md",
      "config.json",
      "sub/nested.json",
      "sub/same.json",
      "tokenizer.json",
      "weights.bin",
    ]);
    assert.ok(upload.uploadedBytes >= bigSize, `sent only ${upload.uploadedBytes} bytes`);
    firstCommit = upload.commitOid;

    const listed = new Map<string, { lfs?: { size: number } }>();
    for await (const entry of listFiles({ repo, recursive: true, hubUrl: hub.url, accessToken: token })) {
      listed.set(entry.path, entry);
    }
    assert.equal(listed.get("weights.bin")?.lfs?.size, bigSize);
    assert.equal(listed.get("config.json")?.lfs, undefined);
  });

  it("sends nothing and makes no commit when the same folder is uploaded again", async () => {
    const [json, human] = await Promise.all([
      runCli(["upload", repo, folder, ...connection, "--json"]),
      runCli(["upload", repo, folder, ...connection]),
    ]);
    const upload = parseJson<UploadJson>(json);
    assert.equal(upload.committed, false);
    assert.equal(upload.uploadedBytes, 0);
    assert.deepEqual(upload.files, []);
    assert.equal(upload.unchanged.length, 6);
    assert.equal(upload.commitOid, firstCommit);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Nothing to upload: all 6 files are already on main/);
  });

  it("resumes an upload interrupted before its commit without re-sending the large file", async () => {
    const extra = randomBytes(bigSize);
    await writeFile(join(folder, "extra.bin"), extra);
    // Interrupt a real client's commit right after its LFS uploads: the object is stored, no commit made.
    const iterator = commitIter({
      repo,
      hubUrl: hub.url,
      accessToken: token,
      title: "interrupted",
      useXet: false,
      operations: [{ operation: "addOrUpdate", path: "extra.bin", content: new Blob([extra]) }],
    });
    for await (const event of iterator) {
      if (event.event === "phase" && event.phase === "committing") break;
    }
    const upload = parseJson<UploadJson>(await runCli(["upload", repo, folder, ...connection, "--json"]));
    assert.equal(upload.committed, true);
    assert.deepEqual(upload.files, ["extra.bin"]);
    assert.equal(upload.uploadedBytes, 0);
    assert.notEqual(upload.commitOid, firstCommit);
    latestCommit = upload.commitOid;
  });

  it("downloads only the files matching --include into the huggingface_hub cache layout", async () => {
    const cache = join(temp.path, "cache-include");
    const run = parseJson<DownloadJson>(
      await runCli(["download", repo, "--include", "*.json", ...connection, "--json"], {
        HF_HUB_CACHE: cache,
      }),
    );
    const storage = join(cache, "models--alice--demo");
    const snapshot = join(storage, "snapshots", latestCommit);
    assert.equal(run.path, snapshot);
    assert.equal(run.commit, latestCommit);
    assert.deepEqual(run.files, ["config.json", "sub/nested.json", "sub/same.json", "tokenizer.json"]);
    assert.equal(await readFile(join(storage, "refs", "main"), "utf8"), latestCommit);
    assert.deepEqual((await readdir(snapshot, { recursive: true })).sort(), [
      "config.json",
      "sub",
      "sub/nested.json",
      "sub/same.json",
      "tokenizer.json",
    ]);
    assert.equal((await readdir(join(storage, "blobs"))).length, 3);
    for (const path of run.files) {
      assert.deepEqual(await readFile(join(snapshot, path)), await readFile(join(folder, path)));
      assert.ok((await lstat(join(snapshot, path))).isSymbolicLink());
      assert.match(await readlink(join(snapshot, path)), /^(\.\.\/)+blobs\/[0-9a-f]{40}$/);
    }

    // The official JS client reads this cache as its own: scanCacheDir sees the revision and its ref, and
    // downloadFileToCacheDir finds the file without touching the network (its hubUrl goes nowhere).
    const scanned = await scanCacheDir(cache);
    assert.deepEqual(scanned.warnings, []);
    assert.deepEqual(scanned.repos[0]?.id, { name: repo, type: "model" });
    assert.deepEqual(
      scanned.repos[0]?.revisions.map((revision) => [revision.commitOid, revision.refs]),
      [[latestCommit, ["main"]]],
    );
    const cachedPath = await downloadFileToCacheDir({
      repo,
      path: "sub/nested.json",
      revision: latestCommit,
      cacheDir: cache,
      hubUrl: "http://127.0.0.1:9",
    });
    assert.equal(cachedPath, join(snapshot, "sub", "nested.json"));

    const human = await runCli(["download", repo, "--include", "*.json", ...connection], {
      HF_HUB_CACHE: cache,
    });
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, `${snapshot}\n`);
  });

  it("downloads a single LFS file under HF_HOME/hub, resuming a partial download", async () => {
    const home = join(temp.path, "hf-home");
    const content = await readFile(join(folder, "weights.bin"));
    const sha256 = createHash("sha256").update(content).digest("hex");
    const blobs = join(home, "hub", "models--alice--demo", "blobs");
    await mkdir(blobs, { recursive: true });
    const alreadyThere = 3 * 1024 * 1024;
    await writeFile(join(blobs, `${sha256}.incomplete`), content.subarray(0, alreadyThere));

    const run = parseJson<DownloadJson>(
      await runCli(["download", repo, "weights.bin", ...connection, "--json"], { HF_HOME: home }),
    );
    const snapshot = join(home, "hub", "models--alice--demo", "snapshots", latestCommit);
    assert.equal(run.path, snapshot);
    assert.deepEqual(run.files, ["weights.bin"]);
    assert.equal(run.downloadedBytes, bigSize - alreadyThere);
    assert.deepEqual(await readFile(join(snapshot, "weights.bin")), content);
    assert.equal(await readlink(join(snapshot, "weights.bin")), `../../blobs/${sha256}`);
    assert.ok(!existsSync(join(blobs, `${sha256}.incomplete`)));
  });

  it("writes plain files with --local-dir and fetches nothing the second time", async () => {
    const local = join(temp.path, "local");
    const first = parseJson<DownloadJson>(
      await runCli(["download", repo, "--local-dir", local, "--exclude", "*.bin", ...connection, "--json"]),
    );
    assert.equal(first.path, local);
    assert.deepEqual(first.files, [
      ".gitattributes",
      "README.md",
      "config.json",
      "sub/nested.json",
      "sub/same.json",
      "tokenizer.json",
    ]);
    for (const path of ["README.md", "config.json", "sub/nested.json", "sub/same.json", "tokenizer.json"]) {
      assert.ok((await lstat(join(local, path))).isFile());
      assert.deepEqual(await readFile(join(local, path)), await readFile(join(folder, path)));
    }
    assert.ok(!existsSync(join(local, "weights.bin")));
    assert.ok(first.downloadedBytes > 0);
    const second = parseJson<DownloadJson>(
      await runCli(["download", repo, "--local-dir", local, "--exclude", "*.bin", ...connection, "--json"]),
    );
    assert.equal(second.downloadedBytes, 0);
  });

  it("uploads one file to a path in a new repo and branch, creating both as hf upload does", async () => {
    const upload = parseJson<UploadJson & { createdRepo: boolean }>(
      await runCli([
        "upload",
        "alice/fresh",
        join(folder, "config.json"),
        "configs/main.json",
        "--revision",
        "dev",
        ...connection,
        "--json",
      ]),
    );
    assert.equal(upload.createdRepo, true);
    assert.deepEqual(upload.files, ["configs/main.json"]);
    const branches = parseJson<Array<{ name: string; targetCommit: string }>>(
      await runCli(["branch", "list", "alice/fresh", ...connection, "--json"]),
    );
    assert.deepEqual(
      branches.map((branch) => branch.name),
      ["dev", "main"],
    );
    assert.equal(branches[0]!.targetCommit, upload.commitOid);
  });

  it("creates, lists and deletes branches", async () => {
    const created = await runCli(["branch", "create", repo, "dev", ...connection]);
    assert.equal(created.code, 0, created.stderr);
    const [list, duplicate] = await Promise.all([
      runCli(["branch", "list", repo, ...connection, "--json"]),
      runCli(["branch", "create", repo, "dev", ...connection]),
    ]);
    assert.deepEqual(parseJson(list), [
      { name: "dev", targetCommit: latestCommit },
      { name: "main", targetCommit: latestCommit },
    ]);
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr.trim().split("\n").length, 1);

    const deleted = await runCli(["branch", "delete", repo, "dev", ...connection]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await runCli(["branch", "list", repo, ...connection]);
    assert.equal(after.stdout, `${latestCommit.slice(0, 12)}  main\n`);
  });

  it("creates, lists, downloads by and deletes tags", async () => {
    const created = await runCli([
      "tag",
      "create",
      repo,
      "v1",
      "--revision",
      firstCommit,
      "-m",
      "first",
      ...connection,
    ]);
    assert.equal(created.code, 0, created.stderr);
    // One requested file: the path of that file is printed, as `hf download` does.
    const cache = join(temp.path, "cache-tag");
    const [list, run] = await Promise.all([
      runCli(["tag", "list", repo, ...connection, "--json"]),
      runCli(["download", repo, "config.json", "--revision", "v1", ...connection], { HF_HUB_CACHE: cache }),
    ]);
    assert.deepEqual(parseJson(list), [{ name: "v1", targetCommit: firstCommit }]);
    assert.equal(run.code, 0, run.stderr);
    const storage = join(cache, "models--alice--demo");
    assert.equal(run.stdout, `${join(storage, "snapshots", firstCommit, "config.json")}\n`);
    assert.equal(await readFile(join(storage, "refs", "v1"), "utf8"), firstCommit);

    const deleted = await runCli(["tag", "delete", repo, "v1", ...connection]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(parseJson(await runCli(["tag", "list", repo, ...connection, "--json"])), []);
  });

  it("makes a repo private: anonymous downloads then fail with one clear line", async () => {
    const settings = await runCli(["repo", "settings", repo, "--private", ...connection]);
    assert.equal(settings.code, 0, settings.stderr);

    const cache = join(temp.path, "cache-private");
    const [anonymous, withToken] = await Promise.all([
      runCli(["download", repo, "--endpoint", hub.url], { HF_HUB_CACHE: cache }),
      runCli(["download", repo, "config.json", "--endpoint", hub.url], {
        HF_HUB_CACHE: join(temp.path, "cache-private-token"),
        HF_TOKEN: token,
      }),
    ]);
    assert.notEqual(anonymous.code, 0);
    assert.equal(anonymous.stdout, "");
    const lines = anonymous.stderr.trim().split("\n");
    assert.equal(lines.length, 1, anonymous.stderr);
    assert.match(lines[0]!, /^hangar download: alice\/demo: .*pass --token or set HF_TOKEN/);
    assert.equal(withToken.code, 0, withToken.stderr);
  });

  it("deletes the repo, and --missing-ok tolerates a repo that is gone", async () => {
    const deleted = parseJson<{ deleted: boolean }>(
      await runCli(["repo", "delete", repo, ...connection, "--json"]),
    );
    assert.equal(deleted.deleted, true);
    const [download, again, missingOk] = await Promise.all([
      runCli(["download", repo, ...connection], { HF_HUB_CACHE: join(temp.path, "gone") }),
      runCli(["repo", "delete", repo, ...connection]),
      runCli(["repo", "delete", repo, "--missing-ok", ...connection, "--json"]),
    ]);
    assert.equal(download.code, 1);
    assert.equal(again.code, 1);
    assert.equal(parseJson<{ deleted: boolean }>(missingOk).deleted, false);
  });

  it("explains usage errors with exit code 2 and shows --help", async () => {
    const [missing, badId, help] = await Promise.all([
      runCli(["upload", repo, ...connection]),
      runCli(["download", "not-a-repo-id", ...connection]),
      runCli(["upload", "--help"]),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing <path>/);
    assert.equal(badId.code, 2);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: hangar upload <repo_id> <path> \[path_in_repo\]/);
    assert.match(help.stdout, /--endpoint URL/);
  });
});
