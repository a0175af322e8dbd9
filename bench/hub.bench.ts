// `npm run bench:hub`: download throughput of a 1 GB LFS file through `resolve` next to nginx (sendfile),
// the Hangar server's RSS while it streams, and the latency of `/api/models?search=` on a 10,000-repo
// catalog next to the same listing done in-process. Prints tables, then one JSON line; exits 0 when it ran.
// Knobs (for quick runs): HANGAR_BENCH_FILE_MB (default 1024), HANGAR_BENCH_ROUNDS (default 5),
// HANGAR_BENCH_REPOS (default 10000), HANGAR_BENCH_REQUESTS (search requests per term, default 100).
import http from "node:http";
import { join } from "node:path";
import { defaultConfig } from "../src/core/config.ts";
import { createHangar } from "../src/hangar.ts";
import { listRepos } from "../src/hub/read/list-repos.ts";
import { hashFile, makeDataFile, warmPageCache } from "./lib/data-file.ts";
import { buildHome } from "./lib/fixtures.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { download, request } from "./lib/http-client.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { findNginx, NGINX_INSTALL_HINT, startNginx } from "./lib/nginx.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { MB, median, megabytesPerSecond, percentile, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

function numberFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

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
    qps: round(samplesMs.length / totalSeconds, 1),
  };
}

