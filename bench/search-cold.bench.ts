/**
 * `npm run bench:search-cold`: a CLI search in a fresh process on a 1,000,000-model home (issue 19 §3).
 * Options (`npm run bench:search-cold -- --models 200000 --rounds 3 --commits 100,1000`), or the environment
 * variables `SEARCH_COLD_MODELS`, `SEARCH_COLD_SEED`, `SEARCH_COLD_ROUNDS`, `SEARCH_COLD_COMMITS`.
 *
 * The generated home (`hangar dev gen-catalog`'s catalog: `generateCatalog` with the seed) is kept under
 * /tmp/hangar-search-cold-bench/<models>-<seed>/ for later runs; when bench:search has generated the same
 * catalog (/tmp/hangar-search-bench/<models>-<seed>/) it is copied from there (SQLite's online backup, a
 * consistent copy) instead of generated again. Each run works on a fresh copy of it. Rows:
 *   (a) a full index build in this process (`SearchIndex.build`), with its RSS;
 *   (b) writing the snapshot (`saveSnapshot`, which sorts and stores the descending sort orders), and the
 *       file's size;
 *   (c) `hangar search` as a child process (the real CLI, `--json`) that reads the snapshot and answers:
 *       wall time, the snapshot load time it reports, the query's own time (which includes reading the parts
 *       of the snapshot the query needs: the load reads the header and dictionaries only), the child's peak RSS;
 *   (d) the same command with no snapshot (deleted first): the process builds the index (and writes a new
 *       snapshot before it exits, as the CLI does);
 *   (e) the same command on an empty home: what any CLI process costs (Node, tsx, opening the home);
 *   (f) after N new commits (repos created in the home): the CLI reads the snapshot and catches up from the
 *       change feed, and finds the new repos.
 * The load average is printed before and after each row; the last line is one JSON object.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { defaultConfig } from "../src/core/config.ts";
import { SearchIndex } from "../src/discovery/search-index.ts";
import { saveSnapshot, snapshotFileOf } from "../src/discovery/search-index-snapshot.ts";
import { createHangar } from "../src/hangar.ts";
import { localAdministrator } from "../src/hub/accounts/principal.ts";
import { generateCatalog } from "../src/hub/catalog/generate-catalog.ts";
import { createRepo } from "../src/hub/create-repo.ts";
import { REPO_ROOT } from "./lib/hangar-process.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { RssSampler, readProcessMemory } from "./lib/rss.ts";
import { median, megabytes, round } from "./lib/stats.ts";
import { printJsonLine, printTable } from "./lib/table.ts";
import { makeTempDir, runCleanups } from "./lib/temp.ts";

function option(name: string, variable: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0 && process.argv[at + 1] !== undefined) return process.argv[at + 1]!;
  return process.env[variable] ?? fallback;
}

const MODELS = Number(option("models", "SEARCH_COLD_MODELS", "1000000"));
const SEED = Number(option("seed", "SEARCH_COLD_SEED", "42"));
const ROUNDS = Math.max(1, Number(option("rounds", "SEARCH_COLD_ROUNDS", "3")));
const COMMITS = option("commits", "SEARCH_COLD_COMMITS", "100,1000")
  .split(",")
  .map(Number)
  .filter((count) => Number.isInteger(count) && count > 0);
const CACHE = join("/tmp/hangar-search-cold-bench", `${MODELS}-${SEED}`);
const SEARCH_BENCH_CACHE = join("/tmp/hangar-search-bench", `${MODELS}-${SEED}`);
/** The queries each CLI row runs: free text by relevance, and a filter sorted by downloads. */
const QUERIES = [["bert"], ["--task", "text-generation", "--sort", "downloads"]];

/** The CLI's environment: no demo seeding, no bundled catalog, no server to ask. */
const CLI_ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1" };
  for (const name of Object.keys(env))
    if (/^(HANGAR_(HOME|ADMIN_TOKEN|PORT|PUBLIC_URL)|HF_)/.test(name)) delete env[name];
  return env;
})();

