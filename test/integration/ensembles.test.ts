// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline definitions write references as ${...} in plain strings
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import type { EnsembleDefinition, EnsembleOutput } from "../../src/inference/ensemble.ts";
import { checkPipelineShape } from "../../src/workflows/pipelines/definition.ts";
import { runPipeline } from "../../src/workflows/pipelines/run-pipeline.ts";
import { validatePipeline } from "../../src/workflows/pipelines/validate-pipeline.ts";
import {
  accuracyOn,
  importEnsembleMembers,
  labelledSet,
  ENSEMBLE_SLOTS as SLOTS,
} from "../helpers/ensemble-set.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("ensembles as a pipeline step, on a labelled set built here", () => {
  let hub: TestHangar;
  const examples = labelledSet();

  before(async () => {
    hub = await startTestHangar();
    await importEnsembleMembers(hub.hangar);
  });
  after(async () => {
    await hub.close();
  });

  const pipeline = (ensemble: EnsembleDefinition) =>
    validatePipeline(
      checkPipelineShape({
        name: `ensemble-${ensemble.method}`,
        inputs: { texts: "texts" },
        steps: {
          vote: { task: "text-classification", ensemble, for_each: "${inputs.texts}", inputs: "${item}" },
        },
        outputs: { answers: "${steps.vote.output}" },
      }),
    );

  async function answers(ensemble: EnsembleDefinition) {
    const run = await runPipeline({
      hub: hub.hangar,
      caller: localAdministrator(),
      pipeline: pipeline(ensemble),
      inputs: { texts: examples.map((example) => example.text) },
    });
    assert.equal(run.status, "completed", JSON.stringify(run.error));
    return { run, answers: run.outputs!.answers as EnsembleOutput[] };
  }

  const accuracy = (labels: string[]) => accuracyOn(examples, labels);

  it("majority vote beats every member, and says how much the members agreed", async () => {
    const { answers: votes, run } = await answers({
      method: "majority",
      models: SLOTS.map((slot) => ({ model: slot.member })),
    });
    const ensemble = accuracy(votes.map((vote) => vote.labels[0]!.label));
    const members = SLOTS.map((_, index) => accuracy(votes.map((vote) => vote.members[index]!.label)));
    assert.equal(ensemble, 1);
    for (const member of members) assert.equal(member, 0.75, `member accuracy ${members}`);
    for (const vote of votes) {
      const split = vote.members.filter((member) => member.label === vote.labels[0]!.label).length;
      assert.ok(Math.abs(vote.agreement - split / 3) < 1e-9);
      assert.equal(vote.answered_by, "majority");
    }
    assert.ok(votes.some((vote) => vote.agreement === 1) && votes.some((vote) => vote.agreement < 1));
    assert.equal(run.steps[0]!.calls, examples.length * 3);
  });

  it("the weighted average of scores beats every member too", async () => {
    const { answers: averaged } = await answers({
      method: "weighted",
      models: SLOTS.map((slot) => ({ model: slot.member, weight: 1 })),
    });
    assert.equal(accuracy(averaged.map((answer) => answer.labels[0]!.label)), 1);
    for (const answer of averaged) {
      assert.ok(Math.abs(answer.labels[0]!.score + answer.labels[1]!.score - 1) < 1e-6);
    }
  });

  it("a cascade escalates when the cheap model is unsure, and says which stage answered", async () => {
    const models = [{ model: "tests/member-a" }, { model: "tests/member-b" }];
    const { answers: confident, run } = await answers({ method: "cascade", models, threshold: 0.5 });
    assert.ok(confident.every((answer) => answer.stage === 1 && answer.answered_by === "tests/member-a"));
    assert.equal(run.steps[0]!.calls, examples.length, "one call per example when the first stage answers");
    const { answers: escalated } = await answers({ method: "cascade", models, threshold: 0.99 });
    assert.ok(escalated.every((answer) => answer.stage === 2 && answer.answered_by === "tests/member-b"));
    assert.ok(escalated.every((answer) => answer.members.length === 2));
  });

  it("refuses an ensemble over a task without labels, naming the step", () => {
    assert.throws(
      () =>
        validatePipeline(
          checkPipelineShape({
            name: "bad-ensemble",
            inputs: { text: "text" },
            steps: {
              vote: {
                task: "feature-extraction",
                ensemble: { method: "majority", models: [{ model: "a/b" }, { model: "c/d" }] },
                inputs: "${inputs.text}",
              },
            },
          }),
        ),
      /steps\.vote\.ensemble: combines labelled answers/,
    );
  });
});
