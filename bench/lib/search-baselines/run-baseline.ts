/**
 * One search baseline of `bench:search` in a process of its own (so its memory is its own and one engine's
 * garbage does not slow another): `node --expose-gc --import tsx run-baseline.ts <input.json> <output.json>`.
 * The input names the engine, the catalog file, the queries and the warm-up count; the output holds the
 * build time, memory, per-query latency (wall and CPU) and each query's answer (page ids, total, facets).
 */
import { readFileSync, writeFileSync } from "node:fs";
import {
  type BaselineAnswer,
  type BenchQuery,
  countModels,
  peakRss,
  readModels,
  type SearchBaseline,
} from "./common.ts";
import { OramaBaseline } from "./orama.ts";
import { PostgresFtsBaseline } from "./postgres-fts.ts";
import { SqliteFts5Baseline } from "./sqlite-fts5.ts";

export type BaselineEngine = "sqlite-fts5" | "postgres-fts" | "orama";

export interface BaselineInput {
  engine: BaselineEngine;
  catalogPath: string;
  /** A folder for SQLite's database; PostgreSQL's database URL. */
  folder: string;
  databaseUrl?: string;
  queries: BenchQuery[];
  warmup: number;
}

export interface BaselineOutput {
  engine: string;
  models: number;
  buildMs: number;
  /** Resident memory after the build minus before it (the process's own share), and its peak. */
  rssDeltaBytes: number;
  heapDeltaBytes: number;
  peakRssBytes: number;
  /** Bytes held outside the process: the database file, or the PostgreSQL tables and indexes. */
  storedBytes: number | null;
  wallMs: number[];
  cpuMs: number[];
  answers: BaselineAnswer[];
}

function engineOf(input: BaselineInput): SearchBaseline {
  if (input.engine === "sqlite-fts5") return new SqliteFts5Baseline(input.folder);
  if (input.engine === "postgres-fts") return new PostgresFtsBaseline(input.databaseUrl!);
  return new OramaBaseline();
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

async function main(): Promise<void> {
  const [inputPath, outputPath] = process.argv.slice(2);
  const input = JSON.parse(readFileSync(inputPath!, "utf8")) as BaselineInput;
  const engine = engineOf(input);
  const count = countModels(input.catalogPath);
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  const { storedBytes } = await engine.build(() => readModels(input.catalogPath), count);
  const buildMs = performance.now() - started;
  gc();
  const after = process.memoryUsage();
  process.stderr.write(`  ${engine.name}: built in ${(buildMs / 1000).toFixed(1)} s\n`);
  for (const query of input.queries.slice(0, input.warmup)) await engine.search(query);
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const answers: BaselineAnswer[] = [];
  for (const query of input.queries) {
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    const server = engine.serverCpuMs?.() ?? 0;
    const answer = await engine.search(query);
    const used = process.cpuUsage(cpu);
    wallMs.push(performance.now() - t0);
    cpuMs.push((used.user + used.system) / 1000 + (engine.serverCpuMs?.() ?? 0) - server);
    answers.push(answer);
  }
  const output: BaselineOutput = {
    engine: engine.name,
    models: count,
    buildMs,
    rssDeltaBytes: after.rss - before.rss,
    heapDeltaBytes: after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers),
    peakRssBytes: await peakRss(),
    storedBytes,
    wallMs,
    cpuMs,
    answers,
  };
  await engine.close();
  writeFileSync(outputPath!, JSON.stringify(output));
}

await main();
