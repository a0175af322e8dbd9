import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { after, before, describe, it } from "node:test";
import { SKUS } from "@huggingface/tasks";
import { compareModels } from "../../src/discovery/compare/compare-models.ts";
import { REQUEST_OVERHEAD } from "../../src/discovery/compare/estimate-performance.ts";
import { identifyCpu, localCpu } from "../../src/discovery/compare/hardware.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

// Expectations come from the snapshot file itself, not through Hangar.
const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const entry = (id: string) => {
  const found = snapshot.models.find((model) => model.id === id);
  assert.ok(found, `${id} is in the snapshot`);
  return found;
};
const f1 = (id: string) =>
  entry(id).evalResults?.find((result) => result.dataset === "squad_v2" && result.metric === "f1")?.value;

const BASE = "deepset/roberta-base-squad2";
const TINY = "deepset/tinyroberta-squad2";
const DISTIL = "distilbert/distilbert-base-cased-distilled-squad";
const BERT_FAMILY = [BASE, TINY, DISTIL];
const BIG_LLM = "meta-llama/Llama-3.1-70B-Instruct";

async function postCompare(url: string, body: unknown, token?: string) {
  const response = await fetch(`${url}/v1/compare`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

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

  it("POST /v1/compare answers the matrix over HTTP", async () => {
    const { response, json } = await postCompare(t.url, {
      models: BERT_FAMILY,
      criteria: { task: "question-answering", hardware: "cpu", weights: { quality: 3, speed: 1 } },
    });
    assert.equal(response.status, 200);
    const decision = json.decision as Record<string, { id: string; reason: string } | null> & {
      undecided: Record<string, string>;
    };
    assert.equal(decision.bestForQuality, null);
    assert.equal(decision.bestOverall, null);
    assert.match(decision.undecided.overall!, /^unknown: quality \(weight 3\) for distilbert/);
    const pair = await postCompare(t.url, {
      models: [BASE, TINY],
      criteria: { task: "question-answering", hardware: "cpu", weights: { quality: 3, speed: 1 } },
    });
    const pairDecision = pair.json.decision as Record<string, { id: string } | null>;
    assert.equal(pairDecision.bestForQuality?.id, BASE);
    assert.equal(pairDecision.bestOverall?.id, BASE);
    assert.equal((json.criteria as { dtype: string }).dtype, "F32");
    const models = json.models as Array<{ id: string; taskFit: boolean }>;
    assert.deepEqual(
      models.map((model) => [model.id, model.taskFit]),
      BERT_FAMILY.map((id) => [id, true]),
    );
    assert.ok(
      Array.isArray(json.assumptions) && (json.assumptions as string[]).some((a) => a.includes("2 ×")),
    );
  });

  it("bad input: unknown models named, fewer than 2, unknown weights and fields, bad values", async () => {
    const unknown = await postCompare(t.url, { models: [BASE, "nobody/nothing", "ghost/model"] });
    assert.equal(unknown.response.status, 404);
    assert.equal(unknown.response.headers.get("x-error-code"), "RepoNotFound");
    assert.match(String(unknown.json.error), /nobody\/nothing, ghost\/model/);
    assert.deepEqual(unknown.json.unknownModels, ["nobody/nothing", "ghost/model"]);

    const one = await postCompare(t.url, { models: [BASE] });
    assert.equal(one.response.status, 400);
    assert.match(String(one.json.error), /at least 2 models/);

    const weights = await postCompare(t.url, { models: [BASE, TINY], criteria: { weights: { speeed: 1 } } });
    assert.equal(weights.response.status, 400);
    assert.match(
      String(weights.json.error),
      /Unknown weight "speeed": valid weights are speed, quality, cost, size/,
    );

    const field = await postCompare(t.url, { models: [BASE, TINY], criteria: { budget: 3 } });
    assert.equal(field.response.status, 400);
    assert.match(String(field.json.error), /"budget".*valid fields are task, hardware/);

    for (const [criteria, message] of [
      [{ hardware: "potato" }, /Unknown hardware "potato"/],
      [{ task: "make-coffee" }, /Unknown task "make-coffee"/],
      [{ dtype: "F8" }, /valid dtypes are F32, F16, INT8, INT4/],
      [{ weights: { speed: -1 } }, /must be a number ≥ 0/],
      [{ pricePerHour: 0 }, /pricePerHour must be a number above 0/],
      [{ provider: { name: "acme" } }, /no provider price list/],
    ] as const) {
      const answer = await postCompare(t.url, { models: [BASE, TINY], criteria });
      assert.equal(answer.response.status, 400, JSON.stringify(criteria));
      assert.match(String(answer.json.error), message);
    }
    const duplicate = await postCompare(t.url, { models: [BASE, BASE.toUpperCase()] });
    assert.equal(duplicate.response.status, 400);
    const notJson = await fetch(`${t.url}/v1/compare`, { method: "POST", body: "{models" });
    assert.equal(notJson.status, 400);
  });

  it("hides private models from callers who cannot read them, and names them as unknown", async () => {
    const token = await t.addUser("alice");
    const created = await fetch(`${t.url}/api/repos/create`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "secret-qa", organization: "alice", private: true, type: "model" }),
    });
    assert.equal(created.status, 200);
    const anonymous = await postCompare(t.url, { models: [BASE, "alice/secret-qa"] });
    assert.equal(anonymous.response.status, 404);
    assert.match(String(anonymous.json.error), /alice\/secret-qa/);
    const owner = await postCompare(t.url, { models: [BASE, "alice/secret-qa"] }, token);
    assert.equal(owner.response.status, 200);
  });

  it("hangar compare prints a table with a column per model and the decision lines, or --json", async () => {
    // Separate processes on the same home, run side by side.
    const [table, json, badWeight, missing, single] = await Promise.all([
      runCli(["compare", ...BERT_FAMILY, "--home", t.home, "--weights", "quality=5,speed=1"]),
      runCli(["compare", BASE, TINY, "--home", t.home, "--json", "--hardware", "RTX 4090"]),
      runCli(["compare", BASE, TINY, "--home", t.home, "--weights", "fast=2"]),
      runCli(["compare", BASE, "nobody/nothing", "--home", t.home]),
      runCli(["compare", BASE, "--home", t.home]),
    ]);
    assert.equal(table.code, 0, table.stderr);
    const header = table.stdout.split("\n")[0]!;
    for (const id of BERT_FAMILY) assert.ok(header.includes(id), header);
    assert.match(table.stdout, /^parameters\s+124M\s+82M\s+65M/m);
    assert.match(table.stdout, /^squad_v2 f1 \(reported\)\s+82\.95\s+82\.04\s+-/m);
    assert.match(
      table.stdout,
      /Best for speed: {3}distilbert\/distilbert-base-cased-distilled-squad has the lowest latency/,
    );
    assert.match(
      table.stdout,
      /Best for quality: unknown: among the models scored on squad_v2 f1, deepset\/roberta-base-squad2 leads/,
    );
    assert.match(table.stdout, /Best overall: {5}unknown: quality \(weight 5\) for distilbert\//);
    assert.match(table.stdout, /^Assumptions\n {2}- latency = 1 ms per request \(HTTP, routing, JSON\)/m);

    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { criteria: { hardware: { name: string } }; models: unknown[] };
    assert.equal(parsed.criteria.hardware.name, "RTX 4090");
    assert.equal(parsed.models.length, 2);

    assert.notEqual(badWeight.code, 0);
    assert.match(badWeight.stderr, /valid weights are speed, quality, cost, size/);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nobody\/nothing/);
    assert.notEqual(single.code, 0);
    assert.match(single.stderr, /at least 2 models/);
  });
});

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

