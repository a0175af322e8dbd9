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
 * The load average is printed after each row; the last line is one JSON object.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import {
  forgetSearchIndex,
  getSearchIndex,
  type SearchIndex,
  type SearchModelsParams,
  searchModels,
} from "../src/discovery/index.ts";
import { searchInIndex } from "../src/discovery/search-models.ts";
import { generateCatalog, seededRandom } from "../src/hub/catalog/generate-catalog.ts";
import { commercialUseOf } from "../src/hub/metadata/licenses.ts";
import { Catalog } from "../src/store/catalog.ts";
import { rawDb } from "../test/helpers/raw-store.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { createBenchDatabase, POSTGRES_SERVER_URL, postgresAvailable } from "./lib/scale-out.ts";
import type { BenchQuery } from "./lib/search-baselines/common.ts";
import {
  agreement,
  BASELINE_ENGINES,
  type EngineRow,
  engineRow,
  ownAnswer,
  printEngineTable,
  printKinds,
  runBaseline,
} from "./lib/search-baselines/compare.ts";
import type { BaselineEngine } from "./lib/search-baselines/run-baseline.ts";
import { MB, percentile, round } from "./lib/stats.ts";
import { makeTempDir, runCleanups } from "./lib/temp.ts";

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
const cacheOf = (models: number) => join("/tmp/hangar-search-bench", `${models}-${SEED}`);

