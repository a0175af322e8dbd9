// `npm run bench:hub`: download throughput of a 1 GB LFS file through `resolve` next to nginx (sendfile) and a
// bare Node.js file server (the ceiling of any Node server), the Hangar server's RSS while it streams, the
// same download on PostgreSQL + S3 (redirect and proxy), and the latency of `/api/models?search=` on a 10,000-repo
// catalog next to the same listing done in-process. Prints tables, then one JSON line; exits 0 when it ran.
// Knobs (for quick runs): HANGAR_BENCH_FILE_MB (default 1024), HANGAR_BENCH_ROUNDS (default 5),
// HANGAR_BENCH_REPOS (default 10000), HANGAR_BENCH_REQUESTS (search requests per term, default 100),
// HANGAR_BENCH_SCALE_OUT=0 (no PostgreSQL + S3 row).
import http from "node:http";
import { join } from "node:path";
import { defaultConfig } from "../src/core/config.ts";
import { createHangar } from "../src/hangar.ts";
import { listRepos, parseRepoSort } from "../src/hub/read/list-repos.ts";
import { BlobStore } from "../src/store/blob-store.ts";
import { startBareFileServer } from "./lib/bare-file-server.ts";
import { hashFile, makeDataFile, warmPageCache } from "./lib/data-file.ts";
import {
  type DownloadFigures,
  type DownloadTarget,
  measureDownloads,
  printDownloads,
} from "./lib/downloads.ts";
import { numberFromEnv } from "./lib/env.ts";
import { buildHome } from "./lib/fixtures.ts";
import { type HangarProcess, startHangarProcess } from "./lib/hangar-process.ts";
import { request } from "./lib/http-client.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { findNginx, NGINX_INSTALL_HINT, startNginx } from "./lib/nginx.ts";
import { POSTGRES_SERVER_URL, postgresAvailable, startScaleOut } from "./lib/scale-out.ts";
import { MB, median, megabytes, percentile, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const FILE_SIZE = numberFromEnv("HANGAR_BENCH_FILE_MB", 1024) * MB;
const ROUNDS = numberFromEnv("HANGAR_BENCH_ROUNDS", 5);
const CATALOG_SIZE = numberFromEnv("HANGAR_BENCH_REPOS", 10_000);
const REQUESTS_PER_TERM = numberFromEnv("HANGAR_BENCH_REQUESTS", 100);
const FILE_NAME = "weights.bin";
const REPO_ID = "bench/large-model";
/** Terms from broad (thousands of matches, a full page) to narrow (a handful) and none. */
const SEARCH_TERMS = [
  "bert",
  "llama",
  "instruct",
  "whisper-chat",
  "org-42/",
  "finetuned-45",
  "no-such-model",
];

const THROUGHPUT_TARGET = 0.8;
const BARE_TARGET = 0.95;
/** HANGAR_BENCH_SCALE_OUT=0 skips the PostgreSQL + S3 row. */
const SCALE_OUT = process.env.HANGAR_BENCH_SCALE_OUT !== "0";
const RSS_TARGET = 100 * MB;

/** Figures of one download run for the JSON line. */
function downloadJson(figures: DownloadFigures) {
  return {
    servers: figures.names.map((name, column) => ({
      name,
      mbps: figures.medians[column]!.mbps,
      cpuSecondsPerGB: figures.medians[column]!.cpu,
      firstProcessCpuSecondsPerGB: figures.medians[column]!.ownCpu,
      toNginx: figures.ratioToFirst[column]!,
      toBareNode: figures.ratioToSecond[column]!,
    })),
    rounds: figures.rounds,
  };
}

interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  qps: number;
}

function summarise(samplesMs: number[], totalSeconds: number): LatencySummary {
  return {
    p50: round(percentile(samplesMs, 50), 3),
    p95: round(percentile(samplesMs, 95), 3),
    p99: round(percentile(samplesMs, 99), 3),
    // Calls are sequential, so this is one client's rate: 1000 / mean latency.
    qps: round(samplesMs.length / totalSeconds, 1),
  };
}

interface TermTimings {
  samples: number[];
  byTerm: Map<string, number[]>;
  seconds: number;
}

