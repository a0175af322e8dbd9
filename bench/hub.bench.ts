// `npm run bench:hub`: download throughput of a 1 GB LFS file through `resolve` next to nginx (sendfile),
// the Hangar server's RSS while it streams, and the latency of `/api/models?search=` on a 10,000-repo
// catalog next to the same listing done in-process. Prints tables, then one JSON line; exits 0 when it ran.
// Knobs (for quick runs): HANGAR_BENCH_FILE_MB (default 1024), HANGAR_BENCH_ROUNDS (default 5),
// HANGAR_BENCH_REPOS (default 10000), HANGAR_BENCH_REQUESTS (search requests per term, default 100).
import http from "node:http";
import { join } from "node:path";
import { defaultConfig } from "../src/core/config.ts";
import { createHangar } from "../src/hangar.ts";
import { listRepos, parseRepoSort } from "../src/hub/read/list-repos.ts";
import { BlobStore } from "../src/store/blob-store.ts";
import { hashFile, makeDataFile, warmPageCache } from "./lib/data-file.ts";
import { numberFromEnv } from "./lib/env.ts";
import { buildHome } from "./lib/fixtures.ts";
import { type HangarProcess, startHangarProcess } from "./lib/hangar-process.ts";
import { download, request } from "./lib/http-client.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { findNginx, NGINX_INSTALL_HINT, type RunningNginx, startNginx } from "./lib/nginx.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { MB, median, megabytesPerSecond, percentile, round, secondsSince } from "./lib/stats.ts";
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
const RSS_TARGET = 100 * MB;
const GB = 1024 ** 3;

function mb(bytes: number): number {
  return round(bytes / MB, 1);
}

interface DownloadRound {
  round: number;
  nginx: number;
  hangar: number;
  ratio: number;
  /** Server CPU seconds per GB sent. */
  nginxCpu: number;
  hangarCpu: number;
}

interface DownloadFigures {
  rounds: DownloadRound[];
  nginxMBps: number;
  hangarMBps: number;
  ratio: number;
  nginxCpu: number;
  hangarCpu: number;
  idleRss: number;
  peakRss: number;
  highWaterMark: number;
}

