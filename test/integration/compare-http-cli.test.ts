// compare through POST /v1/compare and `hangar compare`: the matrix, bad input refused, private models
// hidden, the CLI's table and --json.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { BASE, BERT_FAMILY, postCompare, TINY } from "../helpers/compare.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("compare over HTTP and the CLI: three BERT-family QA models from the catalog snapshot", () => {
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
  });
  after(() => t.close());

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
