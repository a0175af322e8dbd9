// gc removes only old, unreferenced, unleased blobs and old temp files, and never what a commit in progress
// is placing.
import assert from "node:assert/strict";
import { readdir, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HangarError } from "../../src/core/errors.ts";
import { createCommit, type StoredFile } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { acquireBlobLeases } from "../../src/hub/maintenance/blob-leases.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { gc } from "../../src/hub/maintenance/gc.ts";
import {
  admin,
  age,
  commitFiles,
  HOUR_MS,
  openInstance,
  storeFile,
} from "../helpers/maintenance-instance.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { fsBlobs } from "../helpers/test-hangar.ts";

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