async function openCatalog(models = MODELS): Promise<Catalog> {
  const CACHE = cacheOf(models);
  const done = join(CACHE, "complete");
  if (!existsSync(done)) {
    rmSync(CACHE, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    const catalog = await Catalog.open(join(CACHE, "hangar.db"));
    const started = performance.now();
    process.stderr.write(
      `Generating ${models.toLocaleString("en")} models (seed ${SEED}) into ${CACHE}...\n`,
    );
    await generateCatalog(catalog, {
      count: models,
      seed: SEED,
      onProgress: (count, total) => {
        if (count % 200_000 === 0 || count === total) process.stderr.write(`  ${count}/${total}\n`);
      },
    });
    rawDb(catalog).pragma("wal_checkpoint(TRUNCATE)");
    process.stderr.write(`  generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    writeFileSync(done, new Date().toISOString());
    return catalog;
  }
  return Catalog.open(join(CACHE, "hangar.db"));
}

const WORDS = ["llama", "qwen", "bert", "whisper", "sdxl", "mistral", "instruct", "chat", "gguf", "roberta"];
const TYPOS = ["lamma", "qwn", "bret", "wisper", "mistrall", "instrcut", "robera"];
const PREFIXES = ["lla", "qw", "whis", "inst", "deb", "mini", "tur"];
const TASKS = [
  "text-generation",
  "text-classification",
  "sentence-similarity",
  "automatic-speech-recognition",
  "text-to-image",
  "image-classification",
];
const LIBRARIES = ["transformers", "gguf", "peft", "sentence-transformers", "diffusers", "timm"];
const LICENSES = ["apache-2.0", "mit", "cc-by-nc-4.0", "llama3.1"];
const LANGUAGES = ["en", "zh", "fr", "de"];
const SORTS = ["relevance", "trending", "downloads", "likes", "updated", "created", "parameters"] as const;

/** A deterministic mixed query set: about a third text, a third filters, a third both, with every sort. */
function makeQueries(ids: string[]): SearchModelsParams[] {
  const random = seededRandom(SEED + 1);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const queries: SearchModelsParams[] = [];
  for (let n = 0; n < QUERY_COUNT; n++) {
    const query: SearchModelsParams = { sort: pick(SORTS), limit: 20 };
    const kind = n % 12;
    if (kind === 0) query.query = pick(WORDS);
    else if (kind === 1) query.query = `${pick(WORDS)} ${pick(WORDS)}`;
    else if (kind === 2) query.query = pick(TYPOS);
    else if (kind === 3) query.query = pick(PREFIXES);
    else if (kind === 4) query.query = ids[Math.floor(random() * ids.length)]!;
    else if (kind === 5) query.tasks = [pick(TASKS)];
    else if (kind === 6) {
      query.tasks = [pick(TASKS)];
      query.licenses = [pick(LICENSES)];
    } else if (kind === 7) {
      query.commercial = ["yes"];
      query.parametersMin = 1e8;
      query.parametersMax = 8e9;
      query.languages = [pick(LANGUAGES)];
    } else if (kind === 8) {
      query.query = pick(WORDS);
      query.libraries = [pick(LIBRARIES)];
    } else if (kind === 9) {
      query.query = pick(WORDS);
      query.tasks = [pick(TASKS)];
      query.commercial = ["yes"];
    } else if (kind === 10) {
      query.libraries = [pick(LIBRARIES)];
      query.gated = false;
    } else {
      // The whole catalog: the broadest facet pass there is.
      if (random() < 0.5) query.query = pick(WORDS);
    }
    if (query.sort === "relevance" && !query.query) query.sort = "downloads";
    queries.push(query);
  }
  return queries;
}

const COMMERCIAL_LICENSES = (catalog: Catalog): string[] =>
  (
    rawDb(catalog)
      .prepare("SELECT DISTINCT license FROM repo_facts WHERE license IS NOT NULL")
      .pluck()
      .all() as string[]
  ).filter((license) => commercialUseOf(license) === "yes");

const NAIVE_ORDER: Record<string, string> = {
  relevance: "r.downloads DESC",
  trending: "r.trending_score DESC, r.downloads DESC",
  downloads: "r.downloads DESC",
  likes: "r.likes DESC",
  updated: "r.last_modified DESC",
  created: "r.created_at DESC",
  parameters: "f.parameters DESC",
};

/**
 * The same query as plain SQL: LIKE on id and description per word (no prefix index, no typos), the filters
 * as WHERE clauses, ORDER BY for the page, COUNT(*) for the total, and one GROUP BY per facet dimension over
 * the result set.
 */
function naiveSearch(catalog: Catalog, query: SearchModelsParams, commercialLicenses: string[]): number {
  const where: string[] = ["r.type = 'model'", "r.private = 0"];
  const args: unknown[] = [];
  for (const word of (query.query ?? "").split(/\s+/).filter(Boolean)) {
    where.push("(lower(r.namespace || '/' || r.name) LIKE ? OR lower(f.description) LIKE ?)");
    args.push(`%${word.toLowerCase()}%`, `%${word.toLowerCase()}%`);
  }
  const list = (column: string, values: string[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${values.map(() => "?").join(", ")})`);
    args.push(...values);
  };
  list("r.pipeline_tag", query.tasks);
  list("r.library_name", query.libraries);
  list("f.license", query.licenses);
  if (query.commercial) list("f.license", commercialLicenses);
  if (query.languages) {
    where.push(
      `r.pk IN (SELECT repo_pk FROM repo_languages WHERE language IN (${query.languages.map(() => "?").join(", ")}))`,
    );
    args.push(...query.languages);
  }
  if (query.parametersMin !== undefined) {
    where.push("f.parameters >= ?");
    args.push(query.parametersMin);
  }
  if (query.parametersMax !== undefined) {
    where.push("f.parameters <= ?");
    args.push(query.parametersMax);
  }
  if (query.gated !== undefined) where.push(query.gated ? "r.gated != 'false'" : "r.gated = 'false'");
  const from = `FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk WHERE ${where.join(" AND ")}`;
  const db = rawDb(catalog);
  db.prepare(`SELECT r.pk ${from} ORDER BY ${NAIVE_ORDER[query.sort ?? "relevance"]} LIMIT 20`).all(...args);
  const total = db
    .prepare(`SELECT COUNT(*) ${from}`)
    .pluck()
    .get(...args) as number;
  for (const column of [
    "r.pipeline_tag",
    "r.library_name",
    "f.license",
    "r.namespace",
    "r.gated",
    "CASE WHEN f.parameters IS NULL THEN -1 WHEN f.parameters < 1e8 THEN 0 WHEN f.parameters < 1e9 THEN 1 WHEN f.parameters < 7e9 THEN 2 ELSE 3 END",
  ]) {
    db.prepare(
      `SELECT ${column} AS value, COUNT(*) AS n ${from} GROUP BY value ORDER BY n DESC LIMIT 30`,
    ).all(...args);
  }
  db.prepare(
    `SELECT l.language, COUNT(*) AS n FROM repo_languages l WHERE l.repo_pk IN (SELECT r.pk ${from}) GROUP BY l.language ORDER BY n DESC LIMIT 30`,
  ).all(...args);
  db.prepare(
    `SELECT b.base_model, COUNT(*) AS n FROM repo_base_models b WHERE b.repo_pk IN (SELECT r.pk ${from}) GROUP BY b.base_model ORDER BY n DESC LIMIT 30`,
  ).all(...args);
  return total;
}

function summary(samples: number[]): { p50: number; p95: number; p99: number; qps: number; mean: number } {
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    mean: round(total / samples.length),
    qps: round((samples.length / total) * 1000, 3),
  };
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
  const queries = makeQueries(index.ids);
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
  const engineSummary = summary(engine);
  console.log(
    `\nQueries: ${queries.length} (text, typos, prefixes, exact ids, filters, ranges, sorts), each with facets over 14 dimensions and insights; ${hits.toLocaleString("en")} hits in total`,
  );
  console.log("| path | queries | p50 ms | p95 ms | p99 ms | mean ms | queries/s |");
  console.log("|---|---|---|---|---|---|---|");
  const line = (name: string, samples: number[], stats: ReturnType<typeof summary>) =>
    console.log(
      `| ${name} | ${samples.length} | ${stats.p50} | ${stats.p95} | ${stats.p99} | ${stats.mean} | ${stats.qps} |`,
    );
  line("searchModels (index)", engine, engineSummary);
  line("searchModels (index), CPU time", engineCpu, summary(engineCpu));
  console.log("\nBy query kind (wall ms, count in brackets):");
  printKinds(queries as BenchQuery[], [
    { name: "searchModels (index)", wallMs: engine },
    { name: "searchModels (index), CPU time", wallMs: engineCpu },
  ]);
  const commercialLicenses = COMMERCIAL_LICENSES(catalog);
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
    const naiveSummary = summary(naive);
    const subsetSummary = summary(engineSubset);
    line("searchModels, same subset as naive", engineSubset, subsetSummary);
    line("naive SQL (LIKE + GROUP BY)", naive, naiveSummary);
    console.log(
      `\nRatio naive / index on the same ${naive.length} queries: p50 ${round(naiveSummary.p50 / subsetSummary.p50, 1)}x, p95 ${round(naiveSummary.p95 / subsetSummary.p95, 1)}x, mean ${round(naiveSummary.mean / subsetSummary.mean, 1)}x`,
    );
  }
  console.log(
    `Target p95 <= 20 ms with facets: ${engineSummary.p95 <= 20 ? "met" : "NOT met"} (wall ${engineSummary.p95} ms, CPU ${summary(engineCpu).p95} ms; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
  );
  if (mismatches > 0)
    console.log(`WARNING: ${mismatches} filter-only queries gave different totals in the naive path`);
  printLoad("after the SQLite row");
  const engines: EngineRow[] = [];
  if (BASELINES.length > 0) {
    // The same queries with facets and without insights: what the baselines compute too.
    const compared = queries.filter((_, n) => n % BASELINE_EVERY === 0);
    const own = ownPass(index, compared);
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
      const result = await baselineRow(engine, cacheOf(MODELS), compared, own.answers);
      engines.push(result.row);
      kinds.push({ name: result.row.name, wallMs: result.wallMs });
    }
    printComparison(MODELS, compared, engines, kinds);
    if (BASELINES.includes("orama") && ORAMA_MODELS !== MODELS) {
      engines.push(...(await oramaComparison()));
    }
  } else await catalog.close();
  const postgres = POSTGRES ? await postgresRow(engineSummary, buildSeconds) : undefined;
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

/** The own engine over the queries with facets and without insights, timed, with its answers. */
function ownPass(
  index: SearchIndex,
  queries: SearchModelsParams[],
): { wallMs: number[]; cpuMs: number[]; answers: ReturnType<typeof ownAnswer>[] } {
  for (const query of queries.slice(0, WARMUP)) searchInIndex(index, { ...query, insights: false });
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const answers: ReturnType<typeof ownAnswer>[] = [];
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

/** One baseline on a cached catalog, in a child process; its row with its agreement with the own engine. */
async function baselineRow(
  engine: BaselineEngine,
  cache: string,
  queries: SearchModelsParams[],
  own: ReturnType<typeof ownAnswer>[],
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
      warmup: BASELINE_WARMUP,
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

function printComparison(
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
  const queries = makeQueries(index.ids).filter((_, n) => n % BASELINE_EVERY === 0);
  const own = ownPass(index, queries);
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
  const orama = await baselineRow("orama", cacheOf(ORAMA_MODELS), queries, own.answers);
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

/**
 * The PostgreSQL row (issue 12): the same synthetic catalog (seed, `SEARCH_BENCH_POSTGRES_MODELS`, default
 * the SQLite row's size) bulk loaded into a fresh database, the index built from it, and the same kind of
 * query mix through `searchModels` as a node serves it (each query first asks the catalog's change feed
 * whether the index is current: one round trip). The load is timed too: it is the ceiling on the size.
 */
async function postgresRow(sqlite: ReturnType<typeof summary>, sqliteBuildSeconds: number) {
  if (!(await postgresAvailable())) {
    console.log(`\nPostgreSQL row skipped: no PostgreSQL at ${POSTGRES_SERVER_URL}`);
    return undefined;
  }
  const catalog = await Catalog.open(await createBenchDatabase());
  try {
    process.stderr.write(
      `Loading ${POSTGRES_MODELS.toLocaleString("en")} models (seed ${SEED}) into PostgreSQL...\n`,
    );
    const loadStarted = performance.now();
    await generateCatalog(catalog, {
      count: POSTGRES_MODELS,
      seed: SEED,
      onProgress: (count, total) => {
        if (count % 100_000 === 0 || count === total)
          process.stderr.write(
            `  ${count}/${total} (${((performance.now() - loadStarted) / 1000).toFixed(0)} s)\n`,
          );
      },
    });
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const started = performance.now();
    const index = await getSearchIndex({ catalog });
    const buildSeconds = (performance.now() - started) / 1000;
    for (const sort of SORTS) {
      for (const ascending of [false, true]) await searchModels(index, { sort, ascending, limit: 1 });
    }
    const queries = makeQueries(index.ids);
    for (const query of queries.slice(0, 40)) await searchModels({ catalog }, query);
    const samples: number[] = [];
    for (const query of queries) {
      const t0 = performance.now();
      await searchModels({ catalog }, query);
      samples.push(performance.now() - t0);
    }
    const result = summary(samples);
    console.log(
      `\nPostgreSQL: ${index.stats().models.toLocaleString("en")} models bulk loaded in ${loadSeconds.toFixed(1)} s (${round(POSTGRES_MODELS / loadSeconds, 0)} models/s); index built in ${buildSeconds.toFixed(1)} s (SQLite: ${sqliteBuildSeconds.toFixed(1)} s)`,
    );
    console.log("| catalog | queries | p50 ms | p95 ms | p99 ms | mean ms | queries/s |");
    console.log("|---|---|---|---|---|---|---|");
    console.log(
      `| SQLite | ${QUERY_COUNT} | ${sqlite.p50} | ${sqlite.p95} | ${sqlite.p99} | ${sqlite.mean} | ${sqlite.qps} |`,
    );
    console.log(
      `| PostgreSQL | ${samples.length} | ${result.p50} | ${result.p95} | ${result.p99} | ${result.mean} | ${result.qps} |`,
    );
    printLoad("after the PostgreSQL row");
    return {
      models: index.stats().models,
      loadSeconds: round(loadSeconds, 1),
      buildSeconds: round(buildSeconds, 1),
      queriesMs: result,
    };
  } finally {
    await catalog.close();
  }
}

try {
  await main();
} finally {
  await runCleanups();
}
