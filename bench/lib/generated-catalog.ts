import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { rawDb } from "../../test/helpers/raw-store.ts";

/**
 * Where `npm run bench:search` keeps its generated catalog (`/tmp/hangar-search-bench/<models>-<seed>/`,
 * `hangar.db` plus a `complete` marker written last): other benchmarks of the same size and seed reuse it
 * instead of generating a million models again.
 */
export function generatedCatalogDir(models: number, seed: number): string {
  return join("/tmp/hangar-search-bench", `${models}-${seed}`);
}

/**
 * The generated catalog of `models` synthetic models (seed `seed`), made when no run has made it yet
 * (progress on stderr, the WAL checkpointed into the file). Returns the folder.
 */
export async function ensureGeneratedCatalog(models: number, seed: number): Promise<string> {
  const dir = generatedCatalogDir(models, seed);
  if (existsSync(join(dir, "complete"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const catalog = await Catalog.open(join(dir, "hangar.db"));
  const started = performance.now();
  process.stderr.write(`Generating ${models.toLocaleString("en")} models (seed ${seed}) into ${dir}...\n`);
  await generateCatalog(catalog, {
    count: models,
    seed,
    onProgress: (count, total) => {
      if (count % 200_000 === 0 || count === total) process.stderr.write(`  ${count}/${total}\n`);
    },
  });
  rawDb(catalog).pragma("wal_checkpoint(TRUNCATE)");
  await catalog.close();
  process.stderr.write(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  writeFileSync(join(dir, "complete"), new Date().toISOString());
  return dir;
}

/**
 * A Hangar home at `home` whose catalog is a copy of the generated one (a server writes to its catalog —
 * the bundled catalog's import, the search index's change feed — and must not change the shared file).
 * Kept for later runs (delete the folder to start from a fresh copy).
 */
export async function homeWithGeneratedCatalog(home: string, models: number, seed: number): Promise<void> {
  const source = await ensureGeneratedCatalog(models, seed);
  const marker = join(home, "copied-from");
  if (existsSync(marker)) return;
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  copyFileSync(join(source, "hangar.db"), join(home, "hangar.db"));
  writeFileSync(marker, `${source}\n${new Date().toISOString()}\n`);
}
