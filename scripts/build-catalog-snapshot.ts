/**
 * Builds data/catalog-snapshot.json, the offline catalog of real public models Hangar imports on first start.
 *
 *   node --import tsx scripts/build-catalog-snapshot.ts [--date YYYY-MM-DD] [--out FILE] [--sources DIR]
 *
 * Inputs, all offline:
 * - `@huggingface/tasks` (a dependency): every task page lists recommended models with a description.
 * - data/sources/ (described in data/sources/README.md): the model-family files (families/*.yaml) with the
 *   licence, task, library and languages their model cards declare and the size their names state; the
 *   published-evaluation tables (evals/*.yaml); community quantisations; the task-page models' card facts; and
 *   the MLC model repos of `@mlc-ai/web-llm`'s prebuilt config with the rules naming the model each converts.
 *
 * The data files are checked first (an error names the file and the field); the rules that turn them into the
 * snapshot are in scripts/catalog/build.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSnapshot, CatalogBuildError } from "./catalog/build.ts";
import { readCatalogSources, SourceDataError } from "./catalog/sources.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};
const date = flag("date") ?? "2026-11-27";
const out = flag("out") ?? `${root}data/catalog-snapshot.json`;
const sourcesDir = flag("sources") ?? `${root}data/sources`;

if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
  console.error(`--date: expected YYYY-MM-DD, got "${date}"`);
  process.exit(2);
}
const tasksVersion = (
  JSON.parse(readFileSync(`${root}node_modules/@huggingface/tasks/package.json`, "utf8")) as {
    version: string;
  }
).version;

let built: ReturnType<typeof buildSnapshot>;
try {
  built = buildSnapshot(readCatalogSources(sourcesDir), { date, tasksVersion });
} catch (error) {
  if (error instanceof SourceDataError || error instanceof CatalogBuildError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
writeFileSync(out, built.text);

const { snapshot } = built;
const count = snapshot.models.length;
const pct = (n: number) => `${((100 * n) / count).toFixed(0)}%`;
const withTask = snapshot.models.filter((model) => model.task).length;
const withLicense = snapshot.models.filter((model) => model.license).length;
const withSize = snapshot.models.filter((model) => model.parameters).length;
const tasks = new Set(snapshot.models.map((model) => model.task));
console.log(
  `${out}: ${count} models, ${tasks.size} tasks; task ${pct(withTask)}, licence ${pct(withLicense)}, parameters ${pct(withSize)}; ${(
    Buffer.byteLength(built.text) / 1024
  ).toFixed(0)} KB, version ${snapshot.version}`,
);