function emptyTimings(): TermTimings {
  return { samples: [], byTerm: new Map(SEARCH_TERMS.map((term) => [term, []])), seconds: 0 };
}

async function timeCall(timings: TermTimings, term: string, call: () => Promise<unknown>): Promise<void> {
  const start = process.hrtime.bigint();
  await call();
  const elapsed = secondsSince(start);
  timings.samples.push(elapsed * 1000);
  timings.byTerm.get(term)!.push(elapsed * 1000);
  timings.seconds += elapsed;
}

/**
 * `/api/models?search=` over one keep-alive connection, and as a baseline the hub call the route makes
 * (same SQL, same page size) in this process on the SQLite file the server has open. Each HTTP request is
 * followed by its baseline call, so both see the same load on the machine.
 */
async function measureSearch(server: HangarProcess, home: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const inProcess = await createHangar(defaultConfig(home));
  try {
    const search = async (term: string) => {
      const answer = await request(`${server.url}/api/models?search=${encodeURIComponent(term)}`, { agent });
      if (answer.status !== 200) throw new Error(`/api/models answered ${answer.status}: ${answer.body}`);
      return answer;
    };
    const pageSizes = new Map<string, number>();
    for (const term of SEARCH_TERMS) {
      pageSizes.set(term, (JSON.parse((await search(term)).body) as unknown[]).length);
    }
    // The route's default sort and this page size make the same query the route runs.
    const listInProcess = async (term: string) =>
      listRepos(inProcess, null, {
        type: "model",
        search: [term],
        sort: parseRepoSort(null),
        descending: true,
        limit: Math.max(1, pageSizes.get(term) ?? 1),
      });
    for (const term of SEARCH_TERMS) await listInProcess(term);

    const overHttp = emptyTimings();
    const baseline = emptyTimings();
    for (let index = 0; index < REQUESTS_PER_TERM; index++) {
      for (const term of SEARCH_TERMS) {
        await timeCall(overHttp, term, () => search(term));
        await timeCall(baseline, term, () => listInProcess(term));
      }
    }
    const httpSummary = summarise(overHttp.samples, overHttp.seconds);
    const baselineSummary = summarise(baseline.samples, baseline.seconds);
    return {
      http: httpSummary,
      baseline: baselineSummary,
      ratio: round(httpSummary.p50 / baselineSummary.p50, 2),
      requests: overHttp.samples.length,
      terms: SEARCH_TERMS.map((term) => ({
        term,
        items: pageSizes.get(term) ?? 0,
        httpP50: round(median(overHttp.byTerm.get(term)!), 3),
        baselineP50: round(median(baseline.byTerm.get(term)!), 3),
      })),
    };
  } finally {
    agent.destroy();
    await inProcess.close();
  }
}

