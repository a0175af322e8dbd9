import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { after, before, describe, it } from "node:test";
import { SKUS } from "@huggingface/tasks";
import { compareModels } from "../src/discovery/compare/compare-models.ts";
import { identifyCpu, localCpu } from "../src/discovery/compare/hardware.ts";
import { localAdministrator } from "../src/hub/accounts/principal.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../src/hub/catalog/import-snapshot.ts";
import { hangarCli } from "./helpers/hangar-cli.ts";
import { startTestHangar, type TestHangar } from "./helpers/test-hangar.ts";
import { importTinyModels } from "./helpers/tiny-inference-models.ts";

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
    importCatalogSnapshot(t.hangar.catalog);
  });
  after(() => t.close());

  it("the smallest is best for speed and cost, the best reported score best for quality", () => {
    const sizes = BERT_FAMILY.map((id) => entry(id).parameters!);
    const smallest = BERT_FAMILY[sizes.indexOf(Math.min(...sizes))]!;
    assert.equal(smallest, DISTIL);
    const scored = BERT_FAMILY.filter((id) => f1(id) !== undefined);
    const bestScore = scored.reduce((best, id) => (f1(id)! > f1(best)! ? id : best));

    const result = compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY });
    assert.equal(result.decision.bestForSpeed?.id, smallest);
    assert.equal(result.decision.bestForCost?.id, smallest);
    assert.equal(result.decision.bestForQuality?.id, bestScore);
    assert.deepEqual(result.quality && [result.quality.dataset, result.quality.metric], ["squad_v2", "f1"]);
    assert.match(
      result.decision.bestForQuality!.reason,
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
    // Latency follows 2 × parameters × tokens / (TFLOPS × 0.3): the ratio between two models is their size ratio.
    const [base, tiny] = result.models;
    assert.ok(
      Math.abs(base!.speed.latencyMs! / tiny!.speed.latencyMs! - sizes[0]! / sizes[1]!) < 1e-9,
      "Math.abs(base!.speed.latencyMs! / tiny!.speed.latencyMs! - sizes[0]! / sizes[1]!",
    );

    const pair = result.pairwise.find((p) => p.a === BASE && p.b === TINY)!;
    assert.ok(
      Math.abs(pair.parametersRatio! - sizes[0]! / sizes[1]!) < 1e-9,
      "Math.abs(pair.parametersRatio! - sizes[0]! / sizes[1]!) < 1e-9",
    );
    const delta = pair.metricDeltas.find((d) => d.dataset === "squad_v2" && d.metric === "f1")!;
    assert.ok(
      Math.abs(delta.delta - (f1(BASE)! - f1(TINY)!)) < 1e-9,
      "Math.abs(delta.delta - (f1(BASE)! - f1(TINY)!)) < 1e-9",
    );
    assert.ok(
      pair.lines.some((line) => line.includes("points better") && line.startsWith(BASE)),
      'pair.lines.some((line) => line.includes("points better") && line.startsWith(BASE',
    );

    // The trade-off between the quality pick and the faster ones, in numbers.
    const tradeOff = result.decision.tradeOffs.find((line) => line.startsWith(TINY))!;
    assert.match(tradeOff, /faster/);
    assert.match(
      tradeOff,
      new RegExp(`scores ${(f1(BASE)! - f1(TINY)!).toFixed(2)} points lower on squad_v2 f1`),
    );
  });

  it("weights flip the overall winner", () => {
    const compare = (weights: Record<string, number>) =>
      compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY, criteria: { weights } }).decision
        .bestOverall?.id;
    assert.equal(compare({ quality: 5, speed: 1 }), BASE);
    assert.equal(compare({ speed: 5, quality: 1 }), DISTIL);
    assert.equal(compare({ cost: 1 }), DISTIL);
    assert.equal(compare({ quality: 1 }), BASE);
  });

  it("is deterministic: the same question gives the same answer", () => {
    const criteria = { hardware: "A10", weights: { speed: 1, quality: 2, cost: 1 }, requestsPerMonth: 1e6 };
    const first = compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY, criteria });
    const second = compareModels(t.hangar, localAdministrator(), { models: BERT_FAMILY, criteria });
    assert.deepEqual(first, second);
    assert.equal(first.criteria.hardware.name, "A10");
    for (const model of first.models) {
      assert.ok(
        Math.abs(model.cost.perMonthUsd! - model.cost.per1kRequestsUsd! * 1000) < 1e-12,
        "Math.abs(model.cost.perMonthUsd! - model.cost.per1kRequestsUsd! * 1000) < 1e-12",
      );
    }
  });

  it("judges hardware fit: a 70B model does not fit a T4 at F16 and is not picked", () => {
    const result = compareModels(t.hangar, localAdministrator(), {
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
    const quantised = compareModels(t.hangar, localAdministrator(), {
      models: [BIG_LLM, "HuggingFaceTB/SmolLM2-1.7B-Instruct"],
      criteria: { hardware: "A100", dtype: "INT4" },
    });
    assert.equal(quantised.models[0]!.hardwareFit.fits, true);
  });

  it("uses latency Hangar measured, labelled so, when it measured every model", () => {
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
    t.hangar.catalog.usage.recordMany([
      event(BASE, 10),
      event(BASE, 20),
      event(TINY, 40),
      event(TINY, 50),
      { ...event(TINY, 1), outcome: "error", status: 500 },
    ]);
    const result = compareModels(t.hangar, localAdministrator(), { models: [BASE, TINY] });
    assert.equal(result.speedBasis, "measured");
    assert.equal(result.models[0]!.speed.latencyMs, 15);
    assert.equal(result.models[1]!.speed.latencyMs, 45);
    assert.equal(result.models[0]!.measuredLatency?.requests, 2);
    assert.equal(result.decision.bestForSpeed?.id, BASE);
    assert.match(result.decision.bestForSpeed!.reason, /measured by Hangar/);
    // One model without measurements: every model falls back to the same estimated basis.
    const mixed = compareModels(t.hangar, localAdministrator(), { models: [BASE, DISTIL] });
    assert.equal(mixed.speedBasis, "estimated");
    assert.ok(mixed.models[0]!.measuredLatency !== null, "mixed.models[0]!.measuredLatency !== null");
  });

  it("prices latency measured here at this machine's CPU, whatever hardware the criteria name", () => {
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
      const result = compareModels(t.hangar, localAdministrator(), {
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
    const given = compareModels(t.hangar, localAdministrator(), {
      models: [BASE, TINY],
      criteria: { pricePerHour: 3.6 },
    });
    for (const model of given.models) {
      assert.ok(Math.abs(model.cost.per1kRequestsUsd! - model.speed.latencyMs! / 1000) < 1e-12);
      assert.match(model.cost.note, /^latency measured on this machine .*: given: \$3\.6\/hour$/);
    }
    // Estimated latency is still priced at the hardware it is estimated on.
    const estimated = compareModels(t.hangar, localAdministrator(), { models: [BASE, DISTIL] });
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

  it("prices requests at a provider's price when one is given", () => {
    const result = compareModels(t.hangar, localAdministrator(), {
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
    const decision = json.decision as Record<string, { id: string; reason: string }>;
    assert.equal(decision.bestForQuality?.id, BASE);
    assert.equal(decision.bestOverall?.id, BASE);
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
    const token = t.addUser("alice");
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
      hangarCli(["compare", ...BERT_FAMILY, "--home", t.home, "--weights", "quality=5,speed=1"]),
      hangarCli(["compare", BASE, TINY, "--home", t.home, "--json", "--hardware", "RTX 4090"]),
      hangarCli(["compare", BASE, TINY, "--home", t.home, "--weights", "fast=2"]),
      hangarCli(["compare", BASE, "nobody/nothing", "--home", t.home]),
      hangarCli(["compare", BASE, "--home", t.home]),
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
    assert.match(table.stdout, /Best overall: {5}deepset\/roberta-base-squad2/);
    assert.match(table.stdout, /Trade-offs\n {2}- deepset\/tinyroberta-squad2 is/);

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
    importCatalogSnapshot(t.hangar.catalog);
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
    t.hangar.inference.flushUsage();
  });
  after(() => t.close());

  it("reads files, storage and measured latency for local repos, and facts for catalog entries", () => {
    const result = compareModels(t.hangar, localAdministrator(), {
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

  it("compares on measured latency when every model ran here", () => {
    const usage = t.hangar.catalog.usage.list({ model: "tests/tiny-ner" });
    const mean = usage.reduce((total, event) => total + event.latencyMs, 0) / usage.length;
    const result = compareModels(t.hangar, localAdministrator(), {
      models: ["tests/tiny-sentiment", "tests/tiny-ner"],
    });
    assert.equal(result.speedBasis, "measured");
    const ner = result.models[1]!;
    assert.equal(ner.speed.basis, "measured");
    assert.ok(Math.abs(ner.speed.latencyMs! - mean) < 1e-9, "mean of the metered requests");
    assert.match(result.decision.bestForSpeed!.reason, /measured by Hangar/);
  });
});
