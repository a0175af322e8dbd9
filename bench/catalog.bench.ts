/**
 * `npm run bench:catalog`: time and peak memory to generate and index a synthetic catalog of 1,000,000 models
 * (`CATALOG_BENCH_MODELS` to change the size), and the database size, next to a baseline measured in the same
 * run: the same rows inserted into one bare SQLite table without indexes, side tables or checks.
 *
 * Each measurement runs in its own child process so its peak memory is its own.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { generateCatalog, syntheticCatalogEntries } from "../src/hub/catalog/generate-catalog.ts";
import { Catalog } from "../src/store/catalog.ts";
import { rawDb } from "../test/helpers/raw-store.ts";

const MODELS = Number(process.env.CATALOG_BENCH_MODELS ?? 1_000_000);
const SEED = 42;

interface PhaseResult {
  phase: string;
  seconds: number;
  peakRssMb: number;
  bytes: number;
  rows: number;
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder)) total += statSync(join(folder, entry)).size;
  return total;
}

async function runGenerate(folder: string): Promise<PhaseResult> {
  const catalog = await Catalog.open(join(folder, "hangar.db"));
  const started = performance.now();
  await generateCatalog(catalog, {
    count: MODELS,
    seed: SEED,
    onProgress: (done, total) => {
      if (done % 100_000 === 0 || done === total) process.stderr.write(`  generated ${done}/${total}\n`);
    },
  });
  rawDb(catalog).pragma("wal_checkpoint(TRUNCATE)");
  const seconds = (performance.now() - started) / 1000;
  const rows = await catalog.repos.count("model");
  await catalog.close();
  return {
    phase: "generate",
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: folderBytes(folder),
    rows,
  };
}

function runBaseline(folder: string): PhaseResult {
  const db = new Database(join(folder, "bare.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.exec(`CREATE TABLE models (id TEXT, downloads INTEGER, likes INTEGER, pipeline_tag TEXT, library TEXT,
    license TEXT, languages TEXT, parameters INTEGER, base_models TEXT, base_relation TEXT, description TEXT,
    tags TEXT, created_at TEXT, last_modified TEXT)`);
  const insert = db.prepare("INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const started = performance.now();
  const entries = syntheticCatalogEntries(MODELS, SEED);
  let done = 0;
  const batch = db.transaction((count: number) => {
    for (let index = 0; index < count; index++) {
      const next = entries.next();
      if (next.done) return;
      const entry = next.value;
      insert.run(
        entry.id,
        entry.downloads,
        entry.likes,
        entry.pipelineTag,
        entry.library,
        entry.license,
        JSON.stringify(entry.languages),
        entry.parameters,
        JSON.stringify(entry.baseModels),
        entry.baseRelation,
        entry.description,
        "[]",
        entry.createdAt,
        entry.lastModified,
      );
      done++;
    }
  });
  while (done < MODELS) batch(Math.min(20_000, MODELS - done));
  db.pragma("wal_checkpoint(TRUNCATE)");
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return {
    phase: "baseline",
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    bytes: folderBytes(folder),
    rows: done,
  };
}

function runChild(phase: string): PhaseResult {
  const child = spawnSync(process.execPath, ["--import", "tsx", process.argv[1]!, phase], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`bench phase ${phase} failed with exit code ${child.status}`);
  return JSON.parse(child.stdout.trim().split("\n").pop()!) as PhaseResult;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const phase = process.argv[2];
if (phase === "generate" || phase === "baseline") {
  const folder = mkdtempSync(join(tmpdir(), `hangar-bench-catalog-${phase}-`));
  try {
    const result = phase === "generate" ? runGenerate(folder) : runBaseline(folder);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
} else {
  console.log(
    `bench:catalog — ${MODELS.toLocaleString("en")} synthetic models, seed ${SEED}; ${cpus().length} cores, load ${loadavg()
      .map((value) => value.toFixed(2))
      .join(" ")}`,
  );
  const baseline = runChild("baseline");
  const generated = runChild("generate");
  const rows = [
    ["", "time", "models/s", "peak RSS", "on disk"],
    [
      "Hangar catalog (repos + tags + facts + side tables, all indexes)",
      `${generated.seconds.toFixed(1)} s`,
      Math.round(generated.rows / generated.seconds).toLocaleString("en"),
      `${generated.peakRssMb.toFixed(0)} MB`,
      mb(generated.bytes),
    ],
    [
      "baseline: same rows, one bare table, no indexes",
      `${baseline.seconds.toFixed(1)} s`,
      Math.round(baseline.rows / baseline.seconds).toLocaleString("en"),
      `${baseline.peakRssMb.toFixed(0)} MB`,
      mb(baseline.bytes),
    ],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join("  "));
  console.log(
    `ratio: ${(generated.seconds / baseline.seconds).toFixed(1)}x the baseline's time, ${(generated.bytes / baseline.bytes).toFixed(1)}x its size; ${generated.rows.toLocaleString("en")} models listed`,
  );
}
