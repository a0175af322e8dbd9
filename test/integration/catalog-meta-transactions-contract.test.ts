// The catalog contract, part: the catalog's meta keys and its transactions (rollback, the outer handle
// refused inside, concurrent ref moves). Through the table methods only, on every catalog engine (SQLite and
// PostgreSQL); the other parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog, CatalogTables } from "../../src/store/catalog.ts";
import { OutsideTransactionError } from "../../src/store/sql/sql-database.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, insertRepo, oid } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, meta and transactions: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("meta: set, overwrite, and set only when absent", async () => {
      assert.equal(await catalog.getMeta("contract.key"), undefined);
      await catalog.setMeta("contract.key", "one");
      await catalog.setMeta("contract.key", "two");
      assert.equal(await catalog.getMeta("contract.key"), "two");
      assert.equal(await catalog.setMetaIfAbsent("contract.once", "first"), "first");
      assert.equal(await catalog.setMetaIfAbsent("contract.once", "second"), "first");
      assert.equal(await catalog.getMeta("contract.once"), "first");
    });

    it("transactions: a throw rolls everything back; the catalog's own handle is refused inside", async () => {
      const failure = new Error("boom");
      await assert.rejects(
        catalog.transaction(async (tx: CatalogTables) => {
          await tx.accounts.insertNamespace({
            ...{ name: "Ghost", kind: "user", fullname: "", email: null, isAdmin: false, createdAt: AT },
          });
          await tx.repos.insert({
            type: "model",
            namespace: "Ghost",
            name: "r",
            private: false,
            createdAt: AT,
          });
          await tx.setMeta("contract.ghost", "x");
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.equal(await catalog.accounts.getNamespace("Ghost"), undefined);
      assert.equal(await catalog.repos.get({ type: "model", namespace: "Ghost", name: "r" }), undefined);
      assert.equal(await catalog.getMeta("contract.ghost"), undefined);
      await assert.rejects(
        catalog.transaction(async (tx) => {
          await tx.setMeta("contract.outside", "x");
          await catalog.getMeta("contract.outside");
        }),
        OutsideTransactionError,
      );
      assert.equal(await catalog.getMeta("contract.outside"), undefined);
    });

    it("transactions: of 10 concurrent moves of one ref from the same commit, exactly one wins", async () => {
      const r = await repo("Race", "repo");
      await catalog.commits.setRef(r.pk, "branch", "main", oid(0), AT);
      let from = oid(0);
      for (const round of [1, 2]) {
        const targets = Array.from({ length: 10 }, (_, index) => oid(round * 100 + index));
        const won = await Promise.all(
          targets.map((to) =>
            catalog.transaction((tx) => tx.commits.moveRef(r.pk, "branch", "main", from, to, AT)),
          ),
        );
        assert.equal(won.filter(Boolean).length, 1, `round ${round}`);
        const winner = targets[won.indexOf(true)]!;
        assert.equal((await catalog.commits.getRef(r.pk, "branch", "main"))?.commitOid, winner);
        from = winner;
      }
    });
  });
}
