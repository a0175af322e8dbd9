// compare on local repos next to catalog entries: files, storage and the latency Hangar measured for them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compareModels } from "../../src/discovery/compare/compare-models.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

describe("compare: local repos with files next to catalog entries, with latency Hangar measured", () => {
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
    await importTinyModels(t.hangar, ["tests/tiny-sentiment", "tests/tiny-ner"]);
    // Real requests through the local runtime: its metering is what compare reads as "measured".
    for (const text of ["a great film", "an awful film", "good"]) {
      await t.hangar.inference.run({
        caller: localAdministrator(),
        model: "tests/tiny-sentiment",
        task: "text-classification",
        inputs: text,
        parameters: {},
        api: "library",
      });
      await t.hangar.inference.run({
        caller: localAdministrator(),
        model: "tests/tiny-ner",
        task: "token-classification",
        inputs: `Alice lives in Paris and says ${text}`,
        parameters: {},
        api: "library",
      });
    }
    await t.hangar.inference.flushUsage();
  });
  after(() => t.close());

  it("reads files, storage and measured latency for local repos, and facts for catalog entries", async () => {
    const result = await compareModels(t.hangar, localAdministrator(), {
      models: ["tests/tiny-sentiment", "distilbert/distilbert-base-uncased-finetuned-sst-2-english"],
      criteria: { task: "text-classification" },
    });
    const [local, catalog] = result.models;
    assert.equal(local!.origin, "local");
    assert.ok(local!.storageBytes !== null && local!.storageBytes > 0, "local storage is known");
    assert.equal(local!.taskFit, true);
    assert.equal(local!.measuredLatency?.requests, 3);
    assert.equal(catalog!.origin, "upstream");
    assert.equal(catalog!.storageBytes, null);
    assert.equal(catalog!.measuredLatency, null);
    // Only one of them was measured: both are compared on estimates.
    assert.equal(result.speedBasis, "estimated");
  });

  it("compares on measured latency when every model ran here", async () => {
    const usage = await t.hangar.catalog.usage.list({ model: "tests/tiny-ner" });
    const mean = usage.reduce((total, event) => total + event.latencyMs, 0) / usage.length;
    const result = await compareModels(t.hangar, localAdministrator(), {
      models: ["tests/tiny-sentiment", "tests/tiny-ner"],
    });
    assert.equal(result.speedBasis, "measured");
    const ner = result.models[1]!;
    assert.equal(ner.speed.basis, "measured");
    assert.ok(Math.abs(ner.speed.latencyMs! - mean) < 1e-9, "mean of the metered requests");
    assert.match(result.decision.bestForSpeed!.reason, /measured by Hangar/);
  });
});
