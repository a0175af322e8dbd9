/**
 * The rows of `bench:search`'s engine comparison: the own engine's pass over the queries (facets, no
 * insights: what the baselines compute too), one baseline's row from a process of its own with its
 * agreement with the own engine, and the comparison's printed tables.
 */
import { join } from "node:path";
import type { SearchIndex, SearchModelsParams } from "../../../src/discovery/index.ts";
import { searchInIndex } from "../../../src/discovery/search-models.ts";
import { printLoad } from "../machine.ts";
import { createBenchDatabase } from "../scale-out.ts";
import { makeTempDir } from "../temp.ts";
import type { BaselineAnswer, BenchQuery } from "./common.ts";
import {
  agreement,
  type EngineRow,
  engineRow,
  ownAnswer,
  printEngineTable,
  printKinds,
  runBaseline,
} from "./compare.ts";
import type { BaselineEngine } from "./run-baseline.ts";

export interface OwnPass {
  wallMs: number[];
  cpuMs: number[];
  answers: BaselineAnswer[];
}

/** The own engine over the queries with facets and without insights, timed, with its answers. */
export function ownPass(index: SearchIndex, queries: SearchModelsParams[], warmup: number): OwnPass {
  for (const query of queries.slice(0, warmup)) searchInIndex(index, { ...query, insights: false });
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const answers: BaselineAnswer[] = [];
  for (const query of queries) {
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    const result = searchInIndex(index, { ...query, insights: false });
    const used = process.cpuUsage(cpu);
    wallMs.push(performance.now() - t0);
    cpuMs.push((used.user + used.system) / 1000);
    answers.push(ownAnswer(result));
  }
  return { wallMs, cpuMs, answers };
}

/**
 * One baseline on a cached catalog (the folder holding its `hangar.db`), in a child process; its row with
 * its agreement with the own engine's answers.
 */
export async function baselineRow(
  engine: BaselineEngine,
  cache: string,
  queries: SearchModelsParams[],
  own: BaselineAnswer[],
  warmup: number,
): Promise<{ row: EngineRow; wallMs: number[] }> {
  const folder = await makeTempDir(`search-${engine}`);
  const databaseUrl = engine === "postgres-fts" ? await createBenchDatabase() : undefined;
  process.stderr.write(`Building ${engine} over ${join(cache, "hangar.db")}...\n`);
  const output = await runBaseline(
    {
      engine,
      catalogPath: join(cache, "hangar.db"),
      folder,
      ...(databaseUrl ? { databaseUrl } : {}),
      queries: queries as BenchQuery[],
      warmup,
    },
    folder,
  );
  printLoad(`after ${output.engine}`);
  return {
    row: engineRow(
      output.engine,
      output.models,
      output.buildMs,
      output.rssDeltaBytes,
      output.storedBytes,
      output.wallMs,
      output.cpuMs,
      agreement(queries as BenchQuery[], own, output.answers),
    ),
    wallMs: output.wallMs,
  };
}

/** The engines' table on one catalog and query set, then their latencies by query kind. */
export function printComparison(
  models: number,
  queries: SearchModelsParams[],
  rows: EngineRow[],
  kinds: Array<{ name: string; wallMs: number[] }>,
): void {
  console.log(
    `\nEngines on the same ${models.toLocaleString("en")}-model catalog and ${queries.length} queries, each with facet counts (10 dimensions, disjunctive), page of 20, total; no insights. Wall time and CPU time (PostgreSQL: client + server backend); memory: resident growth of the engine's process over the build / bytes on disk or in the server; agreement with Hangar's engine:`,
  );
  printEngineTable(rows);
  console.log("\nBy query kind (wall ms, count in brackets):");
  printKinds(queries as BenchQuery[], kinds);
}
