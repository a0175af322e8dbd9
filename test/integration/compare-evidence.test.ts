// compare's picks need evidence (a demo model's score on its own test set decides nothing), estimates have
// floors, and the CLI and the API take the same options by the same names.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { compareModels } from "../../src/discovery/compare/compare-models.ts";
import { REQUEST_OVERHEAD } from "../../src/discovery/compare/estimate-performance.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { BIG_LLM, postCompare } from "../helpers/compare.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

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
