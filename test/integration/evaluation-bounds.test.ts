import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MAX_EVALUATION_FILE_BYTES } from "../../src/evaluation/read-dataset-file.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

async function evaluate(hub: TestHangar, dataset: string) {
  const response = await fetch(`${hub.url}/v1/evaluations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "tests/tiny-sentiment", dataset }),
  });
  return { status: response.status, body: (await response.json()) as { error: string } };
}

describe("evaluation datasets are read within bounds", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    await importTinyModels(hub.hangar, ["tests/tiny-sentiment"]);
  });
  after(() => hub.close());

  it("refuses a CSV whose short rows would fill far more cells than it holds, instead of expanding them", async () => {
    // 50,000 columns over 20,000 rows of one comma: a billion cells from a file of 0.4 MB.
    const header = Array.from({ length: 50_000 }, (_, index) => `c${index}`).join(",");
    await importFiles(
      hub.hangar,
      "tests/wide",
      { "test.csv": `${header}\n${",\n".repeat(20_000)}` },
      { type: "dataset" },
    );
    const started = performance.now();
    const { status, body } = await evaluate(hub, "tests/wide");
    assert.equal(status, 400);
    assert.match(
      body.error,
      /^test\.csv: 20000 rows of 50000 columns are more cells than its \d+ characters hold/,
    );
    assert.ok(performance.now() - started < 10_000);
  });

  it("refuses a dataset file over the size an evaluation reads, before reading it", async () => {
    const line = "a review that goes on,POSITIVE\n";
    const rows = line.repeat(Math.ceil(MAX_EVALUATION_FILE_BYTES / line.length) + 1);
    await importFiles(hub.hangar, "tests/huge", { "test.csv": `text,label\n${rows}` }, { type: "dataset" });
    const { status, body } = await evaluate(hub, "tests/huge");
    assert.equal(status, 413);
    assert.match(
      body.error,
      new RegExp(`^test\\.csv is \\d+ bytes, over the ${MAX_EVALUATION_FILE_BYTES} an evaluation reads`),
    );
  });
});
