import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierExpectation } from "../helpers/tiny-models.ts";

const TEXTS = [
  "i love this great film",
  "awful boring plot",
  "good movie",
  "terrible, bad acting",
  "excellent",
];

describe("hangar batch run: a model over a CSV, JSONL or Parquet file, on the home folder", () => {
  let home: { path: string; remove: () => Promise<void> };

  before(async () => {
    home = await makeTempDir();
    const hangar = await createHangar(defaultConfig(home.path));
    await importTinyModels(hangar, ["tests/tiny-sentiment"]);
    await hangar.close();
  });
  after(() => home.remove());

  const run = (input: string, output: string, ...extra: string[]) =>
    runCli([
      "batch",
      "run",
      "--model",
      "tests/tiny-sentiment",
      "--task",
      "text-classification",
      "--input",
      input,
      "--output",
      output,
      "--home",
      home.path,
      ...extra,
    ]);

  it("reads CSV and writes JSONL, one answer per row in order, with the estimate and metered units", async () => {
    const input = join(home.path, "tickets.csv");
    await writeFile(input, `id,text\n${TEXTS.map((text, n) => `${n},"${text}"`).join("\n")}\n`);
    const output = join(home.path, "labels.jsonl");
    const result = await run(input, output, "--json");
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.deepEqual(
      {
        rows: summary.rows,
        completed: summary.completed,
        failed: summary.failed,
        estimate: summary.estimate,
      },
      {
        rows: 5,
        completed: 5,
        failed: 0,
        estimate: { rows: 5, input_characters: TEXTS.join("").length },
      },
    );
    assert.ok(summary.metered.input_units > 0);
    assert.equal(summary.metered.output_units, 10, "two labels per row");
    const lines = (await readFile(output, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      lines.map((line) => [line.row, line.input, line.output[0].label]),
      TEXTS.map((text, n) => [n + 1, text, tinyClassifierExpectation(text).label]),
    );
  });

  it("reads Parquet and JSONL, writes CSV; a row that fails is reported and the rest answered", async () => {
    const parquet = join(home.path, "tickets.parquet");
    await writeFile(
      parquet,
      Buffer.from(parquetWriteBuffer({ columnData: [{ name: "text", data: TEXTS, type: "STRING" }] })),
    );
    const csv = join(home.path, "labels.csv");
    const fromParquet = await run(parquet, csv);
    assert.equal(fromParquet.code, 0, fromParquet.stderr);
    assert.match(fromParquet.stderr, /Estimate: 5 rows/);
    assert.match(fromParquet.stdout, /Wrote 5 rows to .*labels\.csv: 5 answered, 0 failed/);
    const rows = (await readFile(csv, "utf8")).trim().split("\n");
    assert.equal(rows[0], "row,input,label,score,output,error");
    assert.equal(rows.length, 6);
    assert.match(rows[2]!, /^2,awful boring plot,NEGATIVE,0\.\d+,/);

    const jsonl = join(home.path, "mixed.jsonl");
    await writeFile(
      jsonl,
      `${JSON.stringify({ inputs: "great film" })}\n${JSON.stringify({ inputs: "" })}\n`,
    );
    const out = join(home.path, "mixed-out.jsonl");
    const mixed = await run(jsonl, out, "--json");
    assert.equal(mixed.code, 1, "a failed row makes the exit code 1");
    assert.equal(JSON.parse(mixed.stdout).failed, 1);
    const [ok, failed] = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(ok.output[0].label, "POSITIVE");
    assert.equal(failed.error.code, "HANGAR_ERR_BAD_REQUEST");
  });

  it("names the missing option or column", async () => {
    const missing = await runCli(["batch", "run", "--model", "tests/tiny-sentiment", "--home", home.path]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--task is required/);
    const input = join(home.path, "two.csv");
    await writeFile(input, "a,b\nx,y\n");
    const column = await run(input, join(home.path, "o.jsonl"));
    assert.notEqual(column.code, 0);
    assert.match(column.stderr, /--column is needed.*a, b/);
  });
});
