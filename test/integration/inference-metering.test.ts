// Inference metering: every request is recorded with its model, task, sizes, latency, outcome and caller.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { post, startWith } from "../helpers/inference-runtime.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("metering", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startWith({}, ["tests/tiny-sentiment", "tests/tiny-lm"]);
  });
  after(() => hub.close());

  it("records every request with model, task, sizes, latency, outcome and caller", async () => {
    const token = await hub.addUser("metered", "read");
    assert.equal(
      (await post(hub, "/models/tests/tiny-sentiment", { inputs: "good film" }, token)).status,
      200,
    );
    assert.equal(
      (
        await post(hub, "/v1/inference/text-generation", {
          model: "tests/tiny-lm",
          inputs: "count",
          parameters: { max_new_tokens: 3 },
        })
      ).status,
      200,
    );
    assert.equal(
      (await post(hub, "/v1/inference/text-classification", { model: "tests/nothing", inputs: "x" }, token))
        .status,
      404,
    );
    const events = (await hub.hangar.inference.usageEvents()).reverse();
    assert.equal(events.length, 3);
    const [classified, generated, missing] = events;
    assert.deepEqual(
      {
        model: classified!.model,
        task: classified!.task,
        api: classified!.api,
        caller: classified!.caller,
        status: classified!.status,
        outcome: classified!.outcome,
        unit: classified!.unit,
      },
      {
        model: "tests/tiny-sentiment",
        task: "text-classification",
        api: "hub",
        caller: "metered",
        status: 200,
        outcome: "ok",
        unit: "tokens",
      },
    );
    assert.equal(classified!.inputUnits, 4, "[CLS] good film [SEP]");
    assert.ok(classified!.inputBytes > 0 && classified!.outputBytes > 0);
    assert.ok(classified!.latencyMs >= 0);
    assert.match(classified!.revision ?? "", /^[0-9a-f]{40}$/);
    assert.equal(generated!.caller, null);
    assert.equal(generated!.outputUnits, 3, "generated tokens");
    assert.deepEqual(
      { status: missing!.status, outcome: missing!.outcome, errorCode: missing!.errorCode },
      { status: 404, outcome: "error", errorCode: "HANGAR_ERR_REPO_NOT_FOUND" },
    );
    const totals = await hub.hangar.inference.usageTotals({ model: "tests/tiny-lm" });
    assert.deepEqual(
      totals.map(({ model, task, requests, outputUnits }) => ({ model, task, requests, outputUnits })),
      [{ model: "tests/tiny-lm", task: "text-generation", requests: 1, outputUnits: 3 }],
    );
    // The rows are in the catalog itself, for the usage and cost work.
    assert.equal((await hub.hangar.catalog.usage.list()).length, 3);
  });
});
