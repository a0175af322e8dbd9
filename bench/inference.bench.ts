/**
 * `npm run bench:inference`: one feature-extraction request through Hangar's HTTP API
 * (`POST /v1/inference/feature-extraction`, 128 tokens, BERT-base-shaped random-weight model made by the
 * factory at benchmark time) next to a bare onnxruntime-node `InferenceSession.run` of the same ONNX file with
 * the same token ids, in the same run and with the same thread count, measured in alternating rounds; then
 * throughput at concurrency 32 with dynamic batching on and off, and the server's RSS.
 *
 * `--quick` runs only the MiniLM-shaped model (development). Knobs: HANGAR_BENCH_ROUNDS (12),
 * HANGAR_BENCH_PER_ROUND (5), HANGAR_BENCH_CONCURRENCY (32), HANGAR_BENCH_THROUGHPUT_REQUESTS (64 per round),
 * HANGAR_BENCH_THROUGHPUT_ROUNDS (3), HANGAR_BENCH_BATCH_SIZE (16), HANGAR_BENCH_THREADS (2),
 * HANGAR_BENCH_EXTRAS=0 (skip the MiniLM and int8 rows), HANGAR_BENCH_BARE_SPIN=1 (bare session with
 * onnxruntime's default busy-waiting threads instead of Hangar's options).
 */
import { mkdir, writeFile } from "node:fs/promises";
import http from "node:http";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import type { InferenceSession as OrtSession, Tensor as OrtTensor } from "onnxruntime-node";
import { defaultConfig } from "../src/core/config.ts";
import { makeModel } from "../src/factory/make-model.ts";
import { createHangar } from "../src/hangar.ts";
import { resolveRevision } from "../src/hub/resolve-revision.ts";
import { localBlobPath } from "../src/inference/runtime/local-blob-path.ts";
import { numberFromEnv, switchFromEnv } from "./lib/env.ts";
import { type HangarProcess, startHangarProcess } from "./lib/hangar-process.ts";
import { request } from "./lib/http-client.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { MB, median, percentile, round, secondsSince } from "./lib/stats.ts";
import { printJsonLine, printTable, verdict } from "./lib/table.ts";
import { makeTempDir, onCleanup, runCleanups } from "./lib/temp.ts";

const QUICK = process.argv.includes("--quick");
const ROUNDS = numberFromEnv("HANGAR_BENCH_ROUNDS", 12);
const PER_ROUND = numberFromEnv("HANGAR_BENCH_PER_ROUND", 5);
const CONCURRENCY = numberFromEnv("HANGAR_BENCH_CONCURRENCY", 32);
const THROUGHPUT_REQUESTS = numberFromEnv("HANGAR_BENCH_THROUGHPUT_REQUESTS", 64);
const THROUGHPUT_ROUNDS = numberFromEnv("HANGAR_BENCH_THROUGHPUT_ROUNDS", 3);
const BATCH_SIZE = numberFromEnv("HANGAR_BENCH_BATCH_SIZE", 16);
const THREADS = numberFromEnv("HANGAR_BENCH_THREADS", 2);
const EXTRAS = switchFromEnv("HANGAR_BENCH_EXTRAS") && !QUICK;
/** The bare session uses Hangar's session options (no busy-waiting threads) unless this is 1. */
const BARE_SPINNING = process.env.HANGAR_BENCH_BARE_SPIN === "1";
const TOKENS = 128;
const TARGET_MS = 500;
const RATIO_TARGET = 1.15;

interface BenchModel {
  label: string;
  kind: "bert-base" | "minilm";
  dtype: "fp32" | "int8";
  size?: "tiny";
  repoId: string;
}

const BERT_BASE: BenchModel = {
  label: "BERT-base fp32",
  kind: "bert-base",
  dtype: "fp32",
  repoId: "bench/bert-base",
};
const MINILM: BenchModel = { label: "MiniLM-L6 fp32", kind: "minilm", dtype: "fp32", repoId: "bench/minilm" };
const BERT_INT8: BenchModel = {
  label: "BERT-base int8",
  kind: "bert-base",
  dtype: "int8",
  repoId: "bench/bert-base-int8",
};

