// The catalog contract, part: a repo's facts, and the upstream writer that inserts and updates upstream
// models' facts. Through the table methods only, on every catalog engine (SQLite and PostgreSQL); the other
// parts are the other catalog-*-contract.test.ts files.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { UpstreamModelEntry } from "../../src/core/catalog-types.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { CATALOG_ENGINES } from "../helpers/catalog-engines.ts";
import { AT, facts, insertRepo } from "../helpers/catalog-rows.ts";

for (const engine of CATALOG_ENGINES) {
  describe(`catalog contract, facts: ${engine.name}`, () => {
    let catalog: Catalog;
    let dispose: () => Promise<void>;
    before(async () => ({ catalog, dispose } = await engine.open()));
    after(() => dispose());

    const repo = (namespace: string, name: string, more?: Parameters<typeof insertRepo>[3]) =>
      insertRepo(catalog, namespace, name, more);

    it("facts: round trip with lists; the upstream writer inserts, updates and keeps local repos", async () => {
      const r = await repo("Facts", "model");
      await catalog.facts.set(r.pk, facts());
      assert.deepEqual(await catalog.facts.get(r.pk), facts());
      const changed = facts({
        languages: [],
        baseModels: ["a/b", "c/d"],
        description: null,
        parameters: null,
      });
      await catalog.facts.set(r.pk, changed);
      assert.deepEqual(await catalog.facts.get(r.pk), changed);
      const entry: UpstreamModelEntry = {
        ...facts({ pipelineTag: "fill-mask" }),
        ...{ id: "Up/stream", downloads: 5, likes: 1, gated: false, createdAt: AT, lastModified: AT },
      };
      const outcomes = await catalog.transaction(async (tx) => {
        const writer = tx.facts.prepareUpstreamWriter();
        return [
          await writer.write(entry),
          await writer.write({ ...entry, id: "up/STREAM", downloads: 50, gated: "auto", license: "mit" }),
          await writer.write({ ...entry, id: "facts/MODEL" }),
        ];
      });
      assert.deepEqual(outcomes, ["inserted", "updated", "kept-local"]);
      const upstream = (await catalog.repos.get({ type: "model", namespace: "up", name: "stream" }))!;
      assert.deepEqual(
        [upstream.id, upstream.origin, upstream.downloads, upstream.gated],
        ["Up/stream", "upstream", 50, "auto"],
      );
      assert.ok(upstream.tags.includes("license:mit") && upstream.tags.includes("fill-mask"));
      assert.equal((await catalog.facts.get(upstream.pk))?.license, "mit");
      assert.deepEqual(await catalog.facts.get(r.pk), changed);
    });

    it("facts: the upstream writer's writeMany inserts in bulk, updates, keeps local repos, as write does", async () => {
      await repo("Bulk", "model");
      const entry = (id: string, downloads: number): UpstreamModelEntry => ({
        ...facts({ pipelineTag: "fill-mask", languages: ["en", "fr"], baseModels: ["a/b"] }),
        ...{ id, downloads, likes: 0, gated: false, createdAt: AT, lastModified: AT },
      });
      // More entries than one multi-row statement takes, so the bulk path crosses its chunks.
      const many = Array.from({ length: 1203 }, (_, index) => entry(`many/m-${index}`, index));
      await catalog.transaction((tx) => tx.facts.prepareUpstreamWriter().write(entry("Old/one", 1)));
      const outcomes = await catalog.transaction((tx) =>
        tx.facts
          .prepareUpstreamWriter()
          .writeMany([...many, entry("old/ONE", 7), entry("bulk/MODEL", 9), entry("MANY/m-0", 70)]),
      );
      assert.deepEqual(outcomes.slice(-3), ["updated", "kept-local", "updated"]);
      assert.ok(outcomes.slice(0, -3).every((outcome) => outcome === "inserted"));
      const last = (await catalog.repos.get({ type: "model", namespace: "many", name: "m-1202" }))!;
      assert.deepEqual([last.origin, last.downloads, last.pipelineTag], ["upstream", 1202, "fill-mask"]);
      assert.ok(last.tags.includes("base_model:a/b") && last.tags.includes("fr"));
      assert.deepEqual((await catalog.facts.get(last.pk))?.languages, ["en", "fr"]);
      const first = (await catalog.repos.get({ type: "model", namespace: "many", name: "m-0" }))!;
      assert.equal(first.downloads, 70);
      const old = (await catalog.repos.get({ type: "model", namespace: "old", name: "one" }))!;
      assert.deepEqual([old.id, old.downloads], ["Old/one", 7]);
      const local = (await catalog.repos.get({ type: "model", namespace: "bulk", name: "model" }))!;
      assert.equal(local.origin === "upstream" && local.sha === null, false);
    });
  });
}
