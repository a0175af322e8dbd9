// `hangar fsck` and `hangar gc`: exit codes and problem lines, --dry-run and --grace, and a gc in another
// process sparing what this one leases and is writing.
import assert from "node:assert/strict";
import { stat, unlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { acquireBlobLeases } from "../../src/hub/maintenance/blob-leases.ts";
import { ACTIVE_TEMP_MS } from "../../src/hub/maintenance/gc.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { age, commitFiles, openInstance, storeFile } from "../helpers/maintenance-instance.ts";
import { fsBlobs } from "../helpers/test-hangar.ts";

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
