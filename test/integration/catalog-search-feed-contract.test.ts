// The catalog contract, part: the search feed: the changes, rows and head commit metadata the search index
// reads. Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the other parts are
// the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CommitMetadata } from "../../src/core/types.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, commit, facts, insertRepo, oid } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, search feed: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("search feed: every write to a repo or its facts advances the sequence and is listed", async () => {
      const start = await catalog.searchFeed.currentSequence();
      const stats = await catalog.searchFeed.modelStats();
      const r = await repo("Feed", "model");
      const afterInsert = await catalog.searchFeed.currentSequence();
      await catalog.facts.set(r.pk, facts());
      const afterFacts = await catalog.searchFeed.currentSequence();
      await catalog.repos.addDownloads(r.pk, 3);
      const end = await catalog.searchFeed.currentSequence();
      assert.ok(start < afterInsert && afterInsert < afterFacts && afterFacts < end);
      const changes = await catalog.searchFeed.changesBetween(start, end);
      assert.deepEqual(
        changes.map((change) => change.repoPk),
        changes.map(() => r.pk),
      );
      assert.deepEqual(
        changes.map((change) => change.seq),
        [...changes.map((change) => change.seq)].sort((a, b) => a - b),
      );
      assert.equal(changes.length, end - start);
      assert.deepEqual(await catalog.searchFeed.changesBetween(end, end + 10), []);
      const rows = await catalog.searchFeed.rowsOf([r.pk, 987_654]);
      assert.deepEqual([...rows.keys()], [r.pk]);
      const row = rows.get(r.pk)!;
      assert.deepEqual(
        [row[1], row[2], row[8], row[16], row[17], row[23]],
        ["Feed", "model", 3, "apache-2.0", JSON.stringify(["en", "fr"]), "model"],
      );
      assert.deepEqual(await catalog.searchFeed.modelStats(), { count: stats.count + 1, maxPk: r.pk });
    });

    it("search feed: the head commit's metadata of local models, all of them or by pk", async () => {
      const r = await repo("Heads", "model");
      const metadata = { card: { license: "mit" } } as unknown as CommitMetadata;
      await catalog.commits.insertCommit(r.pk, commit(1));
      await catalog.commits.insertCommit(r.pk, commit(2, [oid(1)], metadata));
      await catalog.repos.updateHead(r.pk, {
        ...{ sha: oid(2), lastModified: AT, usedStorage: 0 },
        ...{ pipelineTag: null, libraryName: null, tags: [] },
      });
      const mine = (rows: Array<{ pk: number; metadata: string }>) =>
        rows.filter((row) => Number(row.pk) === r.pk).map((row) => JSON.parse(row.metadata) as unknown);
      assert.deepEqual(mine(await catalog.searchFeed.headMetadata()), [metadata]);
      assert.deepEqual(mine(await catalog.searchFeed.headMetadata([r.pk])), [metadata]);
      assert.deepEqual(await catalog.searchFeed.headMetadata([]), []);
    });
  });
}
