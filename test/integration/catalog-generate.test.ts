import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateCatalog, syntheticCatalogEntries } from "../../src/hub/catalog/generate-catalog.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const COUNT = 6000;

describe("synthetic catalog generator", () => {
  let catalog: Catalog;
  let remove: () => Promise<void>;
  before(async () => {
    const temp = await makeTempDir();
    remove = temp.remove;
    catalog = await Catalog.open(join(temp.path, "hangar.db"));
    const result = await generateCatalog(catalog, { count: COUNT, seed: 7, batchSize: 1000 });
    assert.deepEqual(result, { inserted: COUNT, seed: 7, skipped: 0 });
  });
  after(async () => {
    await catalog.close();
    await remove();
  });

  it("writes N upstream-only models, each with facts and tags", async () => {
    const db = rawDb(catalog);
    assert.equal(await catalog.repos.count("model"), COUNT);
    assert.equal(
      db.prepare("SELECT COUNT(*) FROM repos WHERE origin = 'upstream' AND sha IS NULL").pluck().get(),
      COUNT,
    );
    assert.equal(await catalog.facts.count(), COUNT);
    assert.equal(db.prepare("SELECT COUNT(DISTINCT repo_pk) FROM repo_tags").pluck().get(), COUNT);
    // The synchronous setting the bulk load lowered is back.
    assert.notEqual(db.pragma("synchronous", { simple: true }), 0);
  });

  it("is deterministic for a seed and different for another", () => {
    const first = [...syntheticCatalogEntries(500, 11)];
    const second = [...syntheticCatalogEntries(500, 11)];
    const other = [...syntheticCatalogEntries(500, 12)];
    assert.deepEqual(first, second);
    assert.notDeepEqual(
      first.map((entry) => entry.id),
      other.map((entry) => entry.id),
    );
    // The same seed gives the same rows in the database.
    const stored = rawDb(catalog)
      .prepare("SELECT namespace || '/' || name FROM repos ORDER BY pk LIMIT 200")
      .pluck()
      .all();
    assert.deepEqual(
      stored,
      [...syntheticCatalogEntries(COUNT, 7)].slice(0, 200).map((entry) => entry.id),
    );
  });

  it("has heavy-tailed downloads: the top 1% of models hold most of them", () => {
    const downloads = rawDb(catalog)
      .prepare("SELECT downloads FROM repos ORDER BY downloads DESC")
      .pluck()
      .all() as number[];
    const total = downloads.reduce((sum, value) => sum + value, 0);
    const top = downloads.slice(0, COUNT / 100).reduce((sum, value) => sum + value, 0);
    assert.ok(top / total > 0.4, `top 1% hold ${((100 * top) / total).toFixed(1)}%`);
    const median = downloads[Math.floor(downloads.length / 2)]!;
    assert.ok(downloads[0]! > 1000 * Math.max(1, median));
    const likes = rawDb(catalog)
      .prepare("SELECT likes FROM repos ORDER BY likes DESC")
      .pluck()
      .all() as number[];
    assert.ok(likes[0]! > 0 && likes[Math.floor(likes.length / 2)]! < likes[0]! / 10);
  });

  it("points every base model at an earlier entry, forming trees", () => {
    const db = rawDb(catalog);
    const dangling = db
      .prepare(
        `SELECT COUNT(*) FROM repo_base_models b JOIN repos child ON child.pk = b.repo_pk
         WHERE NOT EXISTS (SELECT 1 FROM repos parent WHERE parent.namespace || '/' || parent.name = b.base_model AND parent.pk < child.pk)`,
      )
      .pluck()
      .get();
    assert.equal(dangling, 0);
    const derived = db
      .prepare("SELECT COUNT(*) FROM repo_facts WHERE base_relation IS NOT NULL")
      .pluck()
      .get() as number;
    assert.ok(derived > COUNT * 0.2 && derived < COUNT * 0.7, `${derived} derived models`);
    const relations = db
      .prepare("SELECT DISTINCT base_relation FROM repo_facts WHERE base_relation IS NOT NULL")
      .pluck()
      .all();
    assert.deepEqual(new Set(relations), new Set(["finetune", "quantized", "adapter", "merge"]));
    // Grandchildren exist: some bases are themselves derived.
    const depthTwo = db
      .prepare(
        `SELECT COUNT(*) FROM repo_base_models b JOIN repos parent ON parent.namespace || '/' || parent.name = b.base_model
         JOIN repo_facts pf ON pf.repo_pk = parent.pk WHERE pf.base_relation IS NOT NULL`,
      )
      .pluck()
      .get() as number;
    assert.ok(depthTwo > 0);
  });

  it("mixes tasks, libraries, licences and languages", () => {
    const db = rawDb(catalog);
    const distinct = (sql: string) =>
      (db.prepare(sql).pluck().all() as Array<string | null>).filter(Boolean).length;
    assert.ok(distinct("SELECT DISTINCT pipeline_tag FROM repos") >= 15);
    assert.ok(distinct("SELECT DISTINCT library FROM repo_facts") >= 15);
    assert.ok(distinct("SELECT DISTINCT license FROM repo_facts") >= 10);
    assert.ok(distinct("SELECT DISTINCT language FROM repo_languages") >= 10);
    const top = db
      .prepare("SELECT pipeline_tag FROM repos GROUP BY pipeline_tag ORDER BY COUNT(*) DESC LIMIT 1")
      .pluck()
      .get();
    assert.equal(top, "text-generation");
  });
});

describe("hangar dev gen-catalog", () => {
  it("fills a home and reports what it made as JSON", async () => {
    const temp = await makeTempDir();
    try {
      const run = await runCli([
        "dev",
        "gen-catalog",
        "--models",
        "300",
        "--seed",
        "5",
        "--home",
        temp.path,
        "--json",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as { inserted: number; seed: number; models: number };
      assert.equal(report.inserted, 300);
      assert.equal(report.seed, 5);
      assert.equal(report.models, 300);
      const catalog = await Catalog.open(join(temp.path, "hangar.db"));
      try {
        assert.deepEqual(
          rawDb(catalog).prepare("SELECT namespace || '/' || name FROM repos ORDER BY pk").pluck().all(),
          [...syntheticCatalogEntries(300, 5)].map((entry) => entry.id),
        );
      } finally {
        await catalog.close();
      }
    } finally {
      await temp.remove();
    }
  });

  it("refuses a missing or bad --models with a usage error", async () => {
    for (const args of [[], ["--models", "0"], ["--models", "lots"]]) {
      const run = await runCli(["dev", "gen-catalog", ...args, "--home", "/nonexistent/x"]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^hangar dev gen-catalog: --models (is required|must be a positive integer)/);
    }
  });
});