/** Downloads the file from nginx then from Hangar, `ROUNDS` times, sampling Hangar's RSS meanwhile. */
async function measureDownloads(params: {
  server: HangarProcess;
  nginx: RunningNginx;
  blobPath: string;
  dataFile: string;
}): Promise<DownloadFigures> {
  const { server, nginx } = params;
  const hangarUrl = `${server.url}/${REPO_ID}/resolve/main/${FILE_NAME}`;
  const nginxUrl = `${nginx.url}/${FILE_NAME}`;
  const probe = await request(hangarUrl, { headers: { Range: "bytes=0-0" } });
  if (probe.status !== 206)
    throw new Error(`resolve answered ${probe.status} to a range probe: ${probe.body}`);
  // Both sides read from the page cache: the source file for nginx, the blob for Hangar.
  await warmPageCache(params.dataFile);
  await warmPageCache(params.blobPath);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = readProcessMemory(server.pid);

  const rounds: DownloadRound[] = [];
  let peakRss = 0;
  for (let index = 1; index <= ROUNDS; index++) {
    const nginxCpuBefore = readProcessCpuSeconds(nginx.pid);
    const fromNginx = await download(nginxUrl);
    const nginxCpu = readProcessCpuSeconds(nginx.pid) - nginxCpuBefore;
    const sampler = new RssSampler(server.pid);
    sampler.start();
    const hangarCpuBefore = readProcessCpuSeconds(server.pid);
    const fromHangar = await download(hangarUrl);
    const hangarCpu = readProcessCpuSeconds(server.pid) - hangarCpuBefore;
    peakRss = Math.max(peakRss, sampler.stop().peak);
    for (const [name, result] of [
      ["nginx", fromNginx],
      ["Hangar", fromHangar],
    ] as const) {
      if (result.status !== 200 || result.bytes !== FILE_SIZE) {
        throw new Error(`${name} answered ${result.status} with ${result.bytes} of ${FILE_SIZE} bytes`);
      }
    }
    const nginxRate = megabytesPerSecond(fromNginx.bytes, fromNginx.seconds);
    const hangarRate = megabytesPerSecond(fromHangar.bytes, fromHangar.seconds);
    rounds.push({
      round: index,
      nginx: round(nginxRate, 0),
      hangar: round(hangarRate, 0),
      ratio: round(hangarRate / nginxRate, 3),
      nginxCpu: round(nginxCpu / (FILE_SIZE / GB), 2),
      hangarCpu: round(hangarCpu / (FILE_SIZE / GB), 2),
    });
  }
  return {
    rounds,
    nginxMBps: round(median(rounds.map((row) => row.nginx)), 0),
    hangarMBps: round(median(rounds.map((row) => row.hangar)), 0),
    // Each round pairs the two servers back to back, so the median of the per-round ratios is the figure
    // least moved by other load on the machine.
    ratio: round(median(rounds.map((row) => row.ratio)), 3),
    nginxCpu: round(median(rounds.map((row) => row.nginxCpu)), 2),
    hangarCpu: round(median(rounds.map((row) => row.hangarCpu)), 2),
    idleRss: idle.rss,
    peakRss,
    highWaterMark: readProcessMemory(server.pid).highWaterMark,
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
  const blobPath = (await BlobStore.open(join(home, "blobs"))).pathOf(expected.sha256);

  const downloads = await measureDownloads({ server, nginx, blobPath, dataFile });
  const rssDelta = downloads.peakRss - downloads.idleRss;
  printTable(
    `Download of a ${FILE_SIZE / MB} MB LFS file on 127.0.0.1 (http.get, body drained)`,
    ["round", "nginx MB/s", "Hangar MB/s", "Hangar/nginx", "nginx CPU s/GB", "Hangar CPU s/GB"],
    [
      ...downloads.rounds.map((row) => [
        row.round,
        row.nginx,
        row.hangar,
        row.ratio,
        row.nginxCpu,
        row.hangarCpu,
      ]),
      [
        "median",
        downloads.nginxMBps,
        downloads.hangarMBps,
        downloads.ratio,
        downloads.nginxCpu,
        downloads.hangarCpu,
      ],
    ],
  );
  printTable(
    "Hangar server memory while streaming (sampled from /proc every 20 ms)",
    ["measure", "MB"],
    [
      ["idle RSS (before downloads)", mb(downloads.idleRss)],
      ["peak RSS while streaming", mb(downloads.peakRss)],
      ["peak - idle", mb(rssDelta)],
      ["VmHWM after downloads (since start)", mb(downloads.highWaterMark)],
    ],
  );

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

  const throughputMet = downloads.ratio >= THROUGHPUT_TARGET;
  const rssMet = rssDelta < RSS_TARGET;
  printTable(
    "Targets",
    ["target", "measured", "status"],
    [
      [`resolve throughput >= ${THROUGHPUT_TARGET} x nginx`, `${downloads.ratio}`, verdict(throughputMet)],
      ["peak RSS while streaming < idle + 100 MB", `+${mb(rssDelta)} MB`, verdict(rssMet)],
    ],
  );
  const machineAtEnd = machineInfo();
  process.stdout.write(`Load average at the end: ${machineAtEnd.loadAverage}\n`);
  printJsonLine({
    benchmark: "hub",
    machine: { ...machineAtStart, loadAverageAtEnd: machineAtEnd.loadAverage },
    fileBytes: FILE_SIZE,
    download: {
      rounds: downloads.rounds,
      nginxMBps: downloads.nginxMBps,
      hangarMBps: downloads.hangarMBps,
      serverCpuSecondsPerGB: { nginx: downloads.nginxCpu, hangar: downloads.hangarCpu },
      ratio: downloads.ratio,
      target: THROUGHPUT_TARGET,
      met: throughputMet,
    },
    rss: {
      idleMB: mb(downloads.idleRss),
      peakMB: mb(downloads.peakRss),
      deltaMB: mb(rssDelta),
      highWaterMarkMB: mb(downloads.highWaterMark),
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
  });
  return 0;
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
