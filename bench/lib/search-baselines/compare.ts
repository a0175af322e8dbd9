/**
 * The engine comparison of `bench:search`: Hangar's own engine and the baselines (SQLite FTS5, PostgreSQL
 * full-text search, Orama) on the same catalog, queries and facets, each baseline in a process of its own.
 * Every engine's answers are compared with the own engine's so none wins by returning less: overlap of the
 * top 10, totals, facet lists.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SearchModelsResult } from "../../../src/discovery/index.ts";
import { percentile, round } from "../stats.ts";
import {
  type BaselineAnswer,
  type BenchQuery,
  FACET_DIMENSIONS,
  type FacetCounts,
  queryWords,
} from "./common.ts";
import type { BaselineEngine, BaselineInput, BaselineOutput } from "./run-baseline.ts";

export const BASELINE_ENGINES: readonly BaselineEngine[] = ["sqlite-fts5", "postgres-fts", "orama"];

/** The own engine's answer in the baselines' shape (the facet dimensions they count). */
export function ownAnswer(result: SearchModelsResult): BaselineAnswer {
  const facets = {} as FacetCounts;
  for (const dimension of FACET_DIMENSIONS) {
    facets[dimension] = (result.facets?.[dimension] ?? []).map((value) => [value.value, value.count]);
  }
  return { ids: result.results.map((hit) => hit.id), total: result.total, facets };
}

/** Runs one baseline in a child process (with `--expose-gc`) and returns what it measured. */
export async function runBaseline(input: BaselineInput, folder: string): Promise<BaselineOutput> {
  const inputPath = join(folder, `${input.engine}-input.json`);
  const outputPath = join(folder, `${input.engine}-output.json`);
  writeFileSync(inputPath, JSON.stringify(input));
  const script = fileURLToPath(new URL("./run-baseline.ts", import.meta.url));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=6144", "--import", "tsx", script, inputPath, outputPath],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${input.engine} baseline exited with ${code ?? signal}`)),
    );
  });
  return JSON.parse(readFileSync(outputPath, "utf8")) as BaselineOutput;
}

export interface Agreement {
  /** Mean share of the own engine's top 10 that the engine also returns in its top 10. */
  top10Text: number;
  top10Other: number;
  /** Share of queries whose total is within 1 % of the own engine's, and the median ratio. */
  totalsMatch: number;
  totalRatio: number;
  /** Share of (query, dimension) facet lists whose top 5 values and counts equal the own engine's. */
  facetsMatch: number;
}

function overlap(own: string[], other: string[]): number | null {
  const wanted = own.slice(0, 10);
  if (wanted.length === 0) return null;
  const got = new Set(other.slice(0, 10));
  return wanted.filter((id) => got.has(id)).length / wanted.length;
}

/** A facet list's five largest values, ties by value (Hangar lists range buckets in bucket order). */
function topFive(list: Array<[string, number]>): Array<[string, number]> {
  return [...list].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
}

export function agreement(queries: BenchQuery[], own: BaselineAnswer[], other: BaselineAnswer[]): Agreement {
  const text: number[] = [];
  const rest: number[] = [];
  const ratios: number[] = [];
  let totalsMatch = 0;
  let facetLists = 0;
  let facetsMatch = 0;
  queries.forEach((query, at) => {
    const mine = own[at]!;
    const theirs = other[at]!;
    const share = overlap(mine.ids, theirs.ids);
    if (share !== null)
      (queryWords(query).length > 0 && query.sort === "relevance" ? text : rest).push(share);
    const ratio =
      mine.total === 0 ? (theirs.total === 0 ? 1 : Number.POSITIVE_INFINITY) : theirs.total / mine.total;
    ratios.push(ratio);
    if (Math.abs(ratio - 1) <= 0.01) totalsMatch++;
    for (const dimension of FACET_DIMENSIONS) {
      facetLists++;
      const a = JSON.stringify(topFive(mine.facets[dimension]));
      const b = JSON.stringify(topFive(theirs.facets[dimension]));
      if (a === b) facetsMatch++;
    }
  });
  const mean = (values: number[]) =>
    values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    top10Text: round(mean(text), 2),
    top10Other: round(mean(rest), 2),
    totalsMatch: round(totalsMatch / queries.length, 2),
    totalRatio: round(percentile(ratios, 50), 2),
    facetsMatch: round(facetsMatch / facetLists, 2),
  };
}

export interface EngineRow {
  name: string;
  models: number;
  buildSeconds: number;
  /** Memory the engine holds: the process's growth, and bytes outside it (file, server tables). */
  memoryMB: number;
  storedMB: number | null;
  p50: number;
  p95: number;
  cpuP50: number;
  cpuP95: number;
  agreement: Agreement | null;
}

export function engineRow(
  name: string,
  models: number,
  buildMs: number,
  memoryBytes: number,
  storedBytes: number | null,
  wallMs: number[],
  cpuMs: number[],
  agreementWithOwn: Agreement | null,
): EngineRow {
  const MB = 1024 * 1024;
  return {
    name,
    models,
    buildSeconds: round(buildMs / 1000, 1),
    memoryMB: round(memoryBytes / MB, 0),
    storedMB: storedBytes === null ? null : round(storedBytes / MB, 0),
    p50: round(percentile(wallMs, 50), 1),
    p95: round(percentile(wallMs, 95), 1),
    cpuP50: round(percentile(cpuMs, 50), 1),
    cpuP95: round(percentile(cpuMs, 95), 1),
    agreement: agreementWithOwn,
  };
}

export function printEngineTable(rows: EngineRow[]): void {
  console.log(
    "| engine | models | build s | memory MB (process / stored) | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | top-10 overlap (text relevance / other) | totals = own | facet lists = own |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) {
    const a = row.agreement;
    console.log(
      `| ${row.name} | ${row.models.toLocaleString("en")} | ${row.buildSeconds} | ${row.memoryMB} / ${row.storedMB ?? "-"} | ${row.p50} | ${row.p95} | ${row.cpuP50} | ${row.cpuP95} | ${a ? `${a.top10Text} / ${a.top10Other}` : "(reference)"} | ${a ? `${Math.round(a.totalsMatch * 100)} % (median ratio ${a.totalRatio})` : "-"} | ${a ? `${Math.round(a.facetsMatch * 100)} %` : "-"} |`,
    );
  }
}

/** Per query kind (the query mix's 12 kinds), p95 wall time of each engine: where each one wins or loses. */
export function printKinds(queries: BenchQuery[], engines: Array<{ name: string; wallMs: number[] }>): void {
  const kindOf = (query: BenchQuery): string => {
    const text = queryWords(query).length > 0;
    const filters =
      [query.tasks, query.libraries, query.licenses, query.commercial, query.languages].filter(Boolean)
        .length +
      (query.parametersMin !== undefined ? 1 : 0) +
      (query.gated !== undefined ? 1 : 0);
    if (text && filters > 0) return "text + filters";
    if (text) return "text only";
    if (filters > 0) return "filters only";
    return "whole catalog";
  };
  const kinds = [...new Set(queries.map(kindOf))];
  console.log(`| engine | ${kinds.map((kind) => `${kind} p50 / p95 ms`).join(" | ")} |`);
  console.log(`|---|${kinds.map(() => "---").join("|")}|`);
  for (const engine of engines) {
    const cells = kinds.map((kind) => {
      const samples = engine.wallMs.filter((_, at) => kindOf(queries[at]!) === kind);
      return `${round(percentile(samples, 50), 1)} / ${round(percentile(samples, 95), 1)} (${samples.length})`;
    });
    console.log(`| ${engine.name} | ${cells.join(" | ")} |`);
  }
}