async function run(nginxBinary: string): Promise<number> {
  const machineAtStart = machineInfo();
  process.stdout.write(`${describeMachine(machineAtStart)}\n`);
  process.stdout.write(`Preparing: ${FILE_SIZE / MB} MB file, ${CATALOG_SIZE} repos ...\n`);
  const dataDir = await makeTempDir("data");
  const dataFile = join(dataDir, FILE_NAME);
  await makeDataFile(dataFile, FILE_SIZE);
  const expected = await hashFile(dataFile);
  const home = await makeTempDir("home");
  const setupStart = process.hrtime.bigint();
  const built = await buildHome({
    home,
    catalogSize: CATALOG_SIZE,
    importFrom: { folder: dataDir, repoId: REPO_ID, path: FILE_NAME },
  });
  if (built.largeFile?.sha256 !== expected.sha256) throw new Error("The imported file's sha256 differs");
  process.stdout.write(`Home built in ${round(secondsSince(setupStart), 1)} s\n`);

  const server = await startHangarProcess(home);
  onCleanup(server.stop);
  const nginx = await startNginx(nginxBinary, dataDir, await makeTempDir("nginx"));
  onCleanup(nginx.stop);
  const bare = await startBareFileServer(dataDir);
  onCleanup(bare.stop);
  const blobPath = (await BlobStore.open(join(home, "blobs"))).pathOf(expected.sha256);
  const hangarUrl = `${server.url}/${REPO_ID}/resolve/main/${FILE_NAME}`;
  const probe = await request(hangarUrl, { headers: { Range: "bytes=0-0" } });
  if (probe.status !== 206)
    throw new Error(`resolve answered ${probe.status} to a range probe: ${probe.body}`);
  // Every server reads from the page cache: the source file for nginx and the bare server, the blob for Hangar.
  await warmPageCache(dataFile);
  await warmPageCache(blobPath);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baselines: DownloadTarget[] = [
    { name: "nginx", url: `${nginx.url}/${FILE_NAME}`, pids: [nginx.pid] },
    { name: "bare Node.js", url: `${bare.url}/${FILE_NAME}`, pids: [bare.pid] },
  ];
  const downloads = await measureDownloads(
    [...baselines, { name: "Hangar", url: hangarUrl, pids: [server.pid], sampleRss: true }],
    { rounds: ROUNDS, fileSize: FILE_SIZE, rssPid: server.pid },
  );
  const hangarColumn = 2;
  const ratio = downloads.ratioToFirst[hangarColumn]!;
  const ratioToBare = downloads.ratioToSecond[hangarColumn]!;
  const rssDelta = downloads.peakRss - downloads.idleRss;
  printDownloads(
    `Download of a ${FILE_SIZE / MB} MB LFS file on 127.0.0.1 (http.get, body drained), SQLite + filesystem`,
    downloads,
  );
  printTable(
    "Hangar server memory while streaming (sampled from /proc every 20 ms)",
    ["measure", "MB"],
    [
      ["idle RSS (before downloads)", megabytes(downloads.idleRss)],
      ["peak RSS while streaming", megabytes(downloads.peakRss)],
      ["peak - idle", megabytes(rssDelta)],
      ["VmHWM after downloads (since start)", megabytes(downloads.highWaterMark)],
    ],
  );
  printLoad("after the downloads");

  const search = await measureSearch(server, home);
  printTable(
    `GET /api/models?search=<term> on ${CATALOG_SIZE} repos (${REQUESTS_PER_TERM} rounds of ${SEARCH_TERMS.length} terms, one keep-alive connection, sequential), ms`,
    ["measure", "p50", "p95", "p99", "qps"],
    [
      ["Hangar over HTTP", search.http.p50, search.http.p95, search.http.p99, search.http.qps],
      [
        "baseline: listRepos in-process",
        search.baseline.p50,
        search.baseline.p95,
        search.baseline.p99,
        search.baseline.qps,
      ],
      ["ratio HTTP/baseline (p50)", search.ratio, "", "", ""],
    ],
  );
  printTable(
    "Per search term: items on the first page, p50 in ms",
    ["term", "items", "Hangar HTTP", "baseline"],
    search.terms.map((row) => [row.term, row.items, row.httpP50, row.baselineP50]),
  );
  printLoad("after the searches");

  const scaleOut = SCALE_OUT ? await measureScaleOut(baselines, dataDir, expected.sha256) : undefined;

  // The aim of issue 13: 0.8 of nginx, or within 5 % of the bare Node.js server when that is lower.
  const bareCeiling = downloads.ratioToFirst[1]!;
  const throughputMet = ratio >= THROUGHPUT_TARGET || ratioToBare >= BARE_TARGET;
  const rssMet = rssDelta < RSS_TARGET;
  printTable(
    "Targets",
    ["target", "measured", "status"],
    [
      [
        `resolve throughput >= ${THROUGHPUT_TARGET} x nginx, or >= ${BARE_TARGET} x bare Node.js (which reaches ${bareCeiling} x nginx)`,
        `${ratio} x nginx, ${ratioToBare} x bare Node.js`,
        verdict(throughputMet),
      ],
      ["peak RSS while streaming < idle + 100 MB", `+${megabytes(rssDelta)} MB`, verdict(rssMet)],
    ],
  );
  const machineAtEnd = machineInfo();
  process.stdout.write(`Load average at the end: ${machineAtEnd.loadAverage}\n`);
  printJsonLine({
    benchmark: "hub",
    machine: { ...machineAtStart, loadAverageAtEnd: machineAtEnd.loadAverage },
    fileBytes: FILE_SIZE,
    download: {
      ...downloadJson(downloads),
      ratio,
      ratioToBareNode: ratioToBare,
      bareNodeToNginx: bareCeiling,
      target: { nginx: THROUGHPUT_TARGET, bareNode: BARE_TARGET },
      met: throughputMet,
    },
    rss: {
      idleMB: megabytes(downloads.idleRss),
      peakMB: megabytes(downloads.peakRss),
      deltaMB: megabytes(rssDelta),
      highWaterMarkMB: megabytes(downloads.highWaterMark),
      targetDeltaMB: RSS_TARGET / MB,
      met: rssMet,
    },
    search: {
      repos: CATALOG_SIZE,
      requests: search.requests,
      terms: search.terms,
      httpMs: search.http,
      baselineMs: search.baseline,
      ratioP50: search.ratio,
    },
    ...(scaleOut ? { postgresS3: scaleOut } : {}),
  });
  return 0;
}

