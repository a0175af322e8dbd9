import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Recommendation } from "../../src/discovery/recommend/recommend-models.ts";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { recommendCases as cases } from "../helpers/recommend-cases.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("recommend: POST /v1/recommend and hangar recommend", () => {
  let t: TestHangar;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
  });
  after(() => t.close());

  it("POST /v1/recommend answers tasks, constraints, candidates and alternatives", async () => {
    const response = await fetch(`${t.url}/v1/recommend`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: cases[0]!.description, limit: 3 }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Recommendation;
    assert.deepEqual(body.tasks.slice(0, 2), ["text-classification", "zero-shot-classification"]);
    assert.deepEqual(body.constraints.languages, ["en", "de"]);
    assert.equal(body.constraints.commercialUse, true);
    assert.equal(body.constraints.maxSizeBytes, 500e6);
    assert.equal(body.constraints.cpuOnly, true);
    assert.ok(
      body.candidates.length > 0 && body.candidates.length <= 3,
      "body.candidates.length > 0 && body.candidates.length <= 3",
    );
    for (const candidate of body.candidates) {
      assert.equal(typeof candidate.id, "string");
      assert.equal(typeof candidate.score, "number");
      assert.ok(candidate.reasons.length > 0, "candidate.reasons.length > 0");
    }
    assert.ok(Array.isArray(body.alternatives), "Array.isArray(body.alternatives)");
    assert.ok(
      body.triggers.some((trigger) => trigger.phrase === "cpu only" && trigger.means === "CPU only"),
      'body.triggers.some((trigger) => trigger.phrase === "cpu only" && trigger.means =',
    );
  });

  it("bad input: empty, too long, missing, wrong type, unknown field, bad limit", async () => {
    const post = async (body: unknown) => {
      const response = await fetch(`${t.url}/v1/recommend`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error: string; code: string } };
    };
    const cases: Array<[unknown, RegExp]> = [
      [{ description: "" }, /description is empty/],
      [{ description: "   \n " }, /description is empty/],
      [{ description: "classify text ".repeat(200) }, /over the limit of 2000/],
      [{}, /"description" is required/],
      [{ description: 42 }, /"description" is required/],
      [
        { description: "summarise news", budget: 5 },
        /Unknown field "budget".*valid fields are description, limit/,
      ],
      [{ description: "summarise news", limit: 0 }, /limit must be an integer from 1 to 50/],
      [{ description: "summarise news", limit: "3" }, /"limit" must be a number/],
      [["summarise news"], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.code, "HANGAR_ERR_BAD_REQUEST");
      assert.match(answer.body.error, message);
    }
  });

  it("hangar recommend prints tasks, constraints, candidates with reasons and alternatives, or --json", async () => {
    const description = "Transcribe German podcasts, open source licence please";
    const [readable, json, empty] = await Promise.all([
      runCli(["recommend", description, "--home", t.home, "--limit", "2"]),
      runCli(["recommend", description, "--home", t.home, "--json"]),
      runCli(["recommend", "", "--home", t.home]),
    ]);
    assert.equal(readable.code, 0, readable.stderr);
    assert.match(readable.stdout, /^Tasks: {7}automatic-speech-recognition \((0\.9\d*|1)\)$/m);
    assert.doesNotMatch(readable.stdout, /^Not sure:/m);
    assert.match(readable.stdout, /^Constraints: languages de; open-source licence$/m);
    assert.match(readable.stdout, /"transcribe" → task: automatic-speech-recognition/);
    assert.match(
      readable.stdout,
      /^ {2}1\. jonatasgrosman\/wav2vec2-large-xlsr-53-german {2}\(score [\d.]+\)$/m,
    );
    assert.match(readable.stdout, /^ {7}- lists de among its languages$/m);
    assert.doesNotMatch(readable.stdout, /^ {2}3\. /m);
    assert.match(readable.stdout, /^Alternatives\n {2}higher-quality: /m);

    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as Recommendation;
    assert.deepEqual(parsed.tasks, ["automatic-speech-recognition"]);
    assert.equal(parsed.candidates[0]?.id, "jonatasgrosman/wav2vec2-large-xlsr-53-german");

    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /Usage: hangar recommend/);
  });
});