/** The generated home's catalog (hangar.db), made once and kept for later runs. */
async function cachedCatalog(): Promise<string> {
  const database = join(CACHE, "hangar.db");
  if (existsSync(join(CACHE, "complete"))) return database;
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  const started = performance.now();
  if (existsSync(join(SEARCH_BENCH_CACHE, "complete"))) {
    process.stderr.write(`Copying bench:search's ${MODELS.toLocaleString("en")}-model catalog...\n`);
    const source = new Database(join(SEARCH_BENCH_CACHE, "hangar.db"), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      await source.backup(database);
    } finally {
      source.close();
    }
  } else {
    process.stderr.write(
      `Generating ${MODELS.toLocaleString("en")} models (seed ${SEED}) into ${CACHE}...\n`,
    );
    const hangar = await createHangar(defaultConfig(CACHE));
    try {
      await generateCatalog(hangar.catalog, {
        count: MODELS,
        seed: SEED,
        onProgress: (count, total) => {
          if (count % 200_000 === 0 || count === total) process.stderr.write(`  ${count}/${total}\n`);
        },
      });
    } finally {
      await hangar.close();
    }
  }
  process.stderr.write(`  ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  writeFileSync(join(CACHE, "complete"), new Date().toISOString());
  return database;
}

/** A fresh home holding a consistent copy of the cached catalog. */
async function workingHome(database: string): Promise<string> {
  const home = await makeTempDir("search-cold");
  const source = new Database(database, { readonly: true, fileMustExist: true });
  try {
    await source.backup(join(home, "hangar.db"));
  } finally {
    source.close();
  }
  return home;
}

interface CliRun {
  wallMs: number;
  peakRssBytes: number;
  total: number;
  tookMs: number;
  loadedFromSnapshot: boolean;
  loadMs: number | null;
  ids: string[];
}

function waitForExit(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code ?? -1));
  });
}

/** `hangar search <args> --home <home> --json` in its own process, as a user runs it. */
async function cliSearch(home: string, args: string[]): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "bin", "hangar.js"), "search", ...args, "--home", home, "--json"],
    { cwd: REPO_ROOT, env: CLI_ENV, stdio: ["ignore", "pipe", "pipe"] },
  );
  const sampler = new RssSampler(child.pid!, 10);
  sampler.start();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
  const code = await waitForExit(child);
  const wallMs = performance.now() - started;
  const { peak } = sampler.stop();
  if (code !== 0) {
    throw new Error(
      `hangar search ${args.join(" ")} exited with ${code}: ${Buffer.concat(stderr).toString()}`,
    );
  }
  const json = JSON.parse(Buffer.concat(stdout).toString()) as {
    total: number;
    tookMs: number;
    results: Array<{ id: string }>;
    served: { by: string; index?: { loadedFromSnapshot: boolean; loadMs: number | null } };
  };
  if (json.served.by !== "home" || !json.served.index) throw new Error("the CLI did not work on the home");
  return {
    wallMs,
    peakRssBytes: peak,
    total: json.total,
    tookMs: json.tookMs,
    loadedFromSnapshot: json.served.index.loadedFromSnapshot,
    loadMs: json.served.index.loadMs,
    ids: json.results.map((hit) => hit.id),
  };
}

const seconds = (ms: number) => round(ms / 1000, 2);

async function snapshotFiles(home: string): Promise<string[]> {
  const folder = join(home, "cache");
  if (!existsSync(folder)) return [];
  return (await readdir(folder))
    .filter((name) => /^search-index-[0-9a-f]{16}\.bin$/.test(name))
    .map((name) => join(folder, name));
}

interface CliRow {
  row: string;
  query: string;
  runs: CliRun[];
}

function cliRowsTable(title: string, rows: CliRow[]): void {
  printTable(
    title,
    [
      "row",
      "query",
      "runs",
      "wall s (median)",
      "wall s (min)",
      "index load ms",
      "query ms",
      "from snapshot",
      "peak RSS MB",
      "hits",
    ],
    rows.map(({ row, query, runs }) => [
      row,
      query,
      runs.length,
      seconds(median(runs.map((run) => run.wallMs))),
      seconds(Math.min(...runs.map((run) => run.wallMs))),
      runs[0]!.loadMs === null ? "-" : String(round(median(runs.map((run) => run.loadMs ?? 0)), 0)),
      round(median(runs.map((run) => run.tookMs)), 0),
      runs.every((run) => run.loadedFromSnapshot)
        ? "yes"
        : runs.some((run) => run.loadedFromSnapshot)
          ? "some"
          : "no",
      megabytes(Math.max(...runs.map((run) => run.peakRssBytes)), 0),
      runs[0]!.total,
    ]),
  );
}

async function main(): Promise<void> {
  const machineAtStart = machineInfo();
  console.log(describeMachine(machineAtStart));
  console.log(
    `Catalog: ${MODELS.toLocaleString("en")} generated models (seed ${SEED}); ${ROUNDS} rounds per CLI row`,
  );
  const database = await cachedCatalog();
  const home = await workingHome(database);
  const config = defaultConfig(home);

  // (a) and (b): a build and its snapshot, in this process.
  printLoad("before the build");
  let buildMs: number;
  let saveMs: number;
  let snapshotBytes: number;
  let buildRss: number;
  let terms: number;
  let postings: number;
  {
    const hangar = await createHangar(config);
    try {
      const rssBefore = readProcessMemory(process.pid).rss;
      const started = performance.now();
      const index = await SearchIndex.build(hangar.catalog);
      buildMs = performance.now() - started;
      buildRss = readProcessMemory(process.pid).rss - rssBefore;
      const stats = index.stats();
      terms = stats.terms;
      postings = stats.postings;
      printLoad("after the build");
      const file = await snapshotFileOf(hangar.catalog, config.cacheFolder!);
      const saveStarted = performance.now();
      await saveSnapshot(file, index);
      saveMs = performance.now() - saveStarted;
      snapshotBytes = statSync(file.path).size;
      printLoad("after writing the snapshot");
    } finally {
      await hangar.close();
    }
  }
  (globalThis as { gc?: () => void }).gc?.();
  printTable(
    "Build and snapshot (in this process)",
    ["step", "seconds", "detail"],
    [
      [
        "(a) full build",
        seconds(buildMs),
        `${terms.toLocaleString("en")} terms, ${postings.toLocaleString("en")} postings; RSS +${megabytes(buildRss, 0)} MB`,
      ],
      ["(b) write snapshot", seconds(saveMs), `${megabytes(snapshotBytes, 0)} MB file`],
    ],
  );

  const cliRows: CliRow[] = [];
  const runRow = async (row: string, target: string, args: string[], before?: () => Promise<void>) => {
    printLoad(`before ${row} ${args.join(" ")}`);
    const runs: CliRun[] = [];
    for (let round = 0; round < (row.startsWith("(d)") ? 1 : ROUNDS); round++) {
      await before?.();
      runs.push(await cliSearch(target, args));
    }
    printLoad(`after ${row} ${args.join(" ")}`);
    cliRows.push({ row, query: args.join(" "), runs });
    return runs;
  };

  // (e) the floor: the same command where there is nothing to index.
  const empty = await makeTempDir("search-cold-empty");
  for (const args of QUERIES) await runRow("(e) empty home", empty, args);
  // (c) fresh processes that read the snapshot.
  const fromSnapshot = new Map<string, string[]>();
  for (const args of QUERIES) {
    const runs = await runRow("(c) snapshot", home, args);
    if (!runs.every((run) => run.loadedFromSnapshot)) throw new Error("a CLI search rebuilt the index");
    fromSnapshot.set(args.join(" "), runs[0]!.ids);
  }
  // (d) forced to rebuild: no snapshot. Its results must equal (c)'s.
  let resultsEqual = true;
  for (const args of QUERIES) {
    const runs = await runRow("(d) no snapshot", home, args, async () => {
      for (const file of await snapshotFiles(home)) await rm(file);
    });
    if (runs.some((run) => run.loadedFromSnapshot)) throw new Error("the rebuild row read a snapshot");
    if (JSON.stringify(runs[0]!.ids) !== JSON.stringify(fromSnapshot.get(args.join(" "))))
      resultsEqual = false;
  }
  // (f) catch-up: new commits after the snapshot (the last (d) run rewrote it).
  const catchUp: Array<{ commits: number; commitSeconds: number; run: CliRun; foundNew: boolean }> = [];
  let made = 0;
  for (const commits of COMMITS) {
    const hangar = await createHangar(config);
    const started = performance.now();
    try {
      for (let n = 0; n < commits; n++) {
        await createRepo(hangar, localAdministrator(), {
          type: "model",
          namespace: "cold-bench",
          name: `okapi-catchup-${commits}-${n}`,
        });
      }
    } finally {
      await hangar.close();
    }
    made += commits;
    const commitSeconds = (performance.now() - started) / 1000;
    const [run] = await runRow(`(f) +${commits} commits`, home, ["okapi-catchup"]);
    // Each row reads the same snapshot (the catch-up is not written back): the later row has every commit.
    catchUp.push({ commits, commitSeconds, run: run!, foundNew: run!.total === made });
  }
  cliRowsTable("CLI search in a fresh process (`hangar search ... --json`)", cliRows);
  printTable(
    "Catch-up from the change feed after new commits",
    ["new commits", "commit s", "CLI wall s", "from snapshot", "index load ms", "found the new repos"],
    catchUp.map(({ commits, commitSeconds, run, foundNew }) => [
      commits,
      round(commitSeconds, 1),
      seconds(run.wallMs),
      run.loadedFromSnapshot ? "yes" : "no",
      run.loadMs === null ? "-" : String(round(run.loadMs, 0)),
      foundNew ? "yes" : `NO (${run.total})`,
    ]),
  );
  console.log(`\nResults from the snapshot equal a rebuilt index's: ${resultsEqual ? "yes" : "NO"}`);
  const row = (name: string) => cliRows.filter((entry) => entry.row.startsWith(name));
  const medianWall = (name: string) =>
    seconds(median(row(name).flatMap((entry) => entry.runs.map((run) => run.wallMs))));
  const medianLoad = round(
    median(row("(c)").flatMap((entry) => entry.runs.map((run) => run.loadMs ?? 0))),
    0,
  );
  console.log(
    `Snapshot load in the CLI: median ${medianLoad} ms (target well under 1 s: ${medianLoad < 1000 ? "met" : "NOT met"}); CLI wall: ${medianWall("(c)")} s from the snapshot, ${medianWall("(d)")} s rebuilding, ${medianWall("(e)")} s on an empty home`,
  );
  printLoad("at the end");
  printJsonLine({
    benchmark: "search-cold",
    machine: { ...machineAtStart, loadAverageAtEnd: machineInfo().loadAverage },
    models: MODELS,
    buildSeconds: seconds(buildMs),
    saveSeconds: seconds(saveMs),
    snapshotMB: megabytes(snapshotBytes, 0),
    cli: cliRows.map(({ row, query, runs }) => ({
      row,
      query,
      wallSeconds: runs.map((run) => seconds(run.wallMs)),
      loadMs: runs.map((run) => (run.loadMs === null ? null : round(run.loadMs, 0))),
      queryMs: runs.map((run) => round(run.tookMs, 0)),
      peakRssMB: megabytes(Math.max(...runs.map((run) => run.peakRssBytes)), 0),
      fromSnapshot: runs.map((run) => run.loadedFromSnapshot),
    })),
    catchUp: catchUp.map(({ commits, commitSeconds, run, foundNew }) => ({
      commits,
      commitSeconds: round(commitSeconds, 1),
      wallSeconds: seconds(run.wallMs),
      loadMs: run.loadMs === null ? null : round(run.loadMs, 0),
      fromSnapshot: run.loadedFromSnapshot,
      foundNew,
    })),
    resultsEqual,
  });
}

try {
  await main();
} finally {
  await runCleanups();
}