/**
 * The PostgreSQL + S3 row (issue 12): the same file imported into a fresh database and bucket, downloaded
 * through one Hangar node that answers `302` to a presigned URL (the default) and one that proxies the bytes
 * (`HANGAR_S3_DOWNLOADS=proxy`), in rounds with nginx and the bare Node.js server. CPU counts Hangar and
 * s3rver together: with a redirect s3rver sends the bytes, with the proxy both handle them.
 */
async function measureScaleOut(baselines: DownloadTarget[], dataDir: string, sha256: string) {
  if (!(await postgresAvailable())) {
    process.stdout.write(`\nPostgreSQL + S3 row skipped: no PostgreSQL at ${POSTGRES_SERVER_URL}\n`);
    return undefined;
  }
  const engines = await startScaleOut();
  const home = await makeTempDir("home-pg");
  const setupStart = process.hrtime.bigint();
  const built = await buildHome({
    home,
    config: engines.config(home),
    importFrom: { folder: dataDir, repoId: REPO_ID, path: FILE_NAME },
  });
  if (built.largeFile?.sha256 !== sha256)
    throw new Error("The imported file's sha256 differs on PostgreSQL + S3");
  process.stdout.write(`\nPostgreSQL + S3 home built in ${round(secondsSince(setupStart), 1)} s\n`);
  const redirecting = await startHangarProcess(home, engines.env);
  onCleanup(redirecting.stop);
  const proxyHome = await makeTempDir("home-pg-proxy");
  const proxying = await startHangarProcess(proxyHome, { ...engines.env, HANGAR_S3_DOWNLOADS: "proxy" });
  onCleanup(proxying.stop);
  const path = `/${REPO_ID}/resolve/main/${FILE_NAME}`;
  const head = await request(`${redirecting.url}${path}`, { method: "HEAD" });
  if (head.status !== 302) throw new Error(`resolve on S3 answered ${head.status} instead of a redirect`);
  const figures = await measureDownloads(
    [
      ...baselines,
      {
        name: "Hangar PG+S3 redirect",
        url: `${redirecting.url}${path}`,
        pids: [redirecting.pid, engines.s3.pid],
      },
      {
        name: "Hangar PG+S3 proxy",
        url: `${proxying.url}${path}`,
        pids: [proxying.pid, engines.s3.pid],
        sampleRss: true,
      },
      // The presigned URL the redirect hands out, fetched directly: what s3rver itself reaches.
      { name: "s3rver direct", url: head.headers.location!, pids: [engines.s3.pid] },
    ],
    { rounds: ROUNDS, fileSize: FILE_SIZE, rssPid: proxying.pid },
  );
  printDownloads(`PostgreSQL + S3 (s3rver): download of the same file (CPU: Hangar + s3rver)`, figures);
  printLoad("after the PostgreSQL + S3 downloads");
  return {
    ...downloadJson(figures),
    proxyPeakRssDeltaMB: megabytes(figures.peakRss - figures.idleRss),
  };
}
async function main(): Promise<number> {
  const nginxBinary = findNginx();
  if (!nginxBinary) {
    process.stderr.write(`${NGINX_INSTALL_HINT}\n`);
    return 1;
  }
  try {
    return await run(nginxBinary);
  } finally {
    await runCleanups();
  }
}

process.exitCode = await main();
