import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import type { EnsembleReport } from "../../src/inference/ensemble.ts";
import {
  accuracyOn,
  ENSEMBLE_SLOTS,
  importEnsembleMembers,
  type LabelledExample,
  labelledSet,
} from "../helpers/ensemble-set.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const members = ENSEMBLE_SLOTS.map((slot) => ({ backend: "local", model: slot.member }));

/** Routes over the three local members: one per ensemble policy, and one per member alone. */
const ROUTES = {
  routes: [
    { name: "ensembles/vote", policy: "majority", deployments: members },
    {
      name: "ensembles/average",
      policy: "weighted-average",
      deployments: members.map((member) => ({ ...member, weight: 2 })),
    },
    { name: "ensembles/cascade-sure", policy: "cascade", threshold: 0.5, deployments: members.slice(0, 2) },
    {
      name: "ensembles/cascade-unsure",
      policy: "cascade",
      threshold: 0.99,
      deployments: members.slice(0, 2),
    },
    ...members.map((member, index) => ({
      name: `ensembles/member-${index}`,
      task: "text-classification",
      deployments: [member],
    })),
  ],
};

interface TaskAnswer {
  outputs: Array<{ label: string; score: number }>;
  ensemble?: EnsembleReport;
}

describe("ensembles as a route policy, through the HTTP API and a real client", () => {
  let hub: TestHangar;
  const examples: LabelledExample[] = labelledSet();
  const client = (route: string) =>
    new InferenceClient(hub.adminToken, { endpointUrl: `${hub.url}/models/${route}` });

  async function put(body: unknown): Promise<Response> {
    return fetch(`${hub.url}/v1/routes`, {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify(body),
    });
  }

  async function task(
    route: string,
    inputs: unknown,
  ): Promise<{ status: number; body: TaskAnswer & { model: string; error: string } }> {
    const response = await fetch(`${hub.url}/v1/inference/text-classification`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify({ model: route, inputs }),
    });
    return {
      status: response.status,
      body: (await response.json()) as TaskAnswer & { model: string; error: string },
    };
  }

  before(async () => {
    hub = await startTestHangar();
    await importEnsembleMembers(hub.hangar);
    const response = await put(ROUTES);
    assert.equal(response.status, 200, await response.text());
  });
  after(async () => {
    await hub.close();
  });

  it("a majority vote route beats each of its members on the labelled set (@huggingface/inference)", async () => {
    const best = async (route: string) => {
      const labels: string[] = [];
      for (const example of examples) {
        const answer = await client(route).textClassification({ inputs: example.text });
        labels.push(answer[0]!.label);
      }
      return accuracyOn(examples, labels);
    };
    const memberAccuracy = await Promise.all(members.map((_, index) => best(`ensembles/member-${index}`)));
    const vote = await best("ensembles/vote");
    assert.deepEqual(memberAccuracy, [0.75, 0.75, 0.75]);
    assert.equal(vote, 1, "the vote is right on every example");
    assert.ok(memberAccuracy.every((accuracy) => vote > accuracy));
    const average = await best("ensembles/average");
    assert.equal(average, 1, "the weighted average too");
  });

  it("each answer says how much the members agreed (task API body, serverless headers)", async () => {
    let split = 0;
    let unanimous = 0;
    for (const example of examples) {
      const { status, body } = await task("ensembles/vote", example.text);
      assert.equal(status, 200, JSON.stringify(body));
      const answer = body as TaskAnswer;
      assert.equal(answer.outputs[0]!.label, example.label);
      const report = answer.ensemble!;
      assert.equal(report.method, "majority");
      assert.equal(report.answered_by, "majority");
      assert.equal(report.members.length, 3);
      const agreeing = report.members.filter((member) => member.label === example.label).length;
      assert.ok(Math.abs(report.agreement - agreeing / 3) < 1e-9);
      if (agreeing === 3) unanimous++;
      else split++;
    }
    assert.ok(unanimous > 0 && split > 0, `${unanimous} unanimous, ${split} split`);
    const response = await fetch(`${hub.url}/models/ensembles/vote`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
      body: JSON.stringify({ inputs: examples[0]!.text }),
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    assert.equal(response.headers.get("x-hangar-ensemble-answered-by"), "majority");
    assert.ok(Number(response.headers.get("x-hangar-ensemble-agreement")) > 0);
  });

  it("a cascade route answers from its cheap model when sure, escalates when not, and says which stage", async () => {
    const sure = await task("ensembles/cascade-sure", examples[5]!.text);
    assert.equal(sure.status, 200, JSON.stringify(sure.body));
    assert.equal(sure.body.ensemble!.stage, 1);
    assert.equal(sure.body.ensemble!.answered_by, ENSEMBLE_SLOTS[0]!.member);
    assert.equal(sure.body.ensemble!.members.length, 1, "the second stage was not asked");
    const unsure = await task("ensembles/cascade-unsure", examples[5]!.text);
    assert.equal(unsure.body.ensemble!.stage, 2);
    assert.equal(unsure.body.ensemble!.answered_by, ENSEMBLE_SLOTS[1]!.member);
    assert.equal(unsure.body.ensemble!.members.length, 2);
    assert.equal(unsure.body.model, "ensembles/cascade-unsure");
  });

  it("refuses what an ensemble cannot do, naming the field", async () => {
    const list = await task("ensembles/vote", ["good", "bad"]);
    assert.equal(list.status, 400);
    assert.match(list.body.error, /^inputs: route ensembles\/vote combines/);
    const alone = await put({ routes: [{ name: "solo", policy: "majority", deployments: [members[0]] }] });
    assert.equal(alone.status, 400);
    assert.match(
      ((await alone.json()) as { error: string }).error,
      /routes\[0\]\.deployments must list at least two deployments to combine \(policy majority\)/,
    );
    const threshold = await put({
      routes: [{ name: "t", policy: "majority", threshold: 0.5, deployments: members }],
    });
    assert.equal(threshold.status, 400);
    assert.match(
      ((await threshold.json()) as { error: string }).error,
      /routes\[0\]\.threshold is only for policy cascade/,
    );
    const current = await fetch(`${hub.url}/v1/routes`, {
      headers: { Authorization: `Bearer ${hub.adminToken}` },
    });
    const routes = ((await current.json()) as { routes: Array<{ name: string; policy: string }> }).routes;
    assert.equal(routes.length, ROUTES.routes.length, "a refused change leaves the routes in force");
  });
});
