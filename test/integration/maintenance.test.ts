import assert from "node:assert/strict";
import { readdir, readFile, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { gitObjectOid, lfsPointerOid, parseGitCommit } from "../../src/core/git-objects.ts";
import type { Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit, type StoredFile } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { acquireBlobLeases } from "../../src/hub/maintenance/blob-leases.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { ACTIVE_TEMP_MS, gc } from "../../src/hub/maintenance/gc.ts";
import { readBody, sendError, sendJson } from "../../src/server/http.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { fsBlobs, makeTempDir } from "../helpers/test-hangar.ts";

const admin = localAdministrator();
const HOUR_MS = 60 * 60 * 1000;

async function storeFile(hangar: Hangar, content: string | Buffer, lfs = false): Promise<StoredFile> {
  const bytes = Buffer.from(content);
  const stored = await hangar.blobs.put(bytes, { expectedSize: bytes.byteLength });
  return {
    sha256: stored.sha256,
    size: stored.size,
    lfs,
    gitOid: lfs ? lfsPointerOid(stored.sha256, stored.size) : stored.gitOid!,
  };
}

async function commitFiles(hangar: Hangar, repo: Repo, files: Record<string, StoredFile>): Promise<string> {
  const result = await createCommit(hangar, {
    repo,
    revision: "main",
    title: "Add files",
    author: admin.user,
    operations: Object.entries(files).map(([path, file]) => ({ kind: "put", path, file })),
  });
  return result.commit.oid;
}

/** Makes a blob look as if it was stored (and registered) `ageMs` ago. */
async function age(hangar: Hangar, sha256: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  await utimes(fsBlobs(hangar).pathOf(sha256), when, when);
  rawDb(hangar.catalog)
    .prepare("UPDATE blobs SET created_at = ? WHERE sha256 = ?")
    .run(when.toISOString(), sha256);
}

async function openInstance(): Promise<{ hangar: Hangar; repo: Repo; close: () => Promise<void> }> {
  const temp = await makeTempDir();
  const hangar = await createHangar(defaultConfig(temp.path));
  const repo = await createRepo(hangar, admin, { type: "model", namespace: "team", name: "model" });
  return {
    hangar,
    repo,
    close: async () => {
      await hangar.close();
      await temp.remove();
    },
  };
}

describe("fsck", () => {
  let instance: Awaited<ReturnType<typeof openInstance>>;
  let weights: StoredFile;
  let readme: StoredFile;
  let head: string;
  before(async () => {
    instance = await openInstance();
    weights = await storeFile(instance.hangar, Buffer.alloc(4096, 7), true);
    readme = await storeFile(instance.hangar, "# A model\n");
    head = await commitFiles(instance.hangar, instance.repo, {
      "model.safetensors": weights,
      "README.md": readme,
    });
  });
  after(() => instance.close());

  it("finds nothing wrong in an intact instance, re-hashing everything with verifyHashes", async () => {
    const report = await fsck(instance.hangar, { verifyHashes: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(report.counts.commits, 2);
    assert.equal(report.counts.refs, 1);
    // .gitattributes, README.md and the weights.
    assert.equal(report.counts.referencedBlobs, 3);
    assert.equal(report.counts.hashedBlobs, 3);
    assert.equal(report.counts.unreferencedBlobs, 0);
  });

  it("reads regular files but leaves LFS files alone without verifyHashes", async () => {
    const report = await fsck(instance.hangar);
    assert.equal(report.ok, true);
    assert.equal(report.counts.hashedBlobs, 2);
  });

  it("reports a corrupted LFS blob only when asked to re-hash, naming the repo, commit and path", async () => {
    const path = fsBlobs(instance.hangar).pathOf(weights.sha256);
    const original = await readFile(path);
    const damaged = Buffer.from(original);
    damaged[100] = 8;
    await writeFile(path, damaged);
    try {
      assert.equal((await fsck(instance.hangar)).ok, true);
      const report = await fsck(instance.hangar, { verifyHashes: true });
      assert.equal(report.ok, false);
      assert.equal(report.problems.length, 1);
      const [problem] = report.problems;
      assert.equal(problem?.kind, "blob-corrupt");
      assert.equal(problem?.repo, "team/model");
      assert.equal(problem?.commit, head);
      assert.equal(problem?.path, "model.safetensors");
      assert.equal(problem?.sha256, weights.sha256);
      assert.match(problem?.message ?? "", /model\.safetensors.*corrupt/);
    } finally {
      await writeFile(path, original);
    }
  });

  it("reports a changed regular file even without verifyHashes", async () => {
    const path = fsBlobs(instance.hangar).pathOf(readme.sha256);
    const original = await readFile(path);
    await writeFile(path, "# A modeL\n");
    try {
      const report = await fsck(instance.hangar);
      assert.deepEqual(
        report.problems.map((problem) => [problem.kind, problem.path]),
        [["blob-corrupt", "README.md"]],
      );
    } finally {
      await writeFile(path, original);
    }
  });

  it("reports a blob whose size changed, and a deleted blob", async () => {
    const path = fsBlobs(instance.hangar).pathOf(readme.sha256);
    const original = await readFile(path);
    await writeFile(path, "# A model, longer\n");
    const truncated = await fsck(instance.hangar);
    assert.deepEqual(
      truncated.problems.map((problem) => problem.kind),
      ["blob-size-mismatch", "registry-size-mismatch"],
    );
    await unlink(path);
    try {
      const missing = await fsck(instance.hangar);
      assert.equal(missing.ok, false);
      assert.equal(missing.problems.length, 1);
      assert.equal(missing.problems[0]?.kind, "blob-missing");
      assert.equal(missing.problems[0]?.path, "README.md");
      assert.match(missing.problems[0]?.message ?? "", /missing from the blob store/);
    } finally {
      await writeFile(path, original);
    }
  });

  it("reports a ref to a commit that does not exist, and a recorded git id that does not match", async () => {
    const commits = instance.hangar.catalog.commits;
    const ghost = "0123456789abcdef0123456789abcdef01234567";
    await commits.setRef(instance.repo.pk, "branch", "ghost", ghost, new Date().toISOString());
    rawDb(instance.hangar.catalog)
      .prepare("UPDATE tree_entries SET git_oid = ? WHERE path = 'README.md'")
      .run("f".repeat(40));
    try {
      const report = await fsck(instance.hangar);
      const kinds = report.problems.map((problem) => problem.kind).sort();
      // The changed entry no longer makes the tree the commit object names either.
      assert.deepEqual(kinds, ["commit-object-mismatch", "git-oid-mismatch", "ref-missing-commit"]);
      const dangling = report.problems.find((problem) => problem.kind === "ref-missing-commit");
      assert.equal(dangling?.ref, "refs/heads/ghost");
      assert.equal(dangling?.commit, ghost);
      assert.equal(dangling?.repo, "team/model");
    } finally {
      await commits.deleteRef(instance.repo.pk, "branch", "ghost");
      rawDb(instance.hangar.catalog)
        .prepare("UPDATE tree_entries SET git_oid = ? WHERE path = 'README.md'")
        .run(readme.gitOid);
    }
    assert.equal((await fsck(instance.hangar)).ok, true);
  });

  it("reports git objects that are corrupt or missing", async () => {
    const db = rawDb(instance.hangar.catalog);
    const object = (oid: string) =>
      db.prepare("SELECT * FROM git_objects WHERE repo_pk = ? AND oid = ?").get(instance.repo.pk, oid) as {
        repo_pk: number;
        oid: string;
        type: string;
        body: Buffer;
      };
    const commitObject = object(head);
    const rootTree = object(parseGitCommit(commitObject.body).tree);
    const restore = (row: typeof commitObject) =>
      db
        .prepare("INSERT OR REPLACE INTO git_objects (repo_pk, oid, type, body) VALUES (?, ?, ?, ?)")
        .run(row.repo_pk, row.oid, row.type, row.body);
    try {
      db.prepare("UPDATE git_objects SET body = ? WHERE oid = ?").run(
        Buffer.concat([commitObject.body, Buffer.from("tampered\n")]),
        head,
      );
      db.prepare("DELETE FROM git_objects WHERE oid = ?").run(rootTree.oid);
      const report = await fsck(instance.hangar);
      assert.deepEqual(
        report.problems.map((problem) => [problem.kind, problem.message]),
        [
          [
            "git-object-corrupt",
            `team/model: the commit object ${head} is corrupt: its bytes hash to ${gitObjectOid("commit", Buffer.concat([commitObject.body, Buffer.from("tampered\n")]))}`,
          ],
          [
            "git-object-missing",
            `team/model: commit ${head} lacks the tree object ${rootTree.oid} of its root`,
          ],
        ],
      );
      db.prepare("DELETE FROM git_objects WHERE oid = ?").run(head);
      const withoutCommit = await fsck(instance.hangar);
      assert.deepEqual(
        withoutCommit.problems.map((problem) => [problem.kind, problem.message]),
        [["git-object-missing", `team/model: commit ${head} has no git commit object`]],
      );
    } finally {
      restore(commitObject);
      restore(rootTree);
    }
    assert.equal((await fsck(instance.hangar)).ok, true);
  });

  it("lists temp files as harmless leftovers, not problems", async () => {
    const leftover = join(fsBlobs(instance.hangar).tempDir, "1-interrupted.part");
    await writeFile(leftover, "half an upload");
    try {
      const report = await fsck(instance.hangar);
      assert.equal(report.ok, true);
      assert.equal(report.counts.tempFiles, 1);
      assert.equal(report.tempLeftovers[0]?.name, "1-interrupted.part");
      assert.equal(report.tempLeftovers[0]?.size, 14);
    } finally {
      await unlink(leftover);
    }
  });
});

describe("gc", () => {
  let instance: Awaited<ReturnType<typeof openInstance>>;
  before(async () => {
    instance = await openInstance();
  });
  after(() => instance.close());

  it("removes only old, unreferenced, unleased blobs and old temp files; a dry run changes nothing", async () => {
    const { hangar, repo } = instance;
    const kept = await storeFile(hangar, "referenced", false);
    await commitFiles(hangar, repo, { "kept.txt": kept });
    const orphan = await storeFile(hangar, Buffer.alloc(1000, 1), true);
    const young = await storeFile(hangar, Buffer.alloc(2000, 2), true);
    const leased = await storeFile(hangar, Buffer.alloc(3000, 3), true);
    for (const file of [kept, orphan, leased]) await age(hangar, file.sha256, 2 * HOUR_MS);
    const staleTemp = join(fsBlobs(hangar).tempDir, "1-stale.part");
    const freshTemp = join(fsBlobs(hangar).tempDir, "2-fresh.part");
    await writeFile(staleTemp, Buffer.alloc(500));
    await writeFile(freshTemp, Buffer.alloc(600));
    const old = new Date(Date.now() - 2 * HOUR_MS);
    await utimes(staleTemp, old, old);
    const lease = await acquireBlobLeases(hangar, [leased.sha256]);
    // Taking a lease refreshes the blob's age for gc in other processes; make it old again to test the lease.
    await age(hangar, leased.sha256, 2 * HOUR_MS);

    const planned = await gc(hangar, { dryRun: true, graceMs: HOUR_MS });
    assert.equal(planned.dryRun, true);
    assert.equal(planned.removedBlobs, 1);
    assert.equal(planned.removedBlobBytes, 1000);
    assert.equal(planned.removedTempFiles, 1);
    assert.equal(planned.freedBytes, 1500);
    for (const file of [kept, orphan, young, leased]) assert.equal(await hangar.blobs.has(file.sha256), true);
    assert.deepEqual((await readdir(fsBlobs(hangar).tempDir)).sort(), ["1-stale.part", "2-fresh.part"]);

    const done = await gc(hangar, { graceMs: HOUR_MS });
    assert.equal(done.removedBlobs, 1);
    assert.equal(done.removedBlobBytes, 1000);
    assert.equal(done.removedTempFiles, 1);
    assert.equal(done.freedBytes, 1500);
    assert.equal(done.keptYoung, 1);
    assert.equal(done.keptLeased, 1);
    assert.equal(await hangar.blobs.has(orphan.sha256), false);
    for (const file of [kept, young, leased]) assert.equal(await hangar.blobs.has(file.sha256), true);
    assert.deepEqual(await readdir(fsBlobs(hangar).tempDir), ["2-fresh.part"]);

    lease.release();
    const afterRelease = await gc(hangar, { graceMs: HOUR_MS });
    assert.equal(afterRelease.removedBlobs, 1);
    assert.equal(await hangar.blobs.has(leased.sha256), false);
    assert.equal(await hangar.blobs.has(young.sha256), true);
    await unlink(freshTemp);

    const report = await fsck(hangar, { verifyHashes: true });
    assert.deepEqual(report.problems, []);
  });

  it("spares a blob leased with a time limit until the limit passes", async () => {
    const { hangar } = instance;
    const upload = await storeFile(hangar, Buffer.alloc(1500, 8), true);
    const pending = await acquireBlobLeases(hangar, [upload.sha256], { ttlMs: 60_000 });
    await age(hangar, upload.sha256, 2 * HOUR_MS);
    const kept = await gc(hangar, { graceMs: HOUR_MS });
    assert.equal(kept.keptLeased, 1);
    assert.equal(await hangar.blobs.has(upload.sha256), true);
    pending.release();
    const expired = await acquireBlobLeases(hangar, [upload.sha256], { ttlMs: 0 });
    await age(hangar, upload.sha256, 2 * HOUR_MS);
    assert.equal((await gc(hangar, { graceMs: HOUR_MS })).removedBlobs, 1);
    assert.equal(await hangar.blobs.has(upload.sha256), false);
    expired.release();
  });

  it("keeps blobs of old commits and frees those of a deleted repo", async () => {
    const { hangar } = instance;
    const other = await createRepo(hangar, admin, { type: "dataset", namespace: "team", name: "data" });
    const first = await storeFile(hangar, Buffer.alloc(700, 4), true);
    await commitFiles(hangar, other, { "data.bin": first });
    await createCommit(hangar, {
      repo: other,
      revision: "main",
      title: "Remove data",
      author: admin.user,
      operations: [{ kind: "delete", path: "data.bin" }],
    });
    await age(hangar, first.sha256, 2 * HOUR_MS);
    assert.equal((await gc(hangar, { graceMs: HOUR_MS })).removedBlobs, 0, "history still references it");

    rawDb(hangar.catalog).prepare("DELETE FROM repos WHERE pk = ?").run(other.pk);
    const freed = await gc(hangar, { graceMs: HOUR_MS });
    assert.equal(freed.removedBlobs, 1);
    assert.equal(freed.removedBlobBytes, 700);
    assert.equal(await hangar.blobs.has(first.sha256), false);
    assert.equal(await hangar.catalog.commits.hasBlob(first.sha256), false, "its registry row goes too");
    assert.equal((await fsck(hangar)).ok, true);
  });

  it("refreshes the age of a blob stored again, so gc spares content about to be committed", async () => {
    const { hangar } = instance;
    const file = await storeFile(hangar, Buffer.alloc(900, 5), true);
    await age(hangar, file.sha256, 2 * HOUR_MS);
    await storeFile(hangar, Buffer.alloc(900, 5), true);
    assert.equal((await gc(hangar, { graceMs: HOUR_MS })).removedBlobs, 0);
    assert.equal(await hangar.blobs.has(file.sha256), true);
  });

  it("makes a commit whose blob gc already removed fail cleanly, leaving the branch as it was", async () => {
    const { hangar, repo } = instance;
    const file = await storeFile(hangar, Buffer.alloc(800, 6), true);
    await age(hangar, file.sha256, 2 * HOUR_MS);
    assert.equal((await gc(hangar, { graceMs: HOUR_MS })).removedBlobs, 1);
    const headBefore = (await hangar.catalog.commits.getRef(repo.pk, "branch", "main"))?.commitOid;
    await assert.rejects(commitFiles(hangar, repo, { "late.bin": file }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_BAD_REQUEST");
      assert.match(error.message, /has not been uploaded|no longer stored/);
      return true;
    });
    assert.equal((await hangar.catalog.commits.getRef(repo.pk, "branch", "main"))?.commitOid, headBefore);
    assert.equal((await fsck(hangar)).ok, true);
  });

  it("never removes a blob that a commit in progress is placing, even with no grace period", async () => {
    const { hangar, repo } = instance;
    const files: Record<string, StoredFile> = {};
    for (let index = 0; index < 20; index++) {
      files[`shard-${index}.bin`] = await storeFile(hangar, Buffer.alloc(100 + index, index), true);
    }
    for (const file of Object.values(files)) await age(hangar, file.sha256, 2 * HOUR_MS);
    // Both start together: whichever order they interleave in, the commit either lands with all its blobs
    // or is refused; it never references a removed blob.
    const [committed] = await Promise.allSettled([
      commitFiles(hangar, repo, files),
      gc(hangar, { graceMs: 0 }),
    ]);
    const report = await fsck(hangar);
    assert.deepEqual(report.problems, []);
    if (committed.status === "fulfilled") {
      for (const file of Object.values(files)) assert.equal(await hangar.blobs.has(file.sha256), true);
    }
  });
});

describe("limits", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let hangar: Hangar;
  let repo: Repo;
  before(async () => {
    temp = await makeTempDir();
    hangar = await createHangar(
      defaultConfig(temp.path, {
        limits: {
          maxFileSize: 1000,
          maxFilesPerCommit: 3,
          maxRequestBodySize: 64,
          lfsThreshold: 10 * 1024 ** 2,
          maxPageSize: 1000,
        },
      }),
    );
    repo = await createRepo(hangar, admin, { type: "model", namespace: "team", name: "limited" });
  });
  after(async () => {
    await hangar.close();
    await temp.remove();
  });

  it("refuses a commit with more files than allowed, with 413 and nothing written", async () => {
    const files: Record<string, StoredFile> = {};
    for (let index = 0; index < 4; index++) files[`f${index}.txt`] = await storeFile(hangar, `file ${index}`);
    const before = (await hangar.catalog.repos.getByPk(repo.pk))!.sha;
    await assert.rejects(commitFiles(hangar, repo, files), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_PAYLOAD_TOO_LARGE");
      assert.equal(error.status, 413);
      assert.equal(error.message, "A commit may hold at most 3 operations; this one has 4");
      return true;
    });
    assert.equal((await hangar.catalog.repos.getByPk(repo.pk))!.sha, before);
  });

  it("refuses a file over the size limit, with 413 naming the file", async () => {
    const big = await storeFile(hangar, Buffer.alloc(1001), true);
    await assert.rejects(commitFiles(hangar, repo, { "big.bin": big }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.status, 413);
      assert.equal(error.message, "big.bin is 1001 bytes, over the limit of 1000 bytes");
      return true;
    });
    const exact = await storeFile(hangar, Buffer.alloc(1000), true);
    await commitFiles(hangar, repo, { "exact.bin": exact });
  });

  it("stops storing a stream at the size limit and leaves no temp file", async () => {
    async function* chunks() {
      for (let index = 0; index < 5; index++) yield Buffer.alloc(300, index);
    }
    await assert.rejects(hangar.blobs.put(chunks(), { maxSize: 1000 }), (error: unknown) => {
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.code, "HANGAR_ERR_PAYLOAD_TOO_LARGE");
      return true;
    });
    assert.deepEqual(await readdir(fsBlobs(hangar).tempDir), []);
  });

  it("answers an oversized request body with 413 in the Hub's error shape", async () => {
    const server = createServer((request, response) => {
      readBody(request, hangar.config.limits.maxRequestBodySize).then(
        (body) => sendJson(response, 200, { size: body.byteLength }),
        (error: unknown) => sendError(response, error),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const small = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(64) });
      assert.deepEqual(await small.json(), { size: 64 });
      const large = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(65) });
      assert.equal(large.status, 413);
      assert.equal(large.headers.get("x-error-code"), "PayloadTooLarge");
      assert.deepEqual(await large.json(), {
        error: "The request body is 65 bytes, over the limit of 64 bytes",
        code: "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("hangar fsck and hangar gc", () => {
  let instance: Awaited<ReturnType<typeof openInstance>>;
  const cli = (...args: string[]) => runCli([...args, "--home", instance.hangar.config.home]);
  const cliProcess = (...args: string[]) => hangarCli([...args, "--home", instance.hangar.config.home]);
  before(async () => {
    instance = await openInstance();
  });
  after(() => instance.close());

  it("exits 0 on a clean instance and 1 with one line per problem otherwise", async () => {
    const { hangar, repo } = instance;
    const file = await storeFile(hangar, "hello\n");
    await commitFiles(hangar, repo, { "hello.txt": file });
    const clean = await cli("fsck", "--verify", "--json");
    assert.equal(clean.code, 0, clean.stderr);
    const report = JSON.parse(clean.stdout) as { ok: boolean; counts: { commits: number } };
    assert.equal(report.ok, true);
    assert.equal(report.counts.commits, 2);

    await unlink(fsBlobs(hangar).pathOf(file.sha256));
    const broken = await cli("fsck");
    assert.equal(broken.code, 1);
    const lines = broken.stdout.trim().split("\n");
    assert.match(
      lines[0] ?? "",
      /^blob-missing: team\/model@[0-9a-f]{12}: hello\.txt: blob [0-9a-f]{64} \(6 bytes\)/,
    );
    assert.match(lines[1] ?? "", /^1 problem: /);
    assert.equal(broken.stderr, `hangar fsck: 1 problem found in ${hangar.config.home}\n`);
    await writeFile(fsBlobs(hangar).pathOf(file.sha256), "hello\n");
  });

  it("gc reports what it freed, honours --dry-run and --grace, and rejects a bad --grace", async () => {
    const { hangar } = instance;
    const orphan = await storeFile(hangar, Buffer.alloc(2048, 9), true);
    await age(hangar, orphan.sha256, 10_000);
    const dry = await cli("gc", "--dry-run", "--grace", "5", "--json");
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { freedBytes: number }).freedBytes, 2048);
    assert.equal(await hangar.blobs.has(orphan.sha256), true);
    const done = await cli("gc", "--grace", "5");
    assert.equal(done.code, 0, done.stderr);
    assert.equal(
      done.stdout.split("\n")[0],
      "Removed 1 unreferenced blob (2.0 KB) and 0 temp files (0 B): 2.0 KB freed",
    );
    assert.equal(await hangar.blobs.has(orphan.sha256), false);
    const bad = await cli("gc", "--grace", "soon");
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'hangar gc: --grace must be a number of seconds (0 or more), got "soon"\n');
    const nowhere = await runCli(["fsck", "--home", join(hangar.config.home, "nope")]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /There is no Hangar instance in/);
    assert.equal(await stat(join(hangar.config.home, "nope")).catch(() => null), null);
  });

  it("gc in another process spares what this one leases and the temp files its uploads are writing", async () => {
    const { hangar } = instance;
    const pending = await storeFile(hangar, Buffer.alloc(4096, 7), true);
    await age(hangar, pending.sha256, 10_000);
    // This process is the server: an uploaded object waiting for its commit, and an upload still arriving.
    const lease = await acquireBlobLeases(hangar, [pending.sha256], { ttlMs: 60_000 });
    const writing = join(fsBlobs(hangar).tempDir, "1-arriving.part");
    await writeFile(writing, Buffer.alloc(100));
    try {
      const spared = await cliProcess("gc", "--grace", "0");
      assert.equal(spared.code, 0, spared.stderr);
      assert.deepEqual(spared.stdout.split("\n").slice(0, 3), [
        "Removed 0 unreferenced blobs (0 B) and 0 temp files (0 B): 0 B freed",
        "Kept 0 unreferenced blobs younger than 0 s and 1 in use",
        "Kept 1 temp file that uploads are still writing",
      ]);
      assert.equal(await hangar.blobs.has(pending.sha256), true);
      assert.equal((await stat(writing)).size, 100);
    } finally {
      lease.release();
    }
    // Released, and the upload stopped writing long ago: both go.
    const stopped = new Date(Date.now() - ACTIVE_TEMP_MS - 1000);
    await utimes(writing, stopped, stopped);
    const freed = await cliProcess("gc", "--grace", "0", "--json");
    assert.equal(freed.code, 0, freed.stderr);
    const report = JSON.parse(freed.stdout) as { removedBlobs: number; removedTempFiles: number };
    assert.deepEqual([report.removedBlobs, report.removedTempFiles], [1, 1]);
    assert.equal(await hangar.blobs.has(pending.sha256), false);
  });
});