/** A 2-layer, 64-hidden encoder: its session.run is tiny, so Hangar's fixed cost per request shows up. */
const TINY: BenchModel = {
  label: "tiny BERT fp32 (overhead probe)",
  kind: "bert-base",
  dtype: "fp32",
  size: "tiny",
  repoId: "bench/tiny",
};

const PRIMARY = QUICK ? MINILM : BERT_BASE;
const EXTRA_MODELS = [...(EXTRAS ? [MINILM, BERT_INT8] : []), TINY];

interface PreparedModel extends BenchModel {
  onnxPath: string;
  tokenizerDir: string;
  bytes: number;
  parameters: number;
  buildSeconds: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Makes the models with the factory straight into the temp home, and finds each ONNX file in the blob store. */
async function prepareModels(home: string, work: string, models: BenchModel[]): Promise<PreparedModel[]> {
  const hangar = await createHangar(defaultConfig(home));
  const prepared: PreparedModel[] = [];
  try {
    for (const model of models) {
      const started = process.hrtime.bigint();
      const [namespace, name] = model.repoId.split("/") as [string, string];
      const repoRef = { type: "model" as const, namespace, name };
      const made = await makeModel(hangar, {
        kind: model.kind,
        repo: repoRef,
        dtype: model.dtype,
        ...(model.size ? { size: model.size } : {}),
      });
      const buildSeconds = secondsSince(started);
      const repo = (await hangar.catalog.repos.get(repoRef))!;
      const { commit } = await resolveRevision(hangar, repo, "main");
      const files = await hangar.catalog.commits.listFiles(commit.pk);
      const onnx = files.find((file) => file.path.endsWith(".onnx"));
      if (!onnx) throw new Error(`The factory made no ONNX file for ${model.repoId}`);
      // The tokenizer files, for crafting the input text and its token ids in this process.
      const tokenizerDir = join(work, "tokenizers", name);
      for (const path of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
        const file = files.find((entry) => entry.path === path)!;
        await writeFileDeep(join(tokenizerDir, path), await hangar.blobs.read(file.sha256));
      }
      prepared.push({
        ...model,
        onnxPath: await localBlobPath(hangar.blobs, hangar.config.home, onnx.sha256),
        tokenizerDir,
        bytes: onnx.size,
        parameters: Number(made.facts.parameters ?? 0),
        buildSeconds,
      });
      log(`made ${model.repoId} (${(onnx.size / MB).toFixed(0)} MB) in ${buildSeconds.toFixed(1)} s`);
    }
  } finally {
    await hangar.close();
  }
  return prepared;
}

async function writeFileDeep(path: string, content: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

interface TokenizedInput {
  text: string;
  ids: bigint[];
  tokenizeMs: number;
}

/** A text the model's own tokenizer turns into exactly `TOKENS` ids ([CLS] and [SEP] included). */
async function craftInput(tokenizerDir: string): Promise<TokenizedInput> {
  const transformers = await import("@huggingface/transformers");
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = "";
  const tokenizer = await transformers.AutoTokenizer.from_pretrained(tokenizerDir);
  const words = ["the", "model", "hub", "benchmark", "a"];
  const textOf = (count: number) =>
    Array.from({ length: count }, (_, i) => words[i % words.length]).join(" ");
  let count = TOKENS - 2;
  for (let attempt = 0; attempt < 200; attempt++) {
    const length = tokenizer.encode(textOf(count)).length;
    if (length === TOKENS) break;
    count += length < TOKENS ? 1 : -1;
  }
  const text = textOf(count);
  const ids = tokenizer.encode(text).map((id: number) => BigInt(id));
  if (ids.length !== TOKENS) throw new Error(`Could not craft a ${TOKENS}-token input (got ${ids.length})`);
  // What one tokenisation of this text costs (Hangar tokenises each request's text).
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = process.hrtime.bigint();
    tokenizer(text, { padding: true, truncation: true, max_length: 512 });
    times.push(secondsSince(started) * 1000);
  }
  return { text, ids, tokenizeMs: median(times.slice(5)) };
}

/**
 * A bare onnxruntime-node session on the same file, with the session options Hangar's loader passes
 * (threads, intra-op spinning off); `HANGAR_BENCH_BARE_SPIN=1` leaves onnxruntime's default spinning on.
 */
async function openBareSession(
  onnxPath: string,
  ids: bigint[],
): Promise<{ run(): Promise<number>; release(): Promise<void> }> {
  const ort = await import("onnxruntime-node");
  const session: OrtSession = await ort.InferenceSession.create(onnxPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: THREADS,
    ...(BARE_SPINNING ? {} : { extra: { session: { intra_op: { allow_spinning: "0" } } } }),
  });
  const dims = [1, ids.length];
  return {
    async run() {
      const started = process.hrtime.bigint();
      const feeds: Record<string, OrtTensor> = {
        input_ids: new ort.Tensor("int64", BigInt64Array.from(ids), dims),
        attention_mask: new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), dims),
        token_type_ids: new ort.Tensor("int64", new BigInt64Array(ids.length), dims),
      };
      const outputs = await session.run(feeds);
      const hidden = outputs.last_hidden_state;
      if (!hidden || hidden.dims[1] !== ids.length) throw new Error("Unexpected bare session output");
      return secondsSince(started) * 1000;
    },
    release: () => session.release(),
  };
}

