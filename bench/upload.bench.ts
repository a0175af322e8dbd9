// `npm run bench:upload`: ingest throughput of a 1 GB LFS upload over HTTP (LFS batch, signed PUT or
// multipart parts + completion, NDJSON commit) next to Node's own sha256 over the same bytes, durable
// writes of them (Node through the page cache, dd with O_DIRECT) and a bare Node.js server that only hashes
// them, and the Hangar server's RSS while it ingests. Then, to locate costs, a single-PUT upload
// (the client offers only the basic transfer), and the real `@huggingface/hub` upload end to end.
// Prints tables, then one JSON line; exits 0 when it ran.
// Knobs (for quick runs): HANGAR_BENCH_FILE_MB (default 1024); HANGAR_BENCH_BASIC=0 and
// HANGAR_BENCH_LIBRARY=0 skip the extra runs.
import { mkdir, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { uploadFilesWithProgress } from "@huggingface/hub";
import { copyDirectWithDd, copyDurably, hashFile, makeDataFile, warmPageCache } from "./lib/data-file.ts";
import { numberFromEnv, switchFromEnv } from "./lib/env.ts";
import { buildHome } from "./lib/fixtures.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { startHashingSink } from "./lib/hashing-sink.ts";
import { putFileRange, request } from "./lib/http-client.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { MB, megabytesPerSecond, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const FILE_SIZE = numberFromEnv("HANGAR_BENCH_FILE_MB", 1024) * MB;
const RUN_LIBRARY = switchFromEnv("HANGAR_BENCH_LIBRARY");
const RUN_BASIC = switchFromEnv("HANGAR_BENCH_BASIC");
const ADMIN_TOKEN = "hf_bench_admin_token_0123456789abcdef";
const REPO_ID = "bench/upload-target";
const BASIC_REPO_ID = "bench/basic-upload-target";
const LIBRARY_REPO_ID = "bench/library-upload-target";
/** As many parts in flight as `@huggingface/hub` uses for multipart uploads. */
const PARALLEL_PARTS = 5;
const BASELINE_RUNS = 3;
const THROUGHPUT_TARGET = 0.7;
const RSS_TARGET = 100 * MB;

const LFS_TYPE = "application/vnd.git-lfs+json";
const CORES = availableParallelism();

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

/** CPU seconds spent per second of wall time: how many of the machine's cores the run kept busy. */
function busyCores(cpu: number, seconds: number): number {
  return round(cpu / seconds, 2);
}

interface BatchObject {
  oid: string;
  size: number;
  actions?: {
    upload?: { href: string; header?: Record<string, string> };
    verify?: { href: string };
  };
  error?: { code: number; message: string };
}

interface IngestResult {
  seconds: number;
  transfer: "basic" | "multipart" | "already stored";
  parts: number;
  chunkSize: number;
  phases: { batch: number; upload: number; verify: number; commit: number };
  /** CPU seconds the server used for the whole ingest. */
  serverCpuSeconds: number;
  /** CPU seconds this process (the client) used meanwhile. */
  clientCpuSeconds: number;
  commitOid: string;
}

function auth(): Record<string, string> {
  return { Authorization: `Bearer ${ADMIN_TOKEN}` };
}

function expectOk(what: string, answer: { status: number; body: string }): void {
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${what} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}

/** PUTs a file in parts, PARALLEL_PARTS at a time as `@huggingface/hub` does; returns each part's ETag. */
async function putParts(params: {
  path: string;
  size: number;
  chunkSize: number;
  urlOf: (part: number) => string;
}): Promise<Map<number, string>> {
  const { path, size, chunkSize } = params;
  const count = Math.ceil(size / chunkSize);
  const etags = new Map<number, string>();
  let next = 1;
  const worker = async () => {
    for (let part = next++; part <= count; part = next++) {
      const first = (part - 1) * chunkSize;
      const answer = await putFileRange(params.urlOf(part), path, {
        start: first,
        end: Math.min(size, first + chunkSize) - 1,
      });
      expectOk(`PUT of part ${part}`, answer);
      const etag = answer.headers.etag;
      if (!etag) throw new Error(`PUT of part ${part} answered without an ETag`);
      etags.set(part, etag);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, count) }, worker));
  return etags;
}

