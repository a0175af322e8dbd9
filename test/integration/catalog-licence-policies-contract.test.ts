// The catalog contract, part: the instance's and the organisations' licence policies. Through the table
// methods only, on every catalog engine (SQLite and PostgreSQL); the other parts are the other
// catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, licence policies: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    it("licence policies: the instance's and an organisation's are stored, read in one call and replaced", async () => {
      const table = catalog.licensePolicies;
      assert.equal(await table.get({ kind: "instance" }), undefined);
      assert.deepEqual(await table.getInstanceAndOrg("Acme"), {});
      const instance = {
        scope: { kind: "instance" as const },
        rules: { enforce: ["pull"], categories: { "non-commercial": "deny" }, licenses: {} },
        updatedAt: AT,
        updatedBy: "admin",
      };
      await table.put(instance);
      const org = {
        scope: { kind: "org" as const, org: "Acme" },
        rules: { enforce: [], categories: {}, licenses: { "gpl-3.0": "review" } },
        updatedAt: AT,
        updatedBy: "alice",
      };
      await table.put(org);
      assert.deepEqual(await table.get({ kind: "instance" }), instance);
      // Organisation names are found whatever the case, as namespaces are.
      assert.deepEqual(await table.getInstanceAndOrg("acme"), { instance, org });
      assert.deepEqual(await table.getInstanceAndOrg("other"), { instance });
      assert.deepEqual(await table.getInstanceAndOrg(undefined), { instance });
      const replaced = {
        ...org,
        rules: { enforce: ["inference"], categories: {}, licenses: {} },
        updatedBy: "bob",
      };
      await table.put(replaced);
      assert.deepEqual(await table.get({ kind: "org", org: "ACME" }), replaced);
      assert.equal(await table.delete({ kind: "org", org: "acme" }), true);
      assert.equal(await table.delete({ kind: "org", org: "acme" }), false);
      assert.deepEqual(await table.getInstanceAndOrg("Acme"), { instance });
    });
  });
}