interface HangarAnswer {
  ms: number;
  serverMs: number;
  inputTokens: number;
  vectorLength: number;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function embedOnce(server: HangarProcess, model: string, text: string): Promise<HangarAnswer> {
  const response = await request(`${server.url}/v1/inference/feature-extraction`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, inputs: text }),
    agent: keepAlive,
  });
  if (response.status !== 200) {
    throw new Error(`feature-extraction answered ${response.status}: ${response.body.slice(0, 300)}`);
  }
  const answer = JSON.parse(response.body) as {
    outputs: number[];
    usage: { input_units: number; unit: string; latency_ms: number };
  };
  return {
    ms: response.seconds * 1000,
    serverMs: answer.usage.latency_ms,
    inputTokens: answer.usage.unit === "tokens" ? answer.usage.input_units : Number.NaN,
    vectorLength: answer.outputs.length,
  };
}

interface LatencyResult {
  bare: number[];
  hangar: number[];
  /** Hangar with batching off: a single request never waits for company. */
  hangarNoBatch: number[];
  /** `usage.latency_ms` the server reports (inside the runtime, without HTTP and JSON). */
  server: number[];
  /** Hangar/bare of measurements taken back to back: robust to load that drifts during the run. */
  pairRatios: number[];
  /** Hangar minus bare, in ms, of the same back-to-back measurements. */
  pairDifferences: number[];
  firstRequestMs: number;
  inputTokens: number;
}

/**
 * Alternating rounds: each round makes `PER_ROUND` back-to-back measurements of every side (bare session,
 * Hangar batching on, Hangar batching off), one request at a time, in an order that rotates with every
 * measurement, so both sides see the same machine load.
 */
