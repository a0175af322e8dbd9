// The catalog contract, part: evaluation runs, recorded in a transaction and listed. Through the table
// methods only, on every catalog engine (SQLite and PostgreSQL); the other parts are the other
// catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, insertRepo, oid } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, evaluations: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("evaluations: a run recorded in a transaction is read back and filtered", async () => {
      const model = await repo("Eval", "model");
      const dataset = await repo("Eval", "data", { type: "dataset" });
      const run = {
        ...{ modelRepoPk: model.pk, modelCommit: oid(1), datasetRepoPk: dataset.pk, datasetCommit: oid(2) },
        ...{ datasetFile: "test.csv", task: "text-classification", textColumn: "text", labelColumn: "label" },
        ...{ examples: 10, skippedRows: 1, exampleLimit: null, metrics: { accuracy: 0.9, f1_macro: 0.85 } },
        ...{ details: { labels: ["neg", "pos"] }, durationMs: 12.5, createdAt: AT, measuredBy: "hangar" },
        hangarVersion: "1.0.0",
      };
      const first = await catalog.transaction((tx) => tx.evaluations.record(run));
      const second = await catalog.transaction((tx) =>
        tx.evaluations.record({
          ...run,
          task: "other",
          createdAt: "2026-05-01T00:00:00.000Z",
          exampleLimit: 5,
        }),
      );
      assert.deepEqual(first, { ...run, id: first.id, model: "Eval/model", dataset: "Eval/data" });
      assert.deepEqual(await catalog.evaluations.get(second.id), second);
      const ids = async (query: Parameters<typeof catalog.evaluations.list>[0]) =>
        (await catalog.evaluations.list(query)).map((e) => e.id);
      assert.deepEqual(await ids({ modelRepoPk: model.pk }), [second.id, first.id]);
      assert.deepEqual(await ids({ datasetRepoPk: dataset.pk, task: "text-classification" }), [first.id]);
      assert.deepEqual(await ids({ modelRepoPk: dataset.pk }), []);
    });
  });
}
