// fsck: an intact instance passes, and each kind of damage (corrupt, changed, resized or deleted blobs, refs
// to missing commits, mismatched git ids, corrupt or missing git objects) is reported, temp files are not.
import assert from "node:assert/strict";
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gitObjectOid, parseGitCommit } from "../../src/core/git-objects.ts";
import type { StoredFile } from "../../src/hub/create-commit.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { commitFiles, openInstance, storeFile } from "../helpers/maintenance-instance.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { fsBlobs } from "../helpers/test-hangar.ts";

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