async function measureLatency(
  model: PreparedModel,
  input: TokenizedInput,
  batched: HangarProcess,
  unbatched: HangarProcess | undefined,
  rounds: number,
): Promise<LatencyResult> {
  const bare = await openBareSession(model.onnxPath, input.ids);
  try {
    for (let i = 0; i < 3; i++) await bare.run();
    const first = await embedOnce(batched, model.repoId, input.text);
    if (first.inputTokens !== TOKENS) {
      throw new Error(`Hangar counted ${first.inputTokens} input tokens, not ${TOKENS}`);
    }
    for (let i = 0; i < 3; i++) await embedOnce(batched, model.repoId, input.text);
    if (unbatched) for (let i = 0; i < 4; i++) await embedOnce(unbatched, model.repoId, input.text);
    const result: LatencyResult = {
      bare: [],
      hangar: [],
      hangarNoBatch: [],
      server: [],
      pairRatios: [],
      pairDifferences: [],
      firstRequestMs: first.ms,
      inputTokens: first.inputTokens,
    };
    let bareMs = 0;
    let hangarMs = 0;
    const sides: Array<() => Promise<void>> = [
      async () => {
        bareMs = await bare.run();
        result.bare.push(bareMs);
      },
      async () => {
        const answer = await embedOnce(batched, model.repoId, input.text);
        hangarMs = answer.ms;
        result.hangar.push(answer.ms);
        result.server.push(answer.serverMs);
      },
      ...(unbatched
        ? [
            async () => {
              result.hangarNoBatch.push((await embedOnce(unbatched, model.repoId, input.text)).ms);
            },
          ]
        : []),
    ];
    for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
      const bareBefore = result.bare.length;
      const hangarBefore = result.hangar.length;
      for (let i = 0; i < PER_ROUND; i++) {
        const turn = roundIndex * PER_ROUND + i;
        for (let side = 0; side < sides.length; side++) await sides[(turn + side) % sides.length]!();
        result.pairRatios.push(hangarMs / bareMs);
        result.pairDifferences.push(hangarMs - bareMs);
      }
      log(
        `  ${model.label} round ${roundIndex + 1}/${rounds}: bare ${median(result.bare.slice(bareBefore)).toFixed(1)} ms, hangar ${median(result.hangar.slice(hangarBefore)).toFixed(1)} ms`,
      );
    }
    return result;
  } finally {
    await bare.release();
  }
}

/** `total` requests with `concurrency` in flight; returns requests per second. */
async function measureThroughput(
  server: HangarProcess,
  model: string,
  text: string,
  total: number,
): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < total) {
      next++;
      await embedOnce(server, model, text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, total) }, worker));
  return total / secondsSince(started);
}

/**
 * Requests per model call in the usage rows written since `since` (both servers share the home; only one
 * runs a throughput round at a time). The runtime flushes usage every 250 ms, so this waits a little first.
 */
async function meanBatchSize(home: string, model: string, since: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 600));
  const db = new Database(join(home, "hangar.db"), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        "SELECT AVG(batch_size) AS mean FROM usage_events WHERE model = ? AND at >= ? AND status = 200",
      )
      .get(model, since) as { mean: number | null };
    return row.mean ?? Number.NaN;
  } finally {
    db.close();
  }
}

interface ServerMemory {
  idleBeforeLoad: number;
  idleAfterLoad: number;
  peak: number;
  highWaterMark: number;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  process.stdout.write(`${describeMachine(machine)}\n`);
  const work = await makeTempDir("inference");
  const home = join(work, "home");
  const prepared = await prepareModels(home, work, [PRIMARY, ...EXTRA_MODELS]);
  const primary = prepared[0]!;
  const input = await craftInput(primary.tokenizerDir);
  log(`input: ${input.ids.length} tokens (${input.text.split(" ").length} words)`);

  const serverEnv = (batchSize: number): Record<string, string> => ({
    HANGAR_NO_DEMO: "1",
    HANGAR_NO_CATALOG: "1",
    HANGAR_INFERENCE_THREADS: String(THREADS),
    HANGAR_INFERENCE_MAX_BATCH_SIZE: String(batchSize),
    HANGAR_INFERENCE_MAX_QUEUE: String(Math.max(1024, CONCURRENCY * 4)),
    HANGAR_INFERENCE_TIMEOUT_MS: "0",
  });
  const batched = await startHangarProcess(home, serverEnv(BATCH_SIZE));
  onCleanup(() => batched.stop());
  const unbatched = await startHangarProcess(home, serverEnv(1));
  onCleanup(() => unbatched.stop());
  const memory: Record<"batched" | "unbatched", ServerMemory> = {
    batched: {
      idleBeforeLoad: readProcessMemory(batched.pid).rss,
      idleAfterLoad: 0,
      peak: 0,
      highWaterMark: 0,
    },
    unbatched: {
      idleBeforeLoad: readProcessMemory(unbatched.pid).rss,
      idleAfterLoad: 0,
      peak: 0,
      highWaterMark: 0,
    },
  };
  const batchedRss = new RssSampler(batched.pid);
  const unbatchedRss = new RssSampler(unbatched.pid);
  batchedRss.start();
  unbatchedRss.start();