function mb(bytes: number): number {
  return round(bytes / MB, 1);
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
  {
    // ---- 1. Download throughput, alternating nginx and Hangar -------------------------------------------
    const hangarUrl = `${server.url}/${REPO_ID}/resolve/main/${FILE_NAME}`;
    const nginxUrl = `${nginx.url}/${FILE_NAME}`;
    const probe = await request(hangarUrl, { headers: { Range: "bytes=0-0" } });
    if (probe.status !== 206)
      throw new Error(`resolve answered ${probe.status} to a range probe: ${probe.body}`);
    // Both sides read from the page cache: the source file for nginx, the blob for Hangar.
    await warmPageCache(dataFile);
    await warmPageCache(
      join(home, "blobs", expected.sha256.slice(0, 2), expected.sha256.slice(2, 4), expected.sha256),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = readProcessMemory(server.pid);

    const rounds: Array<{
      round: number;
      nginx: number;
      hangar: number;
      ratio: number;
      nginxCpu: number;
      hangarCpu: number;
    }> = [];
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
        nginxCpu: round(nginxCpu / (FILE_SIZE / 1024 ** 3), 2),
        hangarCpu: round(hangarCpu / (FILE_SIZE / 1024 ** 3), 2),
      });
    }
    const afterStreaming = readProcessMemory(server.pid);
    const nginxMedian = round(median(rounds.map((row) => row.nginx)), 0);
    const hangarMedian = round(median(rounds.map((row) => row.hangar)), 0);
    // Each round pairs the two servers back to back, so the median of the per-round ratios is the figure
    // least moved by other load on the machine.
    const throughputRatio = round(median(rounds.map((row) => row.ratio)), 3);
    const nginxCpuMedian = round(median(rounds.map((row) => row.nginxCpu)), 2);
    const hangarCpuMedian = round(median(rounds.map((row) => row.hangarCpu)), 2);
    const rssDelta = peakRss - idle.rss;

    printTable(
      `Download of a ${FILE_SIZE / MB} MB LFS file on 127.0.0.1 (http.get, body drained), MB/s`,
      ["round", "nginx (sendfile)", "Hangar resolve", "Hangar/nginx", "server CPU s/GB: nginx", "Hangar"],
      [
        ...rounds.map((row) => [row.round, row.nginx, row.hangar, row.ratio, row.nginxCpu, row.hangarCpu]),
        ["median", nginxMedian, hangarMedian, throughputRatio, nginxCpuMedian, hangarCpuMedian],
      ],
    );
    printTable(
      "Hangar server memory while streaming (sampled from /proc every 20 ms)",
      ["measure", "MB"],
      [
        ["idle RSS (before downloads)", mb(idle.rss)],
        ["peak RSS while streaming", mb(peakRss)],
        ["peak - idle", mb(rssDelta)],
        ["VmHWM after downloads (since start)", mb(afterStreaming.highWaterMark)],
      ],
    );

    // ---- 2. /api/models?search= latency --------------------------------------------------------------
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const pageSizes = new Map<string, number>();
    for (const term of SEARCH_TERMS) {
      const answer = await request(`${server.url}/api/models?search=${encodeURIComponent(term)}`, { agent });
      if (answer.status !== 200) throw new Error(`/api/models answered ${answer.status}: ${answer.body}`);
      pageSizes.set(term, (JSON.parse(answer.body) as unknown[]).length);
    }
    const httpSamples: number[] = [];
    const httpByTerm = new Map<string, number[]>(SEARCH_TERMS.map((term) => [term, []]));
    const httpStart = process.hrtime.bigint();
    for (let index = 0; index < REQUESTS_PER_TERM; index++) {
      for (const term of SEARCH_TERMS) {
        const answer = await request(`${server.url}/api/models?search=${encodeURIComponent(term)}`, {
          agent,
        });
        if (answer.status !== 200) throw new Error(`/api/models answered ${answer.status}`);
        httpSamples.push(answer.seconds * 1000);
        httpByTerm.get(term)!.push(answer.seconds * 1000);
      }
    }
    const httpSummary = summarise(httpSamples, secondsSince(httpStart));
    agent.destroy();

    // The baseline: the same hub call the route makes (same SQL, same page size), in this process, on
    // the same SQLite file the server has open.
    const inProcess = await createHangar(defaultConfig(home));
    const baselineSamples: number[] = [];
    const baselineByTerm = new Map<string, number[]>(SEARCH_TERMS.map((term) => [term, []]));
    let baselineSummary: LatencySummary;
    try {
      const runOnce = (term: string) =>
        listRepos(inProcess, null, {
          type: "model",
          search: [term],
          sort: "trendingScore",
          descending: true,
          limit: Math.max(1, pageSizes.get(term) ?? 1),
        });
      for (const term of SEARCH_TERMS) runOnce(term);
      const baselineStart = process.hrtime.bigint();
      for (let index = 0; index < REQUESTS_PER_TERM; index++) {
        for (const term of SEARCH_TERMS) {
          const start = process.hrtime.bigint();
          runOnce(term);
          const elapsedMs = secondsSince(start) * 1000;
          baselineSamples.push(elapsedMs);
          baselineByTerm.get(term)!.push(elapsedMs);
        }
      }
      baselineSummary = summarise(baselineSamples, secondsSince(baselineStart));
    } finally {
      await inProcess.close();
    }
    const latencyRatio = round(httpSummary.p50 / baselineSummary.p50, 2);

    printTable(
      `GET /api/models?search=<term> on ${CATALOG_SIZE} repos (${REQUESTS_PER_TERM} rounds of ${SEARCH_TERMS.length} terms, one keep-alive connection), ms`,
      ["measure", "p50", "p95", "p99", "qps"],
      [
        ["Hangar over HTTP", httpSummary.p50, httpSummary.p95, httpSummary.p99, httpSummary.qps],
        [
          "baseline: listRepos in-process",
          baselineSummary.p50,
          baselineSummary.p95,
          baselineSummary.p99,
          baselineSummary.qps,
        ],
        ["ratio HTTP/baseline (p50)", latencyRatio, "", "", ""],
      ],
    );
    const termRows = SEARCH_TERMS.map((term) => ({
      term,
      items: pageSizes.get(term) ?? 0,
      httpP50: round(median(httpByTerm.get(term)!), 3),
      baselineP50: round(median(baselineByTerm.get(term)!), 3),
    }));
    printTable(
      "Per search term: items on the first page, p50 in ms",
      ["term", "items", "Hangar HTTP", "baseline"],
      termRows.map((row) => [row.term, row.items, row.httpP50, row.baselineP50]),
    );

    const throughputMet = throughputRatio >= THROUGHPUT_TARGET;
    const rssMet = rssDelta < RSS_TARGET;
    printTable(
      "Targets",
      ["target", "measured", "status"],
      [
        [`resolve throughput >= ${THROUGHPUT_TARGET} x nginx`, `${throughputRatio}`, verdict(throughputMet)],
        ["peak RSS while streaming < idle + 100 MB", `+${mb(rssDelta)} MB`, verdict(rssMet)],
      ],
    );
    printJsonLine({
      benchmark: "hub",
      machine: { ...machineAtStart, loadAverageAtEnd: machineInfo().loadAverage },
      fileBytes: FILE_SIZE,
      download: {
        rounds,
        nginxMBps: nginxMedian,
        hangarMBps: hangarMedian,
        serverCpuSecondsPerGB: { nginx: nginxCpuMedian, hangar: hangarCpuMedian },
        ratio: throughputRatio,
        target: THROUGHPUT_TARGET,
        met: throughputMet,
      },
      rss: {
        idleMB: mb(idle.rss),
        peakMB: mb(peakRss),
        deltaMB: mb(rssDelta),
        highWaterMarkMB: mb(afterStreaming.highWaterMark),
        targetDeltaMB: RSS_TARGET / MB,
        met: rssMet,
      },
      search: {
        repos: CATALOG_SIZE,
        requests: httpSamples.length,
        terms: termRows,
        httpMs: httpSummary,
        baselineMs: baselineSummary,
        ratioP50: latencyRatio,
      },
    });
    return 0;
  }
}

process.exitCode = await main();
