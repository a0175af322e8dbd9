import pg from "pg";
import { generateCatalog } from "/work/wt/bench/src/hub/catalog/generate-catalog.ts";
import { Catalog } from "/work/wt/bench/src/store/catalog.ts";

const n = Number(process.argv[2] ?? 20000);
const name = `hangar_bench_probe_${process.pid}`;
const admin = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/postgres" });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
try {
  const catalog = await Catalog.open(`postgres://postgres@127.0.0.1:5432/${name}`);
  const t = performance.now();
  await generateCatalog(catalog, { count: n, seed: 42 });
  console.log(`${n} models in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await catalog.close();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