  // Latency: bare session, Hangar (batching on), Hangar (batching off), alternating.
  log(`latency: ${ROUNDS} rounds x ${PER_ROUND} requests per side, ${primary.label}`);
  const latency = await measureLatency(primary, input, batched, unbatched, ROUNDS);

  // Throughput at concurrency 32, batching on and off, alternating rounds after one warm-up burst each.
  log(
    `throughput: ${THROUGHPUT_ROUNDS} rounds x ${THROUGHPUT_REQUESTS} requests, concurrency ${CONCURRENCY}`,
  );
  await measureThroughput(batched, primary.repoId, input.text, CONCURRENCY);
  await measureThroughput(unbatched, primary.repoId, input.text, CONCURRENCY);
  const throughput = { batched: [] as number[], unbatched: [] as number[] };
  const batchSizes = { batched: [] as number[], unbatched: [] as number[] };
  // Server CPU ms per request moves much less than wall-clock rates when other work shares the machine.
  const cpuPerRequest = { batched: [] as number[], unbatched: [] as number[] };
  for (let roundIndex = 0; roundIndex < THROUGHPUT_ROUNDS; roundIndex++) {
    const order =
      roundIndex % 2 === 0 ? (["batched", "unbatched"] as const) : (["unbatched", "batched"] as const);
    for (const side of order) {
      const server = side === "batched" ? batched : unbatched;
      const since = new Date().toISOString();
      const cpuBefore = readProcessCpuSeconds(server.pid);
      const rate = await measureThroughput(server, primary.repoId, input.text, THROUGHPUT_REQUESTS);
      cpuPerRequest[side].push(
        ((readProcessCpuSeconds(server.pid) - cpuBefore) * 1000) / THROUGHPUT_REQUESTS,
      );
      throughput[side].push(rate);
      batchSizes[side].push(await meanBatchSize(home, primary.repoId, since));
      log(`  throughput round ${roundIndex + 1}/${THROUGHPUT_ROUNDS} ${side}: ${rate.toFixed(2)} req/s`);
    }
  }
  memory.batched.peak = batchedRss.stop().peak;
  memory.unbatched.peak = unbatchedRss.stop().peak;
  // Idle after load: the model stays loaded; give the allocator a moment after the last burst.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const [side, server] of [
    ["batched", batched],
    ["unbatched", unbatched],
  ] as const) {
    const now = readProcessMemory(server.pid);
    memory[side].idleAfterLoad = now.rss;
    memory[side].highWaterMark = now.highWaterMark;
  }
  await unbatched.stop();

  // Extra models: latency only, on the batching server, fewer rounds.
  const extras: Array<{ model: PreparedModel; latency: LatencyResult }> = [];
  for (const model of prepared.slice(1)) {
    const extraInput = await craftInput(model.tokenizerDir);
    log(`latency: ${model.label}`);
    extras.push({
      model,
      latency: await measureLatency(
        model,
        extraInput,
        batched,
        undefined,
        Math.max(2, Math.ceil(ROUNDS / 2)),
      ),
    });
  }
  const finalMemory = readProcessMemory(batched.pid);

  // Report.
  const p50 = (samples: number[]) => round(percentile(samples, 50), 1);
  const p95 = (samples: number[]) => round(percentile(samples, 95), 1);
  const minimum = (samples: number[]) => round(Math.min(...samples), 1);
  const pairedRatio = median(latency.pairRatios);
  const p50Ratio = percentile(latency.hangar, 50) / percentile(latency.bare, 50);
  const row = (path: string, samples: number[], versusBare: string): Array<string | number> => [
    path,
    p50(samples),
    p95(samples),
    minimum(samples),
    samples.length,
    versusBare,
  ];
  printTable(
    `Latency, one feature-extraction request (mean pooling), ${primary.label} (${(primary.parameters / 1e6).toFixed(0)}M parameters), ${TOKENS} tokens, ${THREADS} threads, ${ROUNDS} rounds x ${PER_ROUND} back-to-back measurements per side`,
    ["path", "p50 ms", "p95 ms", "min ms", "samples", "p50 vs bare"],
    [
      row(
        `bare onnxruntime-node session.run (spinning ${BARE_SPINNING ? "on" : "off, as Hangar"})`,
        latency.bare,
        "1.00",
      ),
      row(`Hangar HTTP, batching on (max ${BATCH_SIZE})`, latency.hangar, p50Ratio.toFixed(2)),
      row(
        "Hangar HTTP, batching off",
        latency.hangarNoBatch,
        (percentile(latency.hangarNoBatch, 50) / percentile(latency.bare, 50)).toFixed(2),
      ),
      row(
        "  inside Hangar's runtime (usage.latency_ms)",
        latency.server,
        (percentile(latency.server, 50) / percentile(latency.bare, 50)).toFixed(2),
      ),
    ],
  );
  process.stdout.write(
    `Hangar/bare ratio: ${pairedRatio.toFixed(3)} (median of ${latency.pairRatios.length} back-to-back pairs; ratio of p50s ${p50Ratio.toFixed(3)}, of minimums ${(Math.min(...latency.hangar) / Math.min(...latency.bare)).toFixed(3)}); target <= ${RATIO_TARGET}: ${verdict(pairedRatio <= RATIO_TARGET)}\n`,
  );
  process.stdout.write(
    `Hangar adds ${median(latency.pairDifferences).toFixed(1)} ms per request (median of pairs). Input: ${latency.inputTokens} tokens as Hangar counts them (usage.input_units); one tokenisation of it takes ${input.tokenizeMs.toFixed(2)} ms. First request (model load + warm-up): ${(latency.firstRequestMs / 1000).toFixed(2)} s\n`,
  );
  const seedMet = percentile(latency.hangar, 95) < TARGET_MS;
  process.stdout.write(
    `Seed target < ${TARGET_MS} ms per request (${primary.label}, Hangar p95 ${p95(latency.hangar)} ms): ${verdict(seedMet)}\n`,
  );

  const rateOn = median(throughput.batched);
  const rateOff = median(throughput.unbatched);
  printTable(
    `Throughput at concurrency ${CONCURRENCY}, ${primary.label}, ${TOKENS} tokens, ${THROUGHPUT_ROUNDS} alternating rounds x ${THROUGHPUT_REQUESTS} requests`,
    ["server", "req/s (median)", "rounds", "requests per model call", "server CPU ms per request"],
    [
      [
        `dynamic batching on (max ${BATCH_SIZE})`,
        round(rateOn, 2),
        throughput.batched.map((rate) => rate.toFixed(2)).join(" "),
        round(median(batchSizes.batched), 1),
        round(median(cpuPerRequest.batched), 0),
      ],
      [
        "dynamic batching off (max 1)",
        round(rateOff, 2),
        throughput.unbatched.map((rate) => rate.toFixed(2)).join(" "),
        round(median(batchSizes.unbatched), 1),
        round(median(cpuPerRequest.unbatched), 0),
      ],
    ],
  );
  process.stdout.write(`Batching on/off throughput ratio: ${(rateOn / rateOff).toFixed(2)}\n`);

  const mb = (bytes: number) => Math.round(bytes / MB);
  printTable(
    `Server RSS (MB), ${primary.label} (${mb(primary.bytes)} MB ONNX file)`,
    ["server", "idle before load", "peak during runs", "idle after load", "VmHWM"],
    (["batched", "unbatched"] as const).map((side) => [
      side === "batched" ? "batching on" : "batching off",
      mb(memory[side].idleBeforeLoad),
      mb(memory[side].peak),
      mb(memory[side].idleAfterLoad),
      mb(memory[side].highWaterMark),
    ]),
  );

  printTable(
    `Other models, ${TOKENS} tokens, ${THREADS} threads (latency only, batching on; server RSS with all of them loaded: ${mb(finalMemory.rss)} MB)`,
    [
      "model",
      "bare p50 ms",
      "Hangar p50 ms",
      "Hangar p95 ms",
      "ratio (pairs)",
      "Hangar adds ms",
      `< ${TARGET_MS} ms`,
    ],
    extras.map(({ model, latency: extra }) => [
      model.label,
      p50(extra.bare),
      p50(extra.hangar),
      p95(extra.hangar),
      median(extra.pairRatios).toFixed(2),
      round(median(extra.pairDifferences), 1),
      verdict(percentile(extra.hangar, 95) < TARGET_MS),
    ]),
  );
  const endMachine = machineInfo();
  process.stdout.write(`\nLoad average at end: ${endMachine.loadAverage}\n`);

  printJsonLine({
    benchmark: "inference",
    machine,
    loadAverageAtEnd: endMachine.loadAverage,
    model: primary.label,
    parameters: primary.parameters,
    onnxBytes: primary.bytes,
    tokens: latency.inputTokens,
    threads: THREADS,
    bareSpinning: BARE_SPINNING,
    latencyMs: {
      bare: { p50: p50(latency.bare), p95: p95(latency.bare) },
      hangar: { p50: p50(latency.hangar), p95: p95(latency.hangar) },
      hangarBatchingOff: { p50: p50(latency.hangarNoBatch), p95: p95(latency.hangarNoBatch) },
      runtime: { p50: p50(latency.server), p95: p95(latency.server) },
      firstRequest: round(latency.firstRequestMs, 0),
      tokenize: round(input.tokenizeMs, 2),
    },
    ratio: round(pairedRatio, 3),
    ratioOfP50s: round(p50Ratio, 3),
    addedMs: round(median(latency.pairDifferences), 1),
    ratioTarget: RATIO_TARGET,
    ratioMet: pairedRatio <= RATIO_TARGET,
    seedTargetMs: TARGET_MS,
    seedTargetMet: seedMet,
    throughput: {
      concurrency: CONCURRENCY,
      batchSize: BATCH_SIZE,
      batchingOn: round(rateOn, 2),
      batchingOff: round(rateOff, 2),
      ratio: round(rateOn / rateOff, 2),
      meanBatchOn: round(median(batchSizes.batched), 1),
      cpuMsPerRequestOn: round(median(cpuPerRequest.batched), 0),
      cpuMsPerRequestOff: round(median(cpuPerRequest.unbatched), 0),
    },
    rssMb: {
      idleBeforeLoad: mb(memory.batched.idleBeforeLoad),
      peak: mb(Math.max(memory.batched.peak, memory.unbatched.peak)),
      peakBatchingOn: mb(memory.batched.peak),
      peakBatchingOff: mb(memory.unbatched.peak),
      idleAfterLoad: mb(memory.batched.idleAfterLoad),
      allModelsLoaded: mb(finalMemory.rss),
    },
    extras: extras.map(({ model, latency: extra }) => ({
      model: model.label,
      bareP50: p50(extra.bare),
      hangarP50: p50(extra.hangar),
      hangarP95: p95(extra.hangar),
      ratio: round(median(extra.pairRatios), 3),
      addedMs: round(median(extra.pairDifferences), 1),
      seedTargetMet: percentile(extra.hangar, 95) < TARGET_MS,
    })),
  });
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:inference failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  keepAlive.destroy();
  await runCleanups();
}
