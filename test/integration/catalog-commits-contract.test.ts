// The catalog contract, part: commits and their trees, refs moved by compare-and-swap, git objects and
// registered blobs. Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the
// other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, byteOrder, commit, file, insertRepo, oid, sha } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, commits: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("commits: commits and trees round trip; files list in byte order of their paths", async () => {
      const r = await repo("Tree", "files");
      const info = commit(1, [oid(0)], { warnings: ["w"] });
      const pk = await catalog.commits.insertCommit(r.pk, info);
      assert.deepEqual(await catalog.commits.getCommit(r.pk, oid(1)), { pk, repoPk: r.pk, ...info });
      assert.deepEqual(await catalog.commits.getCommitByPk(pk), { pk, repoPk: r.pk, ...info });
      const paths = ["README.md", "a/B.txt", "a/_x", "a/-y", "a/.z", "a/b/c.bin", "Zeta", "zeta", "é.txt"];
      paths.push("a.b", "a-b", "a_b", "a0", "a/ü", "a/Ü", "~tilde", "a/b");
      const files = paths.map((path, index) => file(path, index + 1));
      await catalog.commits.insertTree(pk, files);
      const sorted = [...files].sort((x, y) => byteOrder(x.path, y.path));
      assert.deepEqual(await catalog.commits.listFiles(pk), sorted);
      assert.deepEqual(
        await catalog.commits.listFilesUnder(pk, "a"),
        sorted.filter((f) => f.path.startsWith("a/")),
      );
      assert.deepEqual(
        (await catalog.commits.listFilesUnder(pk, "a/b")).map((f) => f.path),
        ["a/b/c.bin"],
      );
      assert.deepEqual(await catalog.commits.getFile(pk, "é.txt"), files[8]);
      assert.equal(await catalog.commits.getFile(pk, "readme.md"), undefined);
      assert.equal(await catalog.commits.hasFolder(pk, "a"), true);
      assert.equal(await catalog.commits.hasFolder(pk, "a/b"), true);
      assert.equal(await catalog.commits.hasFolder(pk, "A"), false);
      assert.equal(await catalog.commits.hasFolder(pk, "README.md"), false);
      const bytes = files.reduce((sum, f) => sum + f.size, 0);
      assert.deepEqual(await catalog.commits.countFiles(pk), { files: files.length, bytes });
      const empty = await catalog.commits.insertCommit(r.pk, commit(2));
      assert.deepEqual(await catalog.commits.countFiles(empty), { files: 0, bytes: 0 });
    });

    it("commits: refs are set, moved by compare-and-swap, created once, listed and deleted", async () => {
      const r = await repo("Refs", "repo");
      assert.equal(await catalog.discussions.nextNumber(r.pk), 1);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(1), AT);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(2), "2026-02-01T00:00:00.000Z");
      assert.deepEqual(await catalog.commits.getRef(r.pk, "branch", "main"), {
        ...{ kind: "branch", name: "main", commitOid: oid(2), updatedAt: "2026-02-01T00:00:00.000Z" },
      });
      assert.equal(await catalog.commits.getRef(r.pk, "branch", "Main"), undefined);
      assert.equal(await catalog.commits.moveRef(r.pk, "branch", "main", oid(2), oid(3), AT), true);
      assert.equal(await catalog.commits.moveRef(r.pk, "branch", "main", oid(2), oid(4), AT), false);
      assert.equal((await catalog.commits.getRef(r.pk, "branch", "main"))?.commitOid, oid(3));
      assert.equal(await catalog.commits.insertRef(r.pk, "tag", "v1", oid(1), AT), true);
      assert.equal(await catalog.commits.insertRef(r.pk, "tag", "v1", oid(2), AT), false);
      assert.equal(await catalog.commits.insertRef(r.pk, "branch", "main", oid(2), AT), false);
      for (const number of ["1", "2", "10"]) await catalog.commits.setRef(r.pk, "pr", number, oid(5), AT);
      assert.equal(await catalog.discussions.nextNumber(r.pk), 11);
      assert.deepEqual(
        (await catalog.commits.listRefs(r.pk)).map(
          (ref) => `${ref.kind}:${ref.name}:${ref.commitOid.slice(-1)}`,
        ),
        ["branch:main:3", "pr:1:5", "pr:10:5", "pr:2:5", "tag:v1:1"],
      );
      assert.equal(await catalog.commits.deleteRef(r.pk, "tag", "v1"), true);
      assert.equal(await catalog.commits.deleteRef(r.pk, "tag", "v1"), false);
      assert.equal(await catalog.commits.getRef(r.pk, "tag", "v1"), undefined);
    });

    it("commits: git objects are stored once and come back byte for byte; blobs are registered", async () => {
      const r = await repo("Objects", "repo");
      const body = Buffer.from([0, 1, 2, 255, 254, 0x5c, 0x27, 10, 0]);
      const object = { oid: oid(1), type: "commit" as const, body };
      await catalog.commits.insertGitObjects(r.pk, [object]);
      await catalog.commits.insertGitObjects(r.pk, [{ ...object, body: Buffer.from("other") }]);
      const stored = await catalog.commits.getGitObject(r.pk, oid(1));
      assert.equal(stored?.type, "commit");
      assert.ok(stored && Buffer.from(stored.body).equals(body));
      assert.equal(await catalog.commits.getGitObject(r.pk, oid(2)), undefined);
      const unused = sha(4242);
      await catalog.commits.registerBlob(unused, 100, AT);
      await catalog.commits.registerBlob(unused, 999, AT);
      await catalog.commits.registerBlobs(
        [
          { sha256: sha(2), size: 2 },
          { sha256: sha(2), size: 2 },
          { sha256: unused, size: 1 },
        ],
        AT,
      );
      assert.equal(await catalog.commits.hasBlob(unused), true);
      assert.equal(await catalog.commits.hasBlob(sha(2)), true);
      assert.equal(await catalog.commits.hasBlob(sha(3)), false);
      const registered = await catalog.maintenance.registeredBlobs();
      assert.deepEqual(
        registered.filter((b) => b.sha256 === unused),
        [{ sha256: unused, size: 100, createdAt: AT }],
      );
      const pk = await catalog.commits.insertCommit(r.pk, commit(3));
      assert.equal(await catalog.commits.isBlobReferenced(unused), false);
      await catalog.commits.insertTree(pk, [{ ...file("w.bin", 5), sha256: unused }]);
      assert.equal(await catalog.commits.isBlobReferenced(unused), true);
    });
  });
}
