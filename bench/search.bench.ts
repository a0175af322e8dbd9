/**
 * `npm run bench:search`: search with facets over a 1,000,000-model synthetic catalog
 * (`SEARCH_BENCH_MODELS`, `SEARCH_BENCH_SEED` to change it). The catalog is generated once and kept under
 * /tmp/hangar-search-bench/<models>-<seed>/ for later runs. Prints the index build time and memory, then
 * p50/p95/p99 and queries per second of a mixed set of queries (text, typos, prefixes, exact ids, filters,
 * ranges, sorts and combinations, every one with facets and insights) through `searchModels`, next to a naive
 * implementation of the same queries measured in the same run: one SQL statement with LIKE for the page and
 * the total, and one GROUP BY per facet dimension. The naive path is slow, so it runs on every
 * `SEARCH_BENCH_NAIVE_EVERY`-th query (default 8) and the ratio compares the engine on that same subset.
 * Then the PostgreSQL row (`SEARCH_BENCH_POSTGRES=0` skips it): the same catalog bulk loaded into a fresh
 * database (`SEARCH_BENCH_POSTGRES_MODELS`, default the SQLite size), its index build and query latencies.
 * Then the engines a team would otherwise pick (issue 19), on the same catalog, queries and facets, each in a
 * process of its own (bench/lib/search-baselines/): SQLite FTS5 with indexed facet GROUP BYs, PostgreSQL
 * full-text search with GIN indexes, and Orama. Orama keeps every document and its index as JavaScript
 * objects (about 10 KB a model), so it runs on a catalog of `SEARCH_BENCH_ORAMA_MODELS` (default 100,000)
 * with the own engine measured again on that catalog beside it. `SEARCH_BENCH_BASELINES` picks engines
 * (comma-separated: sqlite-fts5, postgres-fts, orama; empty for none). Every engine's answers are compared
 * with the own engine's (top-10 overlap, totals, facet lists), so none wins by returning less.
 * Other knobs: `SEARCH_BENCH_QUERIES` (240, at least 200), `SEARCH_BENCH_NAIVE_SECONDS` (180: the naive row's
 * time budget), `SEARCH_BENCH_NAIVE=0` (no naive row), `SEARCH_BENCH_BASELINE_EVERY` (1: the baselines' step
 * through the queries) and `SEARCH_BENCH_BASELINE_WARMUP` (40: their warm-up queries).
 * The load average is printed after each row; the last line is one JSON object. The query mix is in
 * bench/lib/search-queries.ts, the naive path in bench/lib/search-naive-sql.ts, the PostgreSQL row in
 * bench/lib/search-postgres-row.ts.
 */
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { forgetSearchIndex, getSearchIndex, type SearchIndex, searchModels } from "../src/discovery/index.ts";
import { searchInIndex } from "../src/discovery/search-models.ts";
import { Catalog } from "../src/store/catalog.ts";
import { ensureGeneratedCatalog, generatedCatalogDir } from "./lib/generated-catalog.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import type { BenchQuery } from "./lib/search-baselines/common.ts";
import { BASELINE_ENGINES, type EngineRow, engineRow, printKinds } from "./lib/search-baselines/compare.ts";
import { baselineRow, ownPass, printComparison } from "./lib/search-baselines/engine-rows.ts";
import type { BaselineEngine } from "./lib/search-baselines/run-baseline.ts";
import { commercialLicensesOf, naiveSearch } from "./lib/search-naive-sql.ts";
import { postgresRow } from "./lib/search-postgres-row.ts";
import { makeQueries, SORTS } from "./lib/search-queries.ts";
import { latencySummary, MB, round } from "./lib/stats.ts";
import { runCleanups } from "./lib/temp.ts";

const MODELS = Number(process.env.SEARCH_BENCH_MODELS ?? 1_000_000);
const SEED = Number(process.env.SEARCH_BENCH_SEED ?? 42);
const NAIVE_EVERY = Math.max(1, Number(process.env.SEARCH_BENCH_NAIVE_EVERY ?? 8));
const NAIVE_BUDGET_MS = Number(process.env.SEARCH_BENCH_NAIVE_SECONDS ?? 180) * 1000;
const QUERY_COUNT = Math.max(200, Number(process.env.SEARCH_BENCH_QUERIES ?? 240));
/** SEARCH_BENCH_NAIVE=0 skips the naive SQL row (it takes minutes at a million models). */
const NAIVE = process.env.SEARCH_BENCH_NAIVE !== "0";
/** SEARCH_BENCH_POSTGRES=0 skips the PostgreSQL row; SEARCH_BENCH_POSTGRES_MODELS sets its size. */
const POSTGRES = process.env.SEARCH_BENCH_POSTGRES !== "0";
const POSTGRES_MODELS = Number(process.env.SEARCH_BENCH_POSTGRES_MODELS ?? MODELS);
const BASELINES = (process.env.SEARCH_BENCH_BASELINES ?? BASELINE_ENGINES.join(","))
  .split(",")
  .filter((name): name is BaselineEngine => (BASELINE_ENGINES as readonly string[]).includes(name));
