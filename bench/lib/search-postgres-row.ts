// The PostgreSQL row of `bench:search` (issue 12): the same synthetic catalog bulk loaded into a fresh
// database, the search index built from it, and the query mix through `searchModels` as a node serves it.
import { getSearchIndex, searchModels } from "../../src/discovery/index.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { printLoad } from "./machine.ts";
import { createBenchDatabase, POSTGRES_SERVER_URL, postgresAvailable } from "./scale-out.ts";
import { makeQueries, SORTS } from "./search-queries.ts";
import { latencySummary, round } from "./stats.ts";

export interface PostgresRow {
  models: number;
  loadSeconds: number;
  buildSeconds: number;
  queriesMs: ReturnType<typeof latencySummary>;
}

/**
 * The synthetic catalog (`seed`, `models` of them) bulk loaded into a fresh database, the index built from it,
 * and `queryCount` queries of the mix through `searchModels` (each query first asks the catalog's change feed
 * whether the index is current: one round trip). The load is timed too: it is the ceiling on the size.
 * Printed beside the SQLite row's figures; undefined (with one line) when no PostgreSQL answers.
 */
export async function postgresRow(params: {
  models: number;
  seed: number;
  queryCount: number;
  sqlite: ReturnType<typeof latencySummary>;
  sqliteBuildSeconds: number;
}): Promise<PostgresRow | undefined> {
  const { models, seed, queryCount, sqlite, sqliteBuildSeconds } = params;
  if (!(await postgresAvailable())) {
    console.log(`\nPostgreSQL row skipped: no PostgreSQL at ${POSTGRES_SERVER_URL}`);
    return undefined;
  }
  const catalog = await Catalog.open(await createBenchDatabase());
  try {
    process.stderr.write(`Loading ${models.toLocaleString("en")} models (seed ${seed}) into PostgreSQL...\n`);
    const loadStarted = performance.now();
    await generateCatalog(catalog, {
      count: models,
      seed,
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
    const queries = makeQueries(index.ids, { seed, count: queryCount });
    for (const query of queries.slice(0, 40)) await searchModels({ catalog }, query);
    const samples: number[] = [];
    for (const query of queries) {
      const t0 = performance.now();
      await searchModels({ catalog }, query);
      samples.push(performance.now() - t0);
    }
    const result = latencySummary(samples);
    console.log(
      `\nPostgreSQL: ${index.stats().models.toLocaleString("en")} models bulk loaded in ${loadSeconds.toFixed(1)} s (${round(models / loadSeconds, 0)} models/s); index built in ${buildSeconds.toFixed(1)} s (SQLite: ${sqliteBuildSeconds.toFixed(1)} s)`,
    );
    console.log("| catalog | queries | p50 ms | p95 ms | p99 ms | mean ms | queries/s |");
    console.log("|---|---|---|---|---|---|---|");
    console.log(
      `| SQLite | ${queryCount} | ${sqlite.p50} | ${sqlite.p95} | ${sqlite.p99} | ${sqlite.mean} | ${sqlite.qps} |`,
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
