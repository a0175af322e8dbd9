// compare on latency Hangar measured: labelled so and used only when every model was measured, priced at
// the CPU that measured it (identified in the SKUS table), or at a provider's price when one is given.
import assert from "node:assert/strict";
import { cpus } from "node:os";
import { after, before, describe, it } from "node:test";
import { SKUS } from "@huggingface/tasks";
import { compareModels } from "../../src/discovery/compare/compare-models.ts";
import { identifyCpu, localCpu } from "../../src/discovery/compare/hardware.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { BASE, DISTIL, TINY } from "../helpers/compare.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("compare: latency Hangar measured for QA models of the catalog snapshot, and its price", () => {
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
  });
  after(() => t.close());

  it("uses latency Hangar measured, labelled so, when it measured every model", async () => {
    const at = new Date().toISOString();
    const event = (model: string, latencyMs: number) => ({
      at,
      model,
      revision: null,
      task: "question-answering",
      api: "task",
      caller: null,
      inputUnits: 10,
      outputUnits: 2,
      unit: "tokens" as const,
      outputUnit: "answers",
      inputBytes: 40,
      outputBytes: 20,
      latencyMs,
      status: 200,
      outcome: "ok",
      errorCode: null,
      batchSize: 1,
    });
    // The larger model measured faster: the measurement, not the estimate, must decide.
    await t.hangar.catalog.usage.recordMany([
      event(BASE, 10),
      event(BASE, 20),
      event(TINY, 40),
      event(TINY, 50),
      { ...event(TINY, 1), outcome: "error", status: 500 },
    ]);
    const result = await compareModels(t.hangar, localAdministrator(), { models: [BASE, TINY] });
    assert.equal(result.speedBasis, "measured");
    assert.equal(result.models[0]!.speed.latencyMs, 15);
    assert.equal(result.models[1]!.speed.latencyMs, 45);
    assert.equal(result.models[0]!.measuredLatency?.requests, 2);
    assert.equal(result.decision.bestForSpeed?.id, BASE);
    assert.match(result.decision.bestForSpeed!.reason, /measured by Hangar/);
    // One model without measurements: every model falls back to the same estimated basis.
    const mixed = await compareModels(t.hangar, localAdministrator(), { models: [BASE, DISTIL] });
    assert.equal(mixed.speedBasis, "estimated");
    assert.ok(mixed.models[0]!.measuredLatency !== null, "mixed.models[0]!.measuredLatency !== null");
  });

  it("prices latency measured here at this machine's CPU, whatever hardware the criteria name", async () => {
    // BASE and TINY were measured by the test above; DISTIL never ran.
    const machine = localCpu();
    assert.equal(machine.model, cpus()[0]!.model.trim());
    // The ownership price of the CPU it is priced as, from the SKUS table itself.
    const devices = [...Object.values(SKUS.CPU), ...Object.values(SKUS["Apple Silicon"])] as Array<
      Record<string, { msrp: number; power: number }>
    >;
    const sku = devices
      .flatMap((models) => Object.entries(models))
      .find(([name]) => name === machine.pricedAs.name)![1];
    const usdPerHour = sku.msrp / (3 * 365 * 24) + (sku.power / 1000) * 0.15;
    for (const hardware of [undefined, "T4", "A100"]) {
      const result = await compareModels(t.hangar, localAdministrator(), {
        models: [BASE, TINY],
        criteria: hardware ? { hardware } : {},
      });
      assert.equal(result.speedBasis, "measured");
      for (const model of result.models) {
        const expected = (usdPerHour * model.speed.latencyMs!) / 3600;
        assert.ok(
          Math.abs(model.cost.per1kRequestsUsd! - expected) < 1e-12,
          `${model.id} on ${hardware}: ${model.cost.per1kRequestsUsd} vs ${expected}`,
        );
        assert.match(model.cost.note, /^latency measured on this machine \(/);
      }
      assert.deepEqual(result.criteria.measuredOn, {
        cpu: machine.model,
        cores: cpus().length,
        pricedAs: machine.pricedAs.name,
        identified: machine.identified !== null,
      });
      assert.match(result.criteria.price.note, /^latency measured on this machine/);
      assert.ok(
        result.assumptions.some((line) =>
          line.startsWith(
            `cost of measured latency = the hourly price of the machine that measured it, not of ${result.criteria.hardware.name}`,
          ),
        ),
        result.assumptions.join("\n"),
      );
    }
    // A price given is used for the machine that measured, and said so.
    const given = await compareModels(t.hangar, localAdministrator(), {
      models: [BASE, TINY],
      criteria: { pricePerHour: 3.6 },
    });
    for (const model of given.models) {
      assert.ok(Math.abs(model.cost.per1kRequestsUsd! - model.speed.latencyMs! / 1000) < 1e-12);
      assert.match(model.cost.note, /^latency measured on this machine .*: given: \$3\.6\/hour$/);
    }
    // Estimated latency is still priced at the hardware it is estimated on.
    const estimated = await compareModels(t.hangar, localAdministrator(), { models: [BASE, DISTIL] });
    assert.equal(estimated.speedBasis, "estimated");
    assert.equal(estimated.criteria.measuredOn, null);
    assert.match(estimated.models[0]!.cost.note, /^owning a T4/);
  });

  it("identifies a CPU in the SKUS table from the name the OS reports, or says it cannot", () => {
    const cases: Array<[string, string | null]> = [
      ["AMD EPYC 7B13", "EPYC 3th Generation Zen 3 (Milan)"],
      ["AMD EPYC 9654 96-Core Processor", "EPYC 4th Generation Zen 4 (Genoa)"],
      ["Intel(R) Xeon(R) Platinum 8480+", "Xeon 4th Generation (Sapphire Rapids)"],
      ["Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "Xeon 3th Generation (Ice Lake)"],
      ["Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", "Xeon E5v4 (Broadwell)"],
      ["Intel(R) Core(TM) i7-10750H CPU @ 2.60GHz", "Intel Core 10th Generation (i7)"],
      ["13th Gen Intel(R) Core(TM) i9-13900K", "Intel Core 13th Generation (i9)"],
      ["AMD Ryzen 9 7950X 16-Core Processor", "Ryzen Zen 4 7000 (Ryzen 9)"],
      ["AMD Ryzen Threadripper PRO 5995WX 64-Cores", "Ryzen Threadripper Zen 3 5000 (Chagall)"],
      ["Apple M2 Max", "Apple M2 Max"],
      // A virtual machine's generic name, a generation the table lacks, an emulator.
      ["AMD EPYC", null],
      ["Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", null],
      ["QEMU Virtual CPU version 2.5+", null],
    ];
    for (const [model, expected] of cases) assert.equal(identifyCpu(model)?.name ?? null, expected, model);
  });

  it("prices requests at a provider's price when one is given", async () => {
    const result = await compareModels(t.hangar, localAdministrator(), {
      // DISTIL has no measurements, so both are compared on estimates (the test above measured TINY).
      models: [TINY, DISTIL],
      criteria: { provider: { name: "acme", pricePerMillionTokens: 2 }, tokensPerRequest: 500 },
    });
    for (const model of result.models) {
      assert.equal(model.cost.basis, "provider-price");
      assert.equal(model.cost.per1kRequestsUsd, 1);
    }
    // Equal prices: the faster (smaller) model is the better buy.
    assert.equal(result.decision.bestForCost?.id, DISTIL);
  });
});
