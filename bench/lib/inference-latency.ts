// `bench:inference`'s latency comparison: a bare onnxruntime-node session on the same ONNX file with the same
// token ids, next to Hangar's HTTP API (batching on, and off when a second server is given), in alternating
// rounds so both sides see the same machine load.
import type { InferenceSession as OrtSession, Tensor as OrtTensor } from "onnxruntime-node";
import type { HangarProcess } from "./hangar-process.ts";
import { embedOnce } from "./inference-client.ts";
import type { PreparedModel, TokenizedInput } from "./inference-models.ts";
import { median, secondsSince } from "./stats.ts";
import { logProgress } from "./table.ts";

/**
 * A bare onnxruntime-node session on the same file, with the session options Hangar's loader passes
 * (`threads`, intra-op spinning off); `spinning` leaves onnxruntime's default spinning on.
 */
export async function openBareSession(
  onnxPath: string,
  ids: bigint[],
  options: { threads: number; spinning: boolean },
): Promise<{ run(): Promise<number>; release(): Promise<void> }> {
  const ort = await import("onnxruntime-node");
  const session: OrtSession = await ort.InferenceSession.create(onnxPath, {
    executionProviders: ["cpu"],
    intraOpNumThreads: options.threads,
    ...(options.spinning ? {} : { extra: { session: { intra_op: { allow_spinning: "0" } } } }),
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

export interface LatencyResult {
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

export interface LatencyOptions {
  rounds: number;
  /** Back-to-back measurements of every side per round. */
  perRound: number;
  /** The token count Hangar must report for the input. */
  tokens: number;
  threads: number;
  /** Whether the bare session keeps onnxruntime's default busy-waiting threads. */
  bareSpinning: boolean;
}

/**
 * Alternating rounds: each round makes `perRound` back-to-back measurements of every side (bare session,
 * Hangar batching on, Hangar batching off), one request at a time, in an order that rotates with every
 * measurement, so both sides see the same machine load.
 */
export async function measureLatency(
  model: PreparedModel,
  input: TokenizedInput,
  batched: HangarProcess,
  unbatched: HangarProcess | undefined,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const { rounds, perRound, tokens } = options;
  const bare = await openBareSession(model.onnxPath, input.ids, {
    threads: options.threads,
    spinning: options.bareSpinning,
  });
  try {
    for (let i = 0; i < 3; i++) await bare.run();
    const first = await embedOnce(batched, model.repoId, input.text);
    if (first.inputTokens !== tokens) {
      throw new Error(`Hangar counted ${first.inputTokens} input tokens, not ${tokens}`);
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
      for (let i = 0; i < perRound; i++) {
        const turn = roundIndex * perRound + i;
        for (let side = 0; side < sides.length; side++) await sides[(turn + side) % sides.length]!();
        result.pairRatios.push(hangarMs / bareMs);
        result.pairDifferences.push(hangarMs - bareMs);
      }
      logProgress(
        `  ${model.label} round ${roundIndex + 1}/${rounds}: bare ${median(result.bare.slice(bareBefore)).toFixed(1)} ms, hangar ${median(result.hangar.slice(hangarBefore)).toFixed(1)} ms`,
      );
    }
    return result;
  } finally {
    await bare.release();
  }
}
