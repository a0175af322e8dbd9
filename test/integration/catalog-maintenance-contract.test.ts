// The catalog contract, part: what the maintenance checks read: counts, dangling refs, missing parents,
// blobs, and pages of commits and git objects. Through the table methods only, on every catalog engine
// (SQLite and PostgreSQL); the other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CommitMetadata } from "../../src/core/types.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, commit, file, insertRepo, oid, sha } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, maintenance: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("maintenance: counts, dangling refs, missing parents, blobs and pages of commits and objects", async () => {
      const before = await catalog.maintenance.counts();
      const r = await repo("Fsck", "repo");
      const mirrored = { mirror: { commit: oid(2) } } as unknown as CommitMetadata;
      const local = await catalog.commits.insertCommit(r.pk, commit(1, [oid(99)]));
      const pulled = await catalog.commits.insertCommit(r.pk, commit(2, [oid(1)], mirrored));
      await catalog.commits.insertTree(local, [file("a", 31), file("b", 31)]);
      await catalog.commits.setRef(r.pk, "branch", "main", oid(2), AT);
      await catalog.commits.setRef(r.pk, "tag", "gone", oid(50), AT);
      await catalog.commits.insertGitObjects(r.pk, [
        { oid: oid(3), type: "tree", body: Buffer.from("tree") },
      ]);
      await catalog.commits.registerBlob(sha(31), 310, AT);
      assert.deepEqual(await catalog.maintenance.counts(), {
        ...{ repos: before.repos + 1, refs: before.refs + 2, commits: before.commits + 2 },
        ...{ treeEntries: before.treeEntries + 2, gitObjects: before.gitObjects + 1 },
        registeredBlobs: before.registeredBlobs + 1,
      });
      const here = <T extends { namespace: string }>(rows: T[]) => rows.filter((x) => x.namespace === "Fsck");
      assert.deepEqual(here(await catalog.maintenance.danglingRefs()), [
        { repoType: "model", namespace: "Fsck", name: "repo", kind: "tag", ref: "gone", commitOid: oid(50) },
      ]);
      assert.deepEqual(here(await catalog.maintenance.missingParents()), [
        { repoType: "model", namespace: "Fsck", name: "repo", commitOid: oid(1), parentOid: oid(99) },
      ]);
      const referenced = (await catalog.maintenance.referencedBlobs()).filter((b) => b.sha256 === sha(31));
      assert.deepEqual(referenced, [{ sha256: sha(31), size: 310, lfs: false, gitOid: oid(31), entries: 2 }]);
      assert.ok((await catalog.maintenance.registeredBlobs()).some((b) => b.sha256 === sha(31)));
      const commits = here(await catalog.maintenance.commitsAfter(local - 1, 1000));
      assert.deepEqual(
        commits.map((c) => [c.pk, c.repoPk, c.oid, c.parents, c.mirrored]),
        [
          [local, r.pk, oid(1), [oid(99)], false],
          [pulled, r.pk, oid(2), [oid(1)], true],
        ],
      );
      assert.deepEqual(
        (await catalog.maintenance.commitsAfter(local, 1)).map((c) => c.pk),
        [pulled],
      );
      const objects = here(await catalog.maintenance.gitObjectsAfter(0, 1000));
      assert.equal(objects.length, 1);
      assert.deepEqual([objects[0]!.oid, objects[0]!.type, objects[0]!.name], [oid(3), "tree", "repo"]);
      assert.ok(Buffer.from(objects[0]!.body).equals(Buffer.from("tree")));
      assert.deepEqual(await catalog.maintenance.gitObjectsAfter(objects[0]!.pk, 1000), []);
    });
  });
}
