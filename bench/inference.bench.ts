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
 *
 * The models and their input text are made in bench/lib/inference-models.ts, the alternating latency rounds
 * run in bench/lib/inference-latency.ts, and Hangar's requests go through bench/lib/inference-client.ts.
 */
import { join } from "node:path";
import { numberFromEnv, switchFromEnv } from "./lib/env.ts";
import { startHangarProcess } from "./lib/hangar-process.ts";
import { inferenceAgent, meanBatchSize, measureThroughput } from "./lib/inference-client.ts";
import { type LatencyResult, measureLatency } from "./lib/inference-latency.ts";
import {
  BERT_BASE,
  BERT_INT8,
  craftInput,
  MINILM,
  type PreparedModel,
  prepareModels,
  TINY,
} from "./lib/inference-models.ts";
import { describeMachine, machineInfo } from "./lib/machine.ts";
import { RssSampler, readProcessCpuSeconds, readProcessMemory } from "./lib/rss.ts";
import { median, megabytes, percentile, round } from "./lib/stats.ts";
import { logProgress as log, printJsonLine, printTable, verdict } from "./lib/table.ts";
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

const latencyOptions = (rounds: number) => ({
  rounds,
  perRound: PER_ROUND,
  tokens: TOKENS,
  threads: THREADS,
  bareSpinning: BARE_SPINNING,
});

const PRIMARY = QUICK ? MINILM : BERT_BASE;
const EXTRA_MODELS = [...(EXTRAS ? [MINILM, BERT_INT8] : []), TINY];

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
  const input = await craftInput(primary.tokenizerDir, TOKENS);
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
  const latency = await measureLatency(primary, input, batched, unbatched, latencyOptions(ROUNDS));

  // Throughput at concurrency 32, batching on and off, alternating rounds after one warm-up burst each.
  log(
    `throughput: ${THROUGHPUT_ROUNDS} rounds x ${THROUGHPUT_REQUESTS} requests, concurrency ${CONCURRENCY}`,
  );
  await measureThroughput(batched, primary.repoId, input.text, CONCURRENCY, CONCURRENCY);
  await measureThroughput(unbatched, primary.repoId, input.text, CONCURRENCY, CONCURRENCY);
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
      const rate = await measureThroughput(
        server,
        primary.repoId,
        input.text,
        THROUGHPUT_REQUESTS,
        CONCURRENCY,
      );
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
    const extraInput = await craftInput(model.tokenizerDir, TOKENS);
    log(`latency: ${model.label}`);
    extras.push({
      model,
      latency: await measureLatency(
        model,
        extraInput,
        batched,
        undefined,
        latencyOptions(Math.max(2, Math.ceil(ROUNDS / 2))),
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

  const mb = (bytes: number) => megabytes(bytes, 0);
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
  inferenceAgent.destroy();
  await runCleanups();
}