const ORAMA_MODELS = Number(process.env.SEARCH_BENCH_ORAMA_MODELS ?? Math.min(MODELS, 100_000));
const WARMUP = 40;
/**
 * The baselines run every `SEARCH_BENCH_BASELINE_EVERY`-th query (default 1: all; pick a step coprime with 12
 * so every query kind stays in), and the own engine's row beside them covers the same queries.
 */
const BASELINE_EVERY = Math.max(1, Number(process.env.SEARCH_BENCH_BASELINE_EVERY ?? 1));
const BASELINE_WARMUP = Number(process.env.SEARCH_BENCH_BASELINE_WARMUP ?? WARMUP);

/** The generated catalog of `models` (seed SEED), made once and kept for later runs. */
async function openCatalog(models = MODELS): Promise<Catalog> {
  return Catalog.open(join(await ensureGeneratedCatalog(models, SEED), "hangar.db"));
}

async function main(): Promise<void> {
  const machineAtStart = machineInfo();
  console.log(describeMachine(machineAtStart));
  const catalog = await openCatalog();
  const before = process.memoryUsage();
  const started = performance.now();
  let index: SearchIndex | null = await getSearchIndex({ catalog });
  const buildSeconds = (performance.now() - started) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage();
  const stats = index.stats();
  console.log(
    `Index: ${stats.models.toLocaleString("en")} models, ${stats.terms.toLocaleString("en")} terms, ${stats.postings.toLocaleString("en")} postings; built in ${buildSeconds.toFixed(1)} s`,
  );
  console.log(
    `Memory: typed arrays ${round(stats.arrayBytes / MB, 0)} MB; process heap +${round((after.heapUsed - before.heapUsed) / MB, 0)} MB, array buffers +${round((after.arrayBuffers - before.arrayBuffers) / MB, 0)} MB, RSS ${round(after.rss / MB, 0)} MB`,
  );

  // Each sort's order over the catalog is computed on its first use; time that apart from the queries.
  const ordersStarted = performance.now();
  for (const sort of SORTS) {
    for (const ascending of [false, true]) await searchModels(index, { sort, ascending, limit: 1 });
  }
  console.log(
    `Sort orders (${SORTS.length} sorts x 2 directions), built on first use: ${((performance.now() - ordersStarted) / 1000).toFixed(1)} s; RSS now ${round(process.memoryUsage().rss / MB, 0)} MB`,
  );
  const queries = makeQueries(index.ids, { seed: SEED, count: QUERY_COUNT });
  // Warm-up: one pass so the JIT has compiled the hot loops before measuring.
  for (const query of queries.slice(0, 40)) await searchModels(index, query);
  const engine: number[] = [];
  // CPU time of this process per query: on a machine shared with other work, wall time includes waiting
  // for a core; CPU time is what the query itself costs.
  const engineCpu: number[] = [];
  let hits = 0;
  for (const query of queries) {
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    const result = await searchModels({ catalog }, query);
    const used = process.cpuUsage(cpu);
    engine.push(performance.now() - t0);
    engineCpu.push((used.user + used.system) / 1000);
    hits += result.total;
  }
  const engineSummary = latencySummary(engine);
  console.log(
    `\nQueries: ${queries.length} (text, typos, prefixes, exact ids, filters, ranges, sorts), each with facets over 14 dimensions and insights; ${hits.toLocaleString("en")} hits in total`,
  );
  console.log("| path | queries | p50 ms | p95 ms | p99 ms | mean ms | queries/s |");
  console.log("|---|---|---|---|---|---|---|");
  const line = (name: string, samples: number[], stats: ReturnType<typeof latencySummary>) =>
    console.log(
      `| ${name} | ${samples.length} | ${stats.p50} | ${stats.p95} | ${stats.p99} | ${stats.mean} | ${stats.qps} |`,
    );
  line("searchModels (index)", engine, engineSummary);
  line("searchModels (index), CPU time", engineCpu, latencySummary(engineCpu));
  console.log("\nBy query kind (wall ms, count in brackets):");
  printKinds(queries as BenchQuery[], [
    { name: "searchModels (index)", wallMs: engine },
    { name: "searchModels (index), CPU time", wallMs: engineCpu },
  ]);
  const commercialLicenses = commercialLicensesOf(catalog);
  const naive: number[] = [];
  const engineSubset: number[] = [];
  let mismatches = 0;
  const naiveStarted = performance.now();
  for (let n = 0; NAIVE && n < queries.length; n += NAIVE_EVERY) {
    // The naive path takes seconds per query at a million models: stop after the time budget.
    if (naive.length >= 8 && performance.now() - naiveStarted > NAIVE_BUDGET_MS) break;
    const query = queries[n]!;
    const t0 = performance.now();
    const total = naiveSearch(catalog, query, commercialLicenses);
    naive.push(performance.now() - t0);
    engineSubset.push(engine[n]!);
    // Filter-only queries mean the same thing in both: their totals must agree.
    if (
      !query.query &&
      total !== (await searchModels(index, { ...query, facets: false, insights: false })).total
    ) {
      mismatches++;
    }
  }
  if (NAIVE) {
    const naiveSummary = latencySummary(naive);
    const subsetSummary = latencySummary(engineSubset);
    line("searchModels, same subset as naive", engineSubset, subsetSummary);
    line("naive SQL (LIKE + GROUP BY)", naive, naiveSummary);
    console.log(
      `\nRatio naive / index on the same ${naive.length} queries: p50 ${round(naiveSummary.p50 / subsetSummary.p50, 1)}x, p95 ${round(naiveSummary.p95 / subsetSummary.p95, 1)}x, mean ${round(naiveSummary.mean / subsetSummary.mean, 1)}x`,
    );
  }
  console.log(
    `Target p95 <= 20 ms with facets: ${engineSummary.p95 <= 20 ? "met" : "NOT met"} (wall ${engineSummary.p95} ms, CPU ${latencySummary(engineCpu).p95} ms; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
  );
  if (mismatches > 0)
    console.log(`WARNING: ${mismatches} filter-only queries gave different totals in the naive path`);
  printLoad("after the SQLite row");
  const engines: EngineRow[] = [];
  if (BASELINES.length > 0) {
    // The same queries with facets and without insights: what the baselines compute too.
    const compared = queries.filter((_, n) => n % BASELINE_EVERY === 0);
    const own = ownPass(index, compared, WARMUP);
    engines.push(
      engineRow(
        "Hangar's engine (facets, no insights)",
        stats.models,
        buildSeconds * 1000,
        after.rss - before.rss,
        null,
        own.wallMs,
        own.cpuMs,
        null,
      ),
    );
    index = null;
    forgetSearchIndex(catalog);
    await catalog.close();
    const here = BASELINES.filter((engine) => engine !== "orama" || ORAMA_MODELS === MODELS);
    const kinds = [{ name: "Hangar", wallMs: own.wallMs }];
    for (const engine of here) {
      const result = await baselineRow(
        engine,
        generatedCatalogDir(MODELS, SEED),
        compared,
        own.answers,
        BASELINE_WARMUP,
      );
      engines.push(result.row);
      kinds.push({ name: result.row.name, wallMs: result.wallMs });
    }
    printComparison(MODELS, compared, engines, kinds);
    if (BASELINES.includes("orama") && ORAMA_MODELS !== MODELS) {
      engines.push(...(await oramaComparison()));
    }
  } else await catalog.close();
  const postgres = POSTGRES
    ? await postgresRow({
        models: POSTGRES_MODELS,
        seed: SEED,
        queryCount: QUERY_COUNT,
        sqlite: engineSummary,
        sqliteBuildSeconds: buildSeconds,
      })
    : undefined;
  console.log(
    JSON.stringify({
      benchmark: "search",
      machine: { ...machineAtStart, loadAverageAtEnd: machineInfo().loadAverage },
      sqlite: { models: stats.models, buildSeconds: round(buildSeconds, 1), queriesMs: engineSummary },
      ...(engines.length > 0 ? { engines } : {}),
      ...(postgres ? { postgres } : {}),
    }),
  );
}

/** Orama on its own, smaller catalog, with the own engine measured again on that catalog beside it. */
async function oramaComparison(): Promise<EngineRow[]> {
  const catalog = await openCatalog(ORAMA_MODELS);
  const before = process.memoryUsage();
  const started = performance.now();
  let index: SearchIndex | null = await getSearchIndex({ catalog });
  const buildMs = performance.now() - started;
  (globalThis as { gc?: () => void }).gc?.();
  const rss = process.memoryUsage().rss - before.rss;
  for (const sort of SORTS) searchInIndex(index, { sort, limit: 1 });
  const queries = makeQueries(index.ids, { seed: SEED, count: QUERY_COUNT }).filter(
    (_, n) => n % BASELINE_EVERY === 0,
  );
  const own = ownPass(index, queries, WARMUP);
  const models = index.size;
  index = null;
  forgetSearchIndex(catalog);
  await catalog.close();
  const ownRow = engineRow(
    "Hangar's engine (facets, no insights)",
    models,
    buildMs,
    rss,
    null,
    own.wallMs,
    own.cpuMs,
    null,
  );
  const orama = await baselineRow(
    "orama",
    generatedCatalogDir(ORAMA_MODELS, SEED),
    queries,
    own.answers,
    BASELINE_WARMUP,
  );
  printComparison(
    ORAMA_MODELS,
    queries,
    [ownRow, orama.row],
    [
      { name: "Hangar", wallMs: own.wallMs },
      { name: orama.row.name, wallMs: orama.wallMs },
    ],
  );
  return [ownRow, orama.row];
}

try {
  await main();
} finally {
  await runCleanups();
}