/** Runs the upload protocol by hand (as `@huggingface/hub` does, minus its own hashing), timing each phase. */
async function ingest(params: {
  baseUrl: string;
  repoId: string;
  path: string;
  oid: string;
  size: number;
  transfers: string[];
  serverPid: number;
}): Promise<IngestResult> {
  const { baseUrl, repoId, path, oid, size } = params;
  const cpuBefore = readProcessCpuSeconds(params.serverPid);
  const clientBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const batch = await request(`${baseUrl}/${repoId}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...auth(), Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
    body: JSON.stringify({
      operation: "upload",
      transfers: params.transfers,
      hash_algo: "sha_256",
      ref: { name: "main" },
      objects: [{ oid, size }],
    }),
  });
  expectOk("LFS batch", batch);
  const batchSeconds = secondsSince(start);
  const object = (JSON.parse(batch.body) as { objects: BatchObject[] }).objects.find(
    (item) => item.oid === oid,
  );
  if (!object) throw new Error(`The batch reply does not list ${oid}`);
  if (object.error) throw new Error(`The batch reply refused the object: ${object.error.message}`);

  const uploadStart = process.hrtime.bigint();
  const upload = object.actions?.upload;
  let transfer: IngestResult["transfer"] = "already stored";
  let parts = 0;
  let chunk = size;
  if (upload?.header?.chunk_size) {
    transfer = "multipart";
    const chunkSize = Number(upload.header.chunk_size);
    const partKeys = Object.keys(upload.header).filter((key) => /^\d+$/.test(key));
    parts = partKeys.length;
    if (parts !== Math.ceil(size / chunkSize)) {
      throw new Error(`${parts} part URLs for ${size} bytes in chunks of ${chunkSize}`);
    }
    chunk = chunkSize;
    const etags = await putParts({ path, size, chunkSize, urlOf: (part) => upload.header![String(part)]! });
    const completion = await request(upload.href, {
      method: "POST",
      headers: { Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
      body: JSON.stringify({
        oid,
        parts: [...etags.entries()]
          .sort(([a], [b]) => a - b)
          .map(([partNumber, etag]) => ({ partNumber, etag })),
      }),
    });
    expectOk("multipart completion", completion);
  } else if (upload) {
    transfer = "basic";
    parts = 1;
    expectOk("PUT of the object", await putFileRange(upload.href, path, { start: 0, end: size - 1 }));
  }
  const uploadSeconds = secondsSince(uploadStart);

  const verifyStart = process.hrtime.bigint();
  const verifyHref = object.actions?.verify?.href;
  if (verifyHref) {
    const verified = await request(verifyHref, {
      method: "POST",
      headers: { ...auth(), Accept: LFS_TYPE, "Content-Type": LFS_TYPE },
      body: JSON.stringify({ oid, size }),
    });
    expectOk("LFS verify", verified);
  }
  const verifySeconds = secondsSince(verifyStart);

  const commitStart = process.hrtime.bigint();
  const ndjson = [
    { key: "header", value: { summary: "Upload benchmark weights", description: "" } },
    { key: "lfsFile", value: { path: "weights.bin", algo: "sha256", oid, size } },
  ]
    .map((line) => JSON.stringify(line))
    .join("\n");
  const committed = await request(`${baseUrl}/api/models/${repoId}/commit/main`, {
    method: "POST",
    headers: { ...auth(), "Content-Type": "application/x-ndjson" },
    body: ndjson,
  });
  expectOk("commit", committed);
  const commitSeconds = secondsSince(commitStart);
  return {
    seconds: secondsSince(start),
    transfer,
    parts,
    chunkSize: chunk,
    phases: { batch: batchSeconds, upload: uploadSeconds, verify: verifySeconds, commit: commitSeconds },
    serverCpuSeconds: readProcessCpuSeconds(params.serverPid) - cpuBefore,
    clientCpuSeconds: cpuSeconds(process.cpuUsage(clientBefore)),
    commitOid: (JSON.parse(committed.body) as { commitOid: string }).commitOid,
  };
}

/** Checks that the committed file is what was sent: its LFS sha256 and size, through `resolve`. */
async function checkStored(baseUrl: string, repoId: string, oid: string, size: number): Promise<void> {
  const head = await request(`${baseUrl}/${repoId}/resolve/main/weights.bin`, { method: "HEAD" });
  const etag = String(head.headers["x-linked-etag"] ?? head.headers.etag ?? "").replace(/^W\//, "");
  if (head.status !== 200 || etag.replaceAll('"', "") !== oid) {
    throw new Error(`resolve answered ${head.status} with etag ${etag} after the upload, expected ${oid}`);
  }
  const linkedSize = Number(head.headers["x-linked-size"] ?? head.headers["content-length"]);
  if (linkedSize !== size) throw new Error(`resolve reports ${linkedSize} bytes, expected ${size}`);
}

function mb(bytes: number): number {
  return round(bytes / MB, 1);
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
  const whoami = await request(`${server.url}/api/whoami-v2`, { headers: auth() });
  expectOk("whoami", whoami);

  /** A new file of other bytes than the last (or the server would answer "already stored"). */
  const freshFile = async (name: string) => {
    const path = join(dataDir, name);
    await makeDataFile(path, FILE_SIZE);
    await warmPageCache(path);
    return path;
  };

  // Baseline: Node's sha256 over the same bytes, read the same way (1 MB reads from the page cache).
  const dataFile = await freshFile("weights.bin");
  // Each reference is the best of BASELINE_RUNS: the machine's capacity, not its worst moment.
  const hashRuns = [];
  for (let run = 0; run < BASELINE_RUNS; run++) hashRuns.push(await hashFile(dataFile));
  const hashed = hashRuns.reduce((best, next) => (next.seconds < best.seconds ? next : best));
  const hashRate = megabytesPerSecond(hashed.bytes, hashed.seconds);
  // Second references: durable writes of the same bytes on the filesystem of the blob store (both are
  // under the system temp dir), through the page cache (Node) and bypassing it as Hangar does (dd).
  const copyRuns = [];
  const ddRuns: number[] = [];
  const copyTarget = join(dataDir, "durable-copy.bin");
  for (let run = 0; run < BASELINE_RUNS; run++) {
    copyRuns.push(await copyDurably(dataFile, copyTarget));
    await rm(copyTarget);
    const ddSeconds = await copyDirectWithDd(dataFile, copyTarget);
    if (ddSeconds !== undefined) ddRuns.push(ddSeconds);
    await rm(copyTarget, { force: true });
  }
  const copied = copyRuns.reduce((best, next) => (next.seconds < best.seconds ? next : best));
  const diskRate = megabytesPerSecond(copied.bytes, copied.seconds);
  const ddSeconds = ddRuns.length > 0 ? Math.min(...ddRuns) : undefined;
  const ddRate = ddSeconds === undefined ? undefined : megabytesPerSecond(FILE_SIZE, ddSeconds);

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
    serverPid: server.pid,
  });
  const peakRss = sampler.stop().peak;
  await checkStored(server.url, REPO_ID, hashed.sha256, FILE_SIZE);
  // Third reference: the same parts, client and loopback into a bare Node.js server that only hashes them.
  const sinkCpuBefore = readProcessCpuSeconds(sink.pid);
  const sinkClientBefore = process.cpuUsage();
  const sinkStart = process.hrtime.bigint();
  await putParts({
    path: dataFile,
    size: FILE_SIZE,
    chunkSize: result.chunkSize,
    urlOf: (part) => `${sink.url}/part/${part}`,
  });
  const sinkSeconds = secondsSince(sinkStart);
  const sinkCpu = {
    server: readProcessCpuSeconds(sink.pid) - sinkCpuBefore,
    client: cpuSeconds(process.cpuUsage(sinkClientBefore)),
  };
  await sink.stop();
  const sinkRate = megabytesPerSecond(FILE_SIZE, sinkSeconds);
  await rm(dataFile);
  const ingestRate = megabytesPerSecond(FILE_SIZE, result.seconds);
  const ratio = round(ingestRate / hashRate, 3);
  const rssDelta = peakRss - idle.rss;

  let basic: (IngestResult & { MBps: number; peakRssMB: number }) | undefined;
  if (RUN_BASIC) {
    const basicFile = await freshFile("basic.bin");
    const basicHash = await hashFile(basicFile);
    const basicSampler = new RssSampler(server.pid);
    basicSampler.start();
    const basicResult = await ingest({
      baseUrl: server.url,
      repoId: BASIC_REPO_ID,
      path: basicFile,
      oid: basicHash.sha256,
      size: FILE_SIZE,
      transfers: ["basic"],
      serverPid: server.pid,
    });
    const basicPeak = basicSampler.stop().peak;
    await checkStored(server.url, BASIC_REPO_ID, basicHash.sha256, FILE_SIZE);
    await rm(basicFile);
    basic = {
      ...basicResult,
      MBps: round(megabytesPerSecond(FILE_SIZE, basicResult.seconds), 0),
      peakRssMB: mb(basicPeak),
    };
  }

  let library:
    | {
        seconds: number;
        hashingSeconds: number;
        uploadSeconds: number;
        commitSeconds: number;
        MBps: number;
        peakRssMB: number;
      }
    | undefined;
  if (RUN_LIBRARY) {
    await mkdir(join(dataDir, "library"));
    const libraryFile = await freshFile(join("library", "weights.bin"));
    const librarySampler = new RssSampler(server.pid);
    librarySampler.start();
    const start = process.hrtime.bigint();
    // The progress events split the client's time: hashing the file, sending it, committing.
    let uploadStartedAt: number | undefined;
    let commitStartedAt: number | undefined;
    for await (const event of uploadFilesWithProgress({
      repo: { type: "model", name: LIBRARY_REPO_ID },
      files: [pathToFileURL(libraryFile)],
      hubUrl: server.url,
      accessToken: ADMIN_TOKEN,
      useXet: false,
    })) {
      if (event.event === "fileProgress" && event.state === "uploading" && uploadStartedAt === undefined) {
        uploadStartedAt = secondsSince(start);
      }
      if (event.event === "phase" && event.phase === "committing") commitStartedAt = secondsSince(start);
    }
    const seconds = secondsSince(start);
    const libraryPeak = librarySampler.stop().peak;
    const libraryHash = await hashFile(libraryFile);
    await checkStored(server.url, LIBRARY_REPO_ID, libraryHash.sha256, FILE_SIZE);
    await rm(libraryFile);
    library = {
      seconds: round(seconds, 2),
      hashingSeconds: round(uploadStartedAt ?? Number.NaN, 2),
      uploadSeconds: round((commitStartedAt ?? Number.NaN) - (uploadStartedAt ?? Number.NaN), 2),
      commitSeconds: round(seconds - (commitStartedAt ?? Number.NaN), 3),
      MBps: round(megabytesPerSecond(FILE_SIZE, seconds), 0),
      peakRssMB: mb(libraryPeak),
    };
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
      ["idle RSS (before the upload)", mb(idle.rss)],
      ["peak RSS while ingesting", mb(peakRss)],
      ["peak - idle", mb(rssDelta)],
      ...(basic ? [["peak RSS during the basic upload", basic.peakRssMB]] : []),
      ...(library ? [["peak RSS during the @huggingface/hub upload", library.peakRssMB]] : []),
      ["VmHWM after uploads (since start)", mb(afterUploads.highWaterMark)],
    ],
  );
  const throughputMet = ratio >= THROUGHPUT_TARGET;
  const rssMet = rssDelta < RSS_TARGET;
  printTable(
    "Targets",
    ["target", "measured", "status"],
    [
      [`ingest >= ${THROUGHPUT_TARGET} x sha256`, `${ratio}`, verdict(throughputMet)],
      ["peak RSS while ingesting < idle + 100 MB", `+${mb(rssDelta)} MB`, verdict(rssMet)],
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
      idleMB: mb(idle.rss),
      peakMB: mb(peakRss),
      deltaMB: mb(rssDelta),
      highWaterMarkMB: mb(afterUploads.highWaterMark),
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