describe("compare: picks need evidence, estimates have floors, one vocabulary for the CLI and the API", () => {
  const SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";
  const DEMO = "factory/sentiment"; // the model hangar/sentiment-tiny is: 10k parameters, a score on its own test set
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
    await commitFactoryModels(t.hangar, ["sentiment"]);
    const card = (name: string, value: number) =>
      `---\nlicense: mit\npipeline_tag: text-classification\nmodel-index:\n- name: ${name}\n  results:\n  - task: {type: text-classification}\n    dataset: {name: SST-2, type: sst2, split: validation}\n    metrics: [{type: accuracy, value: ${value}}]\n---\n# ${name}\n`;
    await importFiles(t.hangar, "tests/as-fraction", { "README.md": card("as-fraction", 0.935) });
    await importFiles(t.hangar, "tests/in-percent", { "README.md": card("in-percent", 91.3) });
  });
  after(() => t.close());

  const t4Floor =
    REQUEST_OVERHEAD.httpMs + REQUEST_OVERHEAD.tokenizeMsPerToken * 128 + REQUEST_OVERHEAD.forwardPassMs.GPU;

  it("a demo model with a score on its own test set is not best for quality, nor overall, over a real one", async () => {
    const result = await compareModels(t.hangar, localAdministrator(), { models: [DEMO, SST2] });
    const [demo, real] = result.models;
    assert.ok(demo!.parameters! < 20_000, "the demo model is tiny");
    assert.equal(result.decision.bestForQuality, null);
    assert.match(
      result.decision.undecided.quality!,
      new RegExp(
        `^unknown: only ${DEMO} \\(0\\.9\\d\\) is scored on hangar/sentiment-reviews accuracy; ${SST2} reports no hangar/sentiment-reviews accuracy \\(its card reports accuracy 91\\.3 on sst2\\)`,
      ),
    );
    assert.equal(result.decision.bestOverall, null);
    assert.match(result.decision.undecided.overall!, /weigh only them \(weights speed=1,cost=1\)$/);
    assert.ok(demo!.notes.some((note) => note.startsWith("a small demonstration model")));
    // Speed and cost have floors: a request is never 0 ms, millions a second or free.
    assert.ok(Math.abs(demo!.speed.latencyMs! - t4Floor) < 0.01, `${demo!.speed.latencyMs} ms`);
    assert.ok(demo!.speed.requestsPerSecond! < 1000 / t4Floor + 1e-9);
    const price = result.criteria.price.usdPerHour!;
    assert.ok(demo!.cost.per1kRequestsUsd! >= (price * t4Floor) / 3600 - 1e-15);
    assert.ok(real!.speed.latencyMs! > demo!.speed.latencyMs!);
    assert.ok(real!.speed.latencyMs! / demo!.speed.latencyMs! < 2, "not thousands of times faster");
    assert.match(result.decision.bestForSpeed!.reason, /1\.\d+× faster than/);
    assert.ok(
      result.assumptions[0]!.startsWith("latency = 1 ms per request (HTTP, routing, JSON) + 0.002 ms"),
    );
    // Weighing only what is known decides, and says on what.
    const known = await compareModels(t.hangar, localAdministrator(), {
      models: [DEMO, SST2],
      criteria: { weights: { speed: 1, cost: 1 } },
    });
    assert.equal(known.decision.bestOverall?.id, DEMO);
    assert.match(known.decision.bestOverall!.reason, /\(speed 1×1 \+ cost 1×1, over the weights' sum\)/);
  });

  it("two models without scores, a tiny and a huge one, two scales of one metric", async () => {
    const unscored = await compareModels(t.hangar, localAdministrator(), {
      models: ["HuggingFaceTB/SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-1.7B-Instruct"],
    });
    assert.equal(unscored.decision.bestForQuality, null);
    assert.match(
      unscored.decision.undecided.quality!,
      /^unknown: none of these models reports an evaluation/,
    );
    assert.equal(unscored.decision.bestOverall, null);
    assert.equal(unscored.decision.bestForSpeed?.id, "HuggingFaceTB/SmolLM2-135M-Instruct");
    // Generation pays one forward pass per generated token (128 of the default 384 tokens) on top of compute.
    const small = unscored.models[0]!;
    assert.equal(unscored.criteria.tokensPerRequest, 384);
    assert.ok(
      Math.abs(
        small.speed.overheadMs! -
          (REQUEST_OVERHEAD.httpMs +
            REQUEST_OVERHEAD.tokenizeMsPerToken * 384 +
            129 * REQUEST_OVERHEAD.forwardPassMs.GPU),
      ) < 1e-9,
    );

    // 70B does not fit a T4: the demo model is the only one left, best for nothing it was compared on.
    const huge = await compareModels(t.hangar, localAdministrator(), { models: [DEMO, BIG_LLM] });
    assert.equal(huge.decision.bestForQuality, null);
    assert.match(huge.decision.undecided.quality!, /^not compared: factory\/sentiment is the only one/);
    assert.match(
      huge.decision.bestOverall!.reason,
      /is the only one of these models that does the task and fits T4/,
    );
    // On an A100 at INT4 it fits, and then nothing is known of its quality next to the demo's own test set.
    const fits = await compareModels(t.hangar, localAdministrator(), {
      models: [DEMO, BIG_LLM],
      criteria: { hardware: "A100", dtype: "INT4" },
    });
    assert.equal(fits.decision.bestForQuality, null);
    assert.equal(fits.decision.bestOverall, null);

    // 0.935 and 91.3 accuracy on sst2 compare in percent: 93.5 is the better score.
    const scales = await compareModels(t.hangar, localAdministrator(), {
      models: ["tests/in-percent", "tests/as-fraction"],
    });
    assert.equal(scales.decision.bestForQuality?.id, "tests/as-fraction");
    assert.match(
      scales.decision.bestForQuality!.reason,
      /scores 93\.5 accuracy on sst2 .*, 2\.2 points above tests\/in-percent/,
    );
    const delta = scales.pairwise[0]!.metricDeltas[0]!;
    assert.ok(Math.abs(delta.delta - (91.3 - 93.5)) < 1e-9);
  });

  it("POST /v1/compare takes the CLI's options by the same names, at the top level or in criteria", async () => {
    const flat = await postCompare(t.url, {
      models: [DEMO, SST2],
      weights: "speed=1,cost=1",
      hardware: "A10",
    });
    assert.equal(flat.response.status, 200, JSON.stringify(flat.json));
    const decision = flat.json.decision as { bestOverall: { id: string } | null };
    assert.equal(decision.bestOverall?.id, DEMO);
    assert.deepEqual((flat.json.criteria as { weights: unknown }).weights, {
      speed: 1,
      quality: 0,
      cost: 1,
      size: 0,
    });
    const nested = await postCompare(t.url, {
      models: [DEMO, SST2],
      criteria: { weights: { speed: 1, cost: 1 } },
    });
    assert.equal(nested.response.status, 200);
    assert.equal((nested.json.decision as { bestOverall: { id: string } | null }).bestOverall?.id, DEMO);
    const provider = await postCompare(t.url, {
      models: [DEMO, SST2],
      provider: { name: "acme", pricePer1kRequests: 0.5 },
    });
    assert.equal(provider.response.status, 200);
    assert.equal(
      (provider.json.models as Array<{ cost: { basis: string } }>)[0]!.cost.basis,
      "provider-price",
    );
    const twice = await postCompare(t.url, {
      models: [DEMO, SST2],
      weights: { speed: 1 },
      criteria: { weights: { cost: 1 } },
    });
    assert.equal(twice.response.status, 400);
    assert.equal(twice.json.error, '"weights" is given twice, in the body and in criteria: give it once');
    const unknown = await postCompare(t.url, { models: [DEMO, SST2], budget: 3 });
    assert.equal(unknown.response.status, 400);
    assert.match(
      String(unknown.json.error),
      /"budget" in the body: valid fields are models, criteria, task, hardware/,
    );

    // The CLI, with the same names as flags, answers the same decision.
    const cli = await runCli([
      "compare",
      DEMO,
      SST2,
      "--home",
      t.home,
      "--weights",
      "speed=1,cost=1",
      "--hardware",
      "A10",
      "--json",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { decision: unknown }).decision, flat.json.decision);
    const table = await runCli(["compare", DEMO, SST2, "--home", t.home]);
    assert.match(table.stdout, /^ {2}Best for quality: unknown: only factory\/sentiment/m);
    assert.match(table.stdout, /^ {2}Best overall: {5}unknown: quality \(weight 1\)/m);
    assert.match(
      table.stdout,
      /^scores in card\s+accuracy 0\.9\d+ on hangar\/sentiment-reviews\s+accuracy 91\.3 on sst2$/m,
    );
    assert.doesNotMatch(table.stdout, /\b0 ms\b/);
    assert.match(table.stdout, /^requests\/s\s+\d{3}\s+\d{3}$/m);
  });
});
