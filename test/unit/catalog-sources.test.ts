import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PIPELINE_TYPES } from "@huggingface/tasks";
import { parse, stringify } from "yaml";
import { buildSnapshot, CatalogBuildError } from "../../scripts/catalog/build.ts";
import { readCatalogSources, SourceDataError } from "../../scripts/catalog/sources.ts";
import { BASE_RELATIONS } from "../../src/core/catalog-types.ts";
import { BUNDLED_SNAPSHOT_PATH, readSnapshot } from "../../src/hub/catalog/import-snapshot.ts";

const SOURCES = fileURLToPath(new URL("../../data/sources", import.meta.url));
const tasksVersion = (
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../../node_modules/@huggingface/tasks/package.json", import.meta.url)),
      "utf8",
    ),
  ) as { version: string }
).version;

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A copy of data/sources with one file changed by `edit`. */
function editedCopy(file: string, edit: (data: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "hangar-catalog-sources-"));
  temps.push(dir);
  cpSync(SOURCES, dir, { recursive: true });
  const data = parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
  edit(data);
  writeFileSync(join(dir, file), stringify(data));
  return dir;
}

describe("catalog sources: data/sources builds data/catalog-snapshot.json", () => {
  const bundled = readSnapshot(BUNDLED_SNAPSHOT_PATH);
  const data = readCatalogSources(SOURCES);
  const built = buildSnapshot(data, { date: bundled.date, tasksVersion });

  it("rebuilds the committed snapshot byte for byte", () => {
    assert.equal(built.text, readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8"));
    assert.equal(built.snapshot.version, bundled.version);
  });

  it("holds together: unique ids, known tasks and relations, every fact's source listed", () => {
    const ids = built.snapshot.models.map((model) => model.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.length > 1000, `${ids.length} models`);
    const tasks = new Set<string>(PIPELINE_TYPES);
    for (const model of built.snapshot.models) {
      assert.ok(model.task && tasks.has(model.task), `${model.id}: task ${model.task}`);
      assert.ok(model.sources.length > 0, `${model.id}: no source`);
      for (const key of model.sources) assert.ok(built.snapshot.sources[key], `${model.id}: source ${key}`);
      if (model.baseRelation) assert.ok(BASE_RELATIONS.includes(model.baseRelation), model.id);
      if (model.parameters !== undefined)
        assert.ok(Number.isInteger(model.parameters) && model.parameters > 0);
      assert.equal(model.downloads, undefined, `${model.id}: the snapshot carries no popularity`);
    }
    for (const key of Object.keys(built.snapshot.sources)) {
      assert.ok(
        built.snapshot.models.some((model) => model.sources.includes(key)),
        `unused source ${key}`,
      );
    }
  });

  it("puts every family entry and every evaluation table into the snapshot under its own source", () => {
    const byId = new Map(built.snapshot.models.map((model) => [model.id, model]));
    assert.ok(data.families.length >= 100, `${data.families.length} families`);
    for (const family of data.families) {
      for (const item of family.items) {
        const model = byId.get(`${family.org}/${item.name}`);
        assert.ok(model, `${family.key}: ${item.name} missing`);
        assert.ok(model.sources.includes(`family:${family.key}`), `${model.id} lacks family:${family.key}`);
      }
    }
    assert.equal(data.evals.length, 15);
    for (const table of data.evals) {
      for (const [id, scores] of Object.entries(table.results)) {
        const model = byId.get(id)!;
        assert.ok(model.sources.includes(`eval:${table.key}`));
        for (const score of scores)
          assert.ok(model.evalResults?.some((entry) => entry.value === score.value));
      }
    }
  });

  it("names the file and the field of a value of the wrong type", () => {
    const dir = editedCopy("families/qwen3.yaml", (family) => {
      (family.items as Array<Record<string, unknown>>)[4] = { name: "Qwen3-Oops", parameters: "7B" };
    });
    assert.throws(() => readCatalogSources(dir), {
      name: "SourceDataError",
      message: 'families/qwen3.yaml: items[4].parameters: expected a positive number, got "7B"',
    });
  });

  it("rejects an unknown field, a misspelt relation and a file order.yaml does not list", () => {
    const unknown = editedCopy("families/bert.yaml", (family) => {
      family.licence = "mit";
    });
    assert.throws(
      () => readCatalogSources(unknown),
      (error: Error) => {
        assert.ok(error instanceof SourceDataError);
        assert.match(error.message, /^families\/bert\.yaml: licence: unknown field \(allowed: .*license/);
        return true;
      },
    );
    const relation = editedCopy("families/qwen2.5.yaml", (family) => {
      (family.items as Array<Record<string, unknown>>)[2]!.relation = "quantised";
    });
    assert.throws(() => readCatalogSources(relation), {
      message:
        /^families\/qwen2\.5\.yaml: items\[2\]\.relation: expected one of .*quantized.*, got "quantised"$/,
    });
    const unlisted = editedCopy("order.yaml", (order) => {
      order.families = (order.families as string[]).filter((key) => key !== "bloom");
    });
    assert.throws(() => readCatalogSources(unlisted), {
      message: /^order\.yaml: families: expected every file of families\/ listed \(missing: bloom\)/,
    });
  });

  it("rejects an evaluation score for a model no source lists, naming the table", () => {
    const dir = editedCopy("evals/detr-card.yaml", (table) => {
      (table.results as Record<string, unknown>)["facebook/detr-resnet-9000"] = [
        { dataset: "coco", metric: "AP", value: 1 },
      ];
    });
    assert.throws(
      () => buildSnapshot(readCatalogSources(dir), { date: "2026-11-27", tasksVersion }),
      (error) => {
        assert.ok(error instanceof CatalogBuildError);
        assert.deepEqual(error.problems, [
          "facebook/detr-resnet-9000: evaluation results (evals/detr-card.yaml) for a model the catalog lacks",
        ]);
        return true;
      },
    );
  });
});
