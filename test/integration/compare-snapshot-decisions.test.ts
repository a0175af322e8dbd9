// compare's decision on models of the catalog snapshot: best for speed, cost and quality (or undecided, and
// why), weights, determinism, hardware fit, with the facts and estimates it decides on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { SKUS } from "@huggingface/tasks";
import { compareModels } from "../../src/discovery/compare/compare-models.ts";
import { REQUEST_OVERHEAD } from "../../src/discovery/compare/estimate-performance.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../../src/hub/catalog/import-snapshot.ts";
import { BASE, BERT_FAMILY, BIG_LLM, DISTIL, TINY } from "../helpers/compare.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

// Expectations come from the snapshot file itself, not through Hangar.
const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const entry = (id: string) => {
  const found = snapshot.models.find((model) => model.id === id);
  assert.ok(found, `${id} is in the snapshot`);
  return found;
};
const f1 = (id: string) =>
  entry(id).evalResults?.find((result) => result.dataset === "squad_v2" && result.metric === "f1")?.value;

describe("compare: three BERT-family QA models from the catalog snapshot", () => {
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
  });
  after(() => t.close());

  it("the smallest is best for speed and cost; quality is undecided while one model has no score on the basis", async () => {
    const sizes = BERT_FAMILY.map((id) => entry(id).parameters!);
    const smallest = BERT_FAMILY[sizes.indexOf(Math.min(...sizes))]!;
    assert.equal(smallest, DISTIL);
    const scored = BERT_FAMILY.filter((id) => f1(id) !== undefined);
    assert.deepEqual(scored, [BASE, TINY], "DISTIL reports f1 on squad (v1), not on squad_v2");
    const bestScore = scored.reduce((best, id) => (f1(id)! > f1(best)! ? id : best));

    const result = await compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY });
    assert.equal(result.decision.bestForSpeed?.id, smallest);
    assert.equal(result.decision.bestForCost?.id, smallest);
    assert.deepEqual(result.quality && [result.quality.dataset, result.quality.metric], ["squad_v2", "f1"]);
    // No model is best over one whose score is unknown: the leader among the scored ones is named, no pick made.
    assert.equal(result.decision.bestForQuality, null);
    assert.equal(
      result.decision.undecided.quality,
      `unknown: among the models scored on squad_v2 f1, ${bestScore} leads with ${f1(bestScore)!.toFixed(2)}; ` +
        `${DISTIL} reports no squad_v2 f1 (its card reports f1 87.1 on squad), and scores on different test sets do not compare`,
    );
    assert.equal(result.decision.bestOverall, null);
    assert.equal(
      result.decision.undecided.overall,
      `unknown: quality (weight 1) for ${DISTIL} is not known; to decide on speed and cost alone, weigh only them (weights speed=1,cost=1)`,
    );
    assert.ok(result.models.every((model) => model.scores.overall === null && model.scores.quality === null));
    // Between the two models scored on squad_v2, the better score is best for quality.
    const pair = await compareModels(t.hangar, localAdministrator(), { models: [BASE, TINY] });
    assert.equal(pair.decision.bestForQuality?.id, bestScore);
    assert.match(
      pair.decision.bestForQuality!.reason,
      new RegExp(`${f1(bestScore)!.toFixed(2)} f1 on squad_v2`),
    );
    assert.match(result.decision.bestForSpeed!.reason, /estimated on T4/);
    assert.equal(result.speedBasis, "estimated");
    assert.equal(result.criteria.hardware.assumed, true);

    // Every column carries the facts of the snapshot.
    for (const model of result.models) {
      const source = entry(model.id);
      assert.equal(model.parameters, source.parameters);
      assert.equal(model.license, source.license);
      assert.equal(model.commercialUse, "yes");
      assert.equal(model.memory.F16, Math.ceil(source.parameters! * 2 * 1.2));
      assert.equal(model.hardwareFit.fits, true);
      assert.equal(model.speed.basis, "estimated");
    }
    // Latency = the fixed costs of a request + 2 × parameters × tokens / (TFLOPS × 0.3), from the constants.
    const t4 = SKUS.GPU.NVIDIA.T4!.tflops;
    const fixedMs =
      REQUEST_OVERHEAD.httpMs +
      REQUEST_OVERHEAD.tokenizeMsPerToken * 128 +
      REQUEST_OVERHEAD.forwardPassMs.GPU;
    for (const model of result.models) {
      const computeMs = ((2 * model.parameters! * 128) / (t4 * 1e12 * 0.3)) * 1000;
      assert.ok(Math.abs(model.speed.latencyMs! - (fixedMs + computeMs)) < 1e-9, model.id);
      assert.equal(model.speed.overheadMs, fixedMs);
    }
    const [base, tiny] = result.models;
    assert.ok(
      Math.abs(
        (base!.speed.latencyMs! - fixedMs) / (tiny!.speed.latencyMs! - fixedMs) - sizes[0]! / sizes[1]!,
      ) < 1e-9,
      "the model-dependent part scales with the size",
    );

    const deltas = result.pairwise.find((p) => p.a === BASE && p.b === TINY)!;
    assert.ok(
      Math.abs(deltas.parametersRatio! - sizes[0]! / sizes[1]!) < 1e-9,
      "Math.abs(deltas.parametersRatio! - sizes[0]! / sizes[1]!) < 1e-9",
    );
    const delta = deltas.metricDeltas.find((d) => d.dataset === "squad_v2" && d.metric === "f1")!;
    assert.ok(
      Math.abs(delta.delta - (f1(BASE)! - f1(TINY)!)) < 1e-9,
      "Math.abs(delta.delta - (f1(BASE)! - f1(TINY)!)) < 1e-9",
    );
    assert.ok(
      deltas.lines.some((line) => line.includes("points better") && line.startsWith(BASE)),
      'deltas.lines.some((line) => line.includes("points better") && line.startsWith(BASE',
    );

    // The trade-off between the quality pick and the faster one, in numbers.
    const tradeOff = pair.decision.tradeOffs.find((line) => line.startsWith(TINY))!;
    assert.match(tradeOff, /faster/);
    assert.match(
      tradeOff,
      new RegExp(`scores ${(f1(BASE)! - f1(TINY)!).toFixed(2)} points lower on squad_v2 f1`),
    );
  });

  it("weights flip the overall winner; a weighed criterion unknown for one model leaves it undecided", async () => {
    const compare = async (models: string[], weights: Record<string, number>) =>
      (await compareModels(t.hangar, localAdministrator(), { models, criteria: { weights } })).decision
        .bestOverall?.id ?? null;
    assert.equal(await compare([BASE, TINY], { quality: 5, speed: 1 }), BASE);
    assert.equal(await compare([BASE, TINY], { speed: 5, quality: 1 }), TINY);
    assert.equal(await compare([BASE, TINY], { cost: 1 }), TINY);
    assert.equal(await compare([BASE, TINY], { quality: 1 }), BASE);
    // DISTIL has no squad_v2 score: any weight on quality leaves the three undecided; without, they rank.
    assert.equal(await compare(BERT_FAMILY, { quality: 5, speed: 1 }), null);
    assert.equal(await compare(BERT_FAMILY, { speed: 5, cost: 1 }), DISTIL);
  });

  it("is deterministic: the same question gives the same answer", async () => {
    const criteria = { hardware: "A10", weights: { speed: 1, quality: 2, cost: 1 }, requestsPerMonth: 1e6 };
    const first = await compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY, criteria });
    const second = await compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY, criteria });
    assert.deepEqual(first, second);
    assert.equal(first.criteria.hardware.name, "A10");
    for (const model of first.models) {
      assert.ok(
        Math.abs(model.cost.perMonthUsd! - model.cost.per1kRequestsUsd! * 1000) < 1e-12,
        "Math.abs(model.cost.perMonthUsd! - model.cost.per1kRequestsUsd! * 1000) < 1e-12",
      );
    }
  });

  it("judges hardware fit: a 70B model does not fit a T4 at F16 and is not picked", async () => {
    const result = await compareModels(t.hangar, localAdministrator(), {
      models: [BIG_LLM, "HuggingFaceTB/SmolLM2-1.7B-Instruct"],
      criteria: { task: "text-generation" },
    });
    const big = result.models[0]!;
    assert.equal(big.hardwareFit.fits, false);
    assert.equal(big.eligible, false);
    assert.ok(
      big.notes.some((note) => note.includes("more than the")),
      'big.notes.some((note) => note.includes("more than the"))',
    );
    assert.equal(result.decision.bestOverall?.id, "HuggingFaceTB/SmolLM2-1.7B-Instruct");
    assert.equal(result.models[1]!.taskFit, true);
    // With INT4 on an A100 it fits.
    const quantised = await compareModels(t.hangar, localAdministrator(), {
      models: [BIG_LLM, "HuggingFaceTB/SmolLM2-1.7B-Instruct"],
      criteria: { hardware: "A100", dtype: "INT4" },
    });
    assert.equal(quantised.models[0]!.hardwareFit.fits, true);
  });
});
