// `npm run bench:upload`: ingest throughput of a 1 GB LFS upload over HTTP (LFS batch, signed PUT or
// multipart parts + completion, NDJSON commit) next to Node's own sha256 over the same bytes, durable
// writes of them (Node through the page cache, dd with O_DIRECT) and a bare Node.js server that only hashes
// them, and the Hangar server's RSS while it ingests. Then, to locate costs, a single-PUT upload
// (the client offers only the basic transfer), and the real `@huggingface/hub` upload end to end.
// Prints tables, then one JSON line; exits 0 when it ran.
// Knobs (for quick runs): HANGAR_BENCH_FILE_MB (default 1024); HANGAR_BENCH_BASIC=0 and
// HANGAR_BENCH_LIBRARY=0 skip the extra runs; HANGAR_BENCH_SCALE_OUT=0 skips the PostgreSQL + S3 row (the
// same upload into a node on PostgreSQL and an s3rver bucket, parts PUT straight to the bucket).
// The protocol is driven by bench/lib/lfs-ingest.ts; the references are in bench/lib/upload-references.ts,
// the basic-only, `@huggingface/hub` and PostgreSQL + S3 runs in bench/lib/upload-extra-runs.ts.
import { mkdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { makeDataFile, warmPageCache } from "./lib/data-file.ts";
import { numberFromEnv, switchFromEnv } from "./lib/env.ts";
import { buildHome } from "./lib/fixtures.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { startHashingSink } from "./lib/hashing-sink.ts";
import { request } from "./lib/http-client.ts";
import { auth, checkStored, expectOk, type IngestResult, ingest } from "./lib/lfs-ingest.ts";
import { describeMachine, machineInfo, printLoad } from "./lib/machine.ts";
import { RssSampler, readProcessMemory } from "./lib/rss.ts";
import { MB, megabytes, megabytesPerSecond, round } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";
import {
  ingestBasicOnly,
  ingestOnScaleOut,
  type LibraryUpload,
  uploadWithHubLibrary,
} from "./lib/upload-extra-runs.ts";
import { measureFileReferences, measureHashingSink } from "./lib/upload-references.ts";

const FILE_SIZE = numberFromEnv("HANGAR_BENCH_FILE_MB", 1024) * MB;
const RUN_LIBRARY = switchFromEnv("HANGAR_BENCH_LIBRARY");
const RUN_BASIC = switchFromEnv("HANGAR_BENCH_BASIC");
/** HANGAR_BENCH_SCALE_OUT=0 skips the PostgreSQL + S3 row. */
const SCALE_OUT = switchFromEnv("HANGAR_BENCH_SCALE_OUT");
const ADMIN_TOKEN = "hf_bench_admin_token_0123456789abcdef";
const REPO_ID = "bench/upload-target";
const BASIC_REPO_ID = "bench/basic-upload-target";
const LIBRARY_REPO_ID = "bench/library-upload-target";
const BASELINE_RUNS = 3;
const THROUGHPUT_TARGET = 0.7;
const RSS_TARGET = 100 * MB;

const CORES = availableParallelism();

/** CPU seconds spent per second of wall time: how many of the machine's cores the run kept busy. */
function busyCores(cpu: number, seconds: number): number {
  return round(cpu / seconds, 2);
}

async function run(): Promise<number> {
  const machineAtStart = machineInfo();
  process.stdout.write(`${describeMachine(machineAtStart)}\n`);
  process.stdout.write(`Preparing: ${FILE_SIZE / MB} MB file ...\n`);
  const dataDir = await makeTempDir("upload-data");
  const home = await makeTempDir("upload-home");
  await buildHome({ home, repos: [REPO_ID, BASIC_REPO_ID, LIBRARY_REPO_ID] });
  const server = await startHangarProcess(home, { HANGAR_ADMIN_TOKEN: ADMIN_TOKEN });
  onCleanup(server.stop);
  // Started with Hangar, so both servers have sat idle for the same time (V8 tidies an idle heap).
  const sink = await startHashingSink();
  onCleanup(sink.stop);
  const whoami = await request(`${server.url}/api/whoami-v2`, { headers: auth(ADMIN_TOKEN) });
  expectOk("whoami", whoami);

  /** A new file of other bytes than the last (or the server would answer "already stored"). */
  const freshFile = async (name: string) => {
    const path = join(dataDir, name);
    await makeDataFile(path, FILE_SIZE);
    await warmPageCache(path);
    return path;
  };

  // Baselines: Node's sha256 over the same bytes, and durable writes of them (bench/lib/upload-references.ts).
  const dataFile = await freshFile("weights.bin");
  const { hashed, hashRate, copied, diskRate, ddSeconds, ddRate } = await measureFileReferences(
    dataFile,
    dataDir,
    BASELINE_RUNS,
  );

  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = readProcessMemory(server.pid);
  const sampler = new RssSampler(server.pid);
  sampler.start();
  const result = await ingest({
    baseUrl: server.url,
    repoId: REPO_ID,
    path: dataFile,
    oid: hashed.sha256,
    size: FILE_SIZE,
    transfers: ["basic", "multipart"],
    serverPids: [server.pid],
    token: ADMIN_TOKEN,
  });
  const peakRss = sampler.stop().peak;
  await checkStored(server.url, REPO_ID, hashed.sha256, FILE_SIZE);
  // Third reference: the same parts, client and loopback into a bare Node.js server that only hashes them.
  const {
    seconds: sinkSeconds,
    rate: sinkRate,
    cpu: sinkCpu,
  } = await measureHashingSink(sink, dataFile, FILE_SIZE, result.chunkSize);
  await sink.stop();
  printLoad("after the embedded ingest and its baselines");
  const scaleOut = SCALE_OUT
    ? await ingestOnScaleOut({
        repoId: REPO_ID,
        path: dataFile,
        oid: hashed.sha256,
        size: FILE_SIZE,
        token: ADMIN_TOKEN,
      })
    : undefined;
  await rm(dataFile);
  const ingestRate = megabytesPerSecond(FILE_SIZE, result.seconds);
  const ratio = round(ingestRate / hashRate, 3);
  const rssDelta = peakRss - idle.rss;

  let basic: (IngestResult & { MBps: number; peakRssMB: number }) | undefined;
  if (RUN_BASIC) {
    const basicFile = await freshFile("basic.bin");
    basic = await ingestBasicOnly({
      server,
      repoId: BASIC_REPO_ID,
      path: basicFile,
      size: FILE_SIZE,
      token: ADMIN_TOKEN,
    });
    await rm(basicFile);
  }

  let library: LibraryUpload | undefined;
  if (RUN_LIBRARY) {
    await mkdir(join(dataDir, "library"));
    const libraryFile = await freshFile(join("library", "weights.bin"));
    library = await uploadWithHubLibrary({
      server,
      repoId: LIBRARY_REPO_ID,
      path: libraryFile,
      size: FILE_SIZE,
      token: ADMIN_TOKEN,
    });
    await rm(libraryFile);
  }
  const afterUploads = readProcessMemory(server.pid);

  const phaseRows = (label: string, ingested: IngestResult, rate: number): Array<Array<string | number>> => [
    [label, round(ingested.seconds, 2), round(rate, 0)],
    ["  LFS batch", round(ingested.phases.batch, 3), ""],
    [
      `  PUT ${ingested.transfer === "multipart" ? `${ingested.parts} parts + completion` : "of the object"}`,
      round(ingested.phases.upload, 2),
      round(megabytesPerSecond(FILE_SIZE, ingested.phases.upload), 0),
    ],
    ["  verify", round(ingested.phases.verify, 3), ""],
    ["  NDJSON commit", round(ingested.phases.commit, 3), ""],
    ["  server CPU seconds (whole ingest)", round(ingested.serverCpuSeconds, 2), ""],
    ["  client CPU seconds (this process)", round(ingested.clientCpuSeconds, 2), ""],
    [
      `  cores busy (of ${CORES})`,
      busyCores(ingested.serverCpuSeconds + ingested.clientCpuSeconds, ingested.seconds),
      "",
    ],
  ];
  printTable(
    `Ingest of a ${FILE_SIZE / MB} MB LFS object over HTTP on 127.0.0.1`,
    ["measure", "seconds", "MB/s"],
    [
      [
        `Node sha256 of the same bytes (baseline, best of ${BASELINE_RUNS})`,
        round(hashed.seconds, 2),
        round(hashRate, 0),
      ],
      [
        `Node write + fsync of the same bytes through the page cache (best of ${BASELINE_RUNS})`,
        round(copied.seconds, 2),
        round(diskRate, 0),
      ],
      ...(ddSeconds !== undefined && ddRate !== undefined
        ? [
            [
              `dd oflag=direct conv=fsync of the same bytes (disk ceiling, best of ${BASELINE_RUNS})`,
              round(ddSeconds, 2),
              round(ddRate, 0),
            ],
          ]
        : []),
      [
        `bare Node.js http server hashing the same ${result.parts} parts (no disk)`,
        round(sinkSeconds, 2),
        round(sinkRate, 0),
      ],
      ["  server + client CPU seconds", `${round(sinkCpu.server, 2)} + ${round(sinkCpu.client, 2)}`, ""],
      [`  cores busy (of ${CORES})`, busyCores(sinkCpu.server + sinkCpu.client, sinkSeconds), ""],
      ...phaseRows(
        `Hangar, transfers basic+multipart (as clients offer): ${result.transfer}`,
        result,
        ingestRate,
      ),
      ...(basic ? phaseRows("Hangar, client offers basic only (diagnostic)", basic, basic.MBps) : []),
      ...(library
        ? [
            ["@huggingface/hub uploadFilesWithProgress (end to end)", library.seconds, library.MBps],
            ["  client hashing + preupload + batch", library.hashingSeconds, ""],
            [
              "  PUT parts + completion",
              library.uploadSeconds,
              round(megabytesPerSecond(FILE_SIZE, library.uploadSeconds), 0),
            ],
            ["  commit", library.commitSeconds, ""],
          ]
        : []),
      ["ratio Hangar ingest / sha256", ratio, ""],
      ["ratio Hangar ingest / Node write + fsync", round(ingestRate / diskRate, 3), ""],
      ...(ddRate !== undefined
        ? [["ratio Hangar ingest / dd direct write", round(ingestRate / ddRate, 3), ""]]
        : []),
      ["ratio Hangar ingest / bare Node.js server", round(ingestRate / sinkRate, 3), ""],
      ...(scaleOut
        ? [
            ...phaseRows(
              `Hangar on PostgreSQL + S3 (s3rver), ${scaleOut.transfer}, parts PUT to s3rver (CPU: Hangar + s3rver)`,
              scaleOut,
              scaleOut.MBps,
            ),
            ["ratio PostgreSQL + S3 ingest / sha256", round(scaleOut.MBps / hashRate, 3), ""],
            ["ratio PostgreSQL + S3 ingest / embedded ingest", round(scaleOut.MBps / ingestRate, 3), ""],
          ]
        : []),
      [
        "ratio bare Node.js server / sha256 (what any Node.js server reaches)",
        round(sinkRate / hashRate, 3),
        "",
      ],
    ],
  );
  printTable(
    "Hangar server memory while ingesting (sampled from /proc every 20 ms)",
    ["measure", "MB"],
    [
      ["idle RSS (before the upload)", megabytes(idle.rss)],
      ["peak RSS while ingesting", megabytes(peakRss)],
      ["peak - idle", megabytes(rssDelta)],
      ...(basic ? [["peak RSS during the basic upload", basic.peakRssMB]] : []),
      ...(library ? [["peak RSS during the @huggingface/hub upload", library.peakRssMB]] : []),
      ["VmHWM after uploads (since start)", megabytes(afterUploads.highWaterMark)],
    ],
  );
  const throughputMet = ratio >= THROUGHPUT_TARGET;
  const rssMet = rssDelta < RSS_TARGET;
  printTable(
    "Targets",
    ["target", "measured", "status"],
    [
      [`ingest >= ${THROUGHPUT_TARGET} x sha256`, `${ratio}`, verdict(throughputMet)],
      ["peak RSS while ingesting < idle + 100 MB", `+${megabytes(rssDelta)} MB`, verdict(rssMet)],
    ],
  );
  // What the aim leaves: client and server share the machine's cores, so an ingest at the target rate has
  // at most this many CPU seconds for both. The bare server (which only hashes) is less work than any
  // server that also stores the bytes: when it and the client need more, no server reaches the aim here.
  const aimSeconds = FILE_SIZE / MB / (THROUGHPUT_TARGET * hashRate);
  const aimCpuBudget = CORES * aimSeconds;
  const bareCpu = sinkCpu.server + sinkCpu.client;
  const hangarCpu = result.serverCpuSeconds + result.clientCpuSeconds;
  const bareFitsAim = bareCpu <= aimCpuBudget;
  printTable(
    `CPU budget of the aim (client and server share ${CORES} cores)`,
    ["measure", "CPU seconds"],
    [
      [
        `${CORES} cores x ${round(aimSeconds, 2)} s (an ingest at ${THROUGHPUT_TARGET} x sha256)`,
        round(aimCpuBudget, 2),
      ],
      ["bare Node.js server + client, same parts", round(bareCpu, 2)],
      ["Hangar + client", round(hangarCpu, 2)],
      [
        bareFitsAim
          ? "the bare server fits the budget: the aim is within reach of a server here"
          : "the bare server alone exceeds it: no Node.js server reaches the aim with this client here",
        "",
      ],
    ],
  );
  const roundPhases = (ingested: IngestResult) =>
    Object.fromEntries(Object.entries(ingested.phases).map(([key, value]) => [key, round(value, 3)]));
  const machineAtEnd = machineInfo();
  process.stdout.write(`Load average at the end: ${machineAtEnd.loadAverage}\n`);
  printJsonLine({
    benchmark: "upload",
    machine: { ...machineAtStart, loadAverageAtEnd: machineAtEnd.loadAverage },
    fileBytes: FILE_SIZE,
    sha256MBps: round(hashRate, 0),
    durableWriteMBps: round(diskRate, 0),
    ...(ddRate !== undefined ? { directWriteMBps: round(ddRate, 0) } : {}),
    bareServerMBps: round(sinkRate, 0),
    bareServerCpuSeconds: { server: round(sinkCpu.server, 2), client: round(sinkCpu.client, 2) },
    aimCpuBudgetSeconds: round(aimCpuBudget, 2),
    bareServerFitsAim: bareFitsAim,
    ingest: {
      MBps: round(ingestRate, 0),
      seconds: round(result.seconds, 3),
      transfer: result.transfer,
      parts: result.parts,
      phasesSeconds: roundPhases(result),
      serverCpuSeconds: round(result.serverCpuSeconds, 2),
      clientCpuSeconds: round(result.clientCpuSeconds, 2),
      ratio,
      ratioToDurableWrite: round(ingestRate / diskRate, 3),
      ...(ddRate !== undefined ? { ratioToDirectWrite: round(ingestRate / ddRate, 3) } : {}),
      ratioToBareServer: round(ingestRate / sinkRate, 3),
      target: THROUGHPUT_TARGET,
      met: throughputMet,
    },
    rss: {
      idleMB: megabytes(idle.rss),
      peakMB: megabytes(peakRss),
      deltaMB: megabytes(rssDelta),
      highWaterMarkMB: megabytes(afterUploads.highWaterMark),
      targetDeltaMB: RSS_TARGET / MB,
      met: rssMet,
    },
    ...(basic
      ? {
          basic: {
            MBps: basic.MBps,
            seconds: round(basic.seconds, 3),
            transfer: basic.transfer,
            phasesSeconds: roundPhases(basic),
            serverCpuSeconds: round(basic.serverCpuSeconds, 2),
            ratio: round(basic.MBps / hashRate, 3),
            peakRssMB: basic.peakRssMB,
          },
        }
      : {}),
    ...(library ? { library } : {}),
    ...(scaleOut
      ? {
          postgresS3: {
            MBps: round(scaleOut.MBps, 0),
            seconds: round(scaleOut.seconds, 3),
            transfer: scaleOut.transfer,
            parts: scaleOut.parts,
            phasesSeconds: roundPhases(scaleOut),
            serverCpuSeconds: round(scaleOut.serverCpuSeconds, 2),
            hangarCpuSeconds: round(scaleOut.hangarCpuSeconds, 2),
            ratio: round(scaleOut.MBps / hashRate, 3),
            ratioToEmbedded: round(scaleOut.MBps / ingestRate, 3),
          },
        }
      : {}),
  });
  return 0;
}

async function main(): Promise<number> {
  try {
    return await run();
  } finally {
    await runCleanups();
  }
}

process.exitCode = await main();
