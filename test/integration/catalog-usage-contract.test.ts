// The catalog contract, part: the usage events inference records, listed and totalled. Through the table
// methods only, on every catalog engine (SQLite and PostgreSQL); the other parts are the other
// catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { usage } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, usage: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    it("usage: events are listed newest first and totalled, with errors counted", async () => {
      await catalog.usage.recordMany([
        usage("Org/Model", "ok", 1),
        usage("Org/Model", "error", 2),
        usage("Other/x", "ok", 3),
      ]);
      assert.deepEqual(await catalog.usage.list({ model: "org/MODEL" }), [
        usage("Org/Model", "error", 2),
        usage("Org/Model", "ok", 1),
      ]);
      assert.equal((await catalog.usage.list({ since: "2026-01-03" })).length, 1);
      assert.deepEqual(await catalog.usage.totals({ model: "ORG/model" }), [
        {
          ...{ model: "Org/Model", task: "fill-mask", requests: 2, errors: 1 },
          ...{ inputUnits: 3, outputUnits: 6, latencyMs: 4.5 },
        },
      ]);
      assert.equal((await catalog.usage.totals()).length, 2);
    });
  });
}
