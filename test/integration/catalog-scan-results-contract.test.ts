// The catalog contract, part: scan results per blob and rules version, the blobs waiting for a scan, and each
// repo's scan status. Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the
// other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, commit, file, insertRepo, oid, sha } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, scan results: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("scan results: stored per blob and rules version, pending blobs found, repo status set once", async () => {
      const r = await repo("Scan", "repo");
      const [a, b, c] = [sha(7001), sha(7002), sha(7003)];
      await catalog.commits.registerBlobs(
        [
          { sha256: a, size: 1 },
          { sha256: b, size: 2 },
          { sha256: c, size: 3 },
        ],
        AT,
      );
      const pk = await catalog.commits.insertCommit(r.pk, commit(7001));
      // c is registered but no commit references it: nothing to scan yet.
      await catalog.commits.insertTree(pk, [
        { ...file("model.bin", 7001), sha256: a },
        { ...file("sub/x.onnx", 7002), sha256: b },
      ]);
      await catalog.repos.updateHead(r.pk, {
        sha: oid(7001),
        lastModified: AT,
        pipelineTag: null,
        libraryName: null,
        tags: [],
        usedStorage: 3,
      });
      const ours = <T extends { sha256: string }>(rows: T[]) =>
        rows.filter((row) => [a, b, c].includes(row.sha256));
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v1")).map((row) => [row.sha256, row.path, row.commitPk]),
        [
          [a, "model.bin", pk],
          [b, "sub/x.onnx", pk],
        ],
      );
      const findings = [
        { rule: "pickle.import.denied", severity: "unsafe", message: "os.system", offset: 3 },
      ];
      await catalog.scanResults.put({
        sha256: a,
        rulesVersion: "v1",
        format: "pickle",
        verdict: "suspicious",
        findings: [],
        scannedAt: AT,
      });
      const stored = {
        sha256: a,
        rulesVersion: "v1",
        format: "pickle",
        verdict: "unsafe" as const,
        findings,
        scannedAt: AT,
      };
      await catalog.scanResults.put(stored);
      assert.deepEqual(await catalog.scanResults.get(a, "v1"), stored);
      assert.equal(await catalog.scanResults.get(a, "v2"), undefined);
      assert.deepEqual([...(await catalog.scanResults.getMany([a, b, a], "v1")).keys()], [a]);
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v1")).map((row) => row.sha256),
        [b],
      );
      assert.deepEqual(ours(await catalog.scanResults.pending("v1", { after: b })), []);
      assert.deepEqual(
        ours(await catalog.scanResults.pending("v2")).map((row) => row.sha256),
        [a, b],
      );
      const files = await catalog.scanResults.filesOf(pk, "v1");
      assert.deepEqual(files, [
        { path: "model.bin", sha256: a, result: stored },
        { path: "sub/x.onnx", sha256: b },
      ]);
      assert.deepEqual(await catalog.scanResults.reposWithHeadBlob(b), [{ repoPk: r.pk, commitPk: pk }]);
      assert.deepEqual(await catalog.scanResults.headOf(r.pk), { commitPk: pk });
      assert.equal(await catalog.scanResults.repoStatus(r.pk), null);
      const before = await catalog.searchFeed.currentSequence();
      await catalog.scanResults.setRepoStatus(r.pk, "unsafe");
      const afterSet = await catalog.searchFeed.currentSequence();
      assert.ok(afterSet > before, "a status change reaches the search feed");
      await catalog.scanResults.setRepoStatus(r.pk, "unsafe");
      assert.equal(
        await catalog.searchFeed.currentSequence(),
        afterSet,
        "an unchanged status writes nothing",
      );
      assert.equal(await catalog.scanResults.repoStatus(r.pk), "unsafe");
      assert.ok((await catalog.scanResults.repoHeads(0, 10_000)).some((head) => head.repoPk === r.pk));
      await catalog.scanResults.put({ ...stored, rulesVersion: "v2" });
      assert.ok((await catalog.scanResults.dropOtherVersions("v2")) >= 1);
      assert.equal(await catalog.scanResults.get(a, "v1"), undefined);
      assert.deepEqual(
        (await catalog.scanResults.countByVersion()).map((row) => [row.rulesVersion, Number(row.count)]),
        [["v2", 1]],
      );
    });
  });
}
