import type { HardwareSpec, HourlyPrice } from "./hardware.ts";

/**
 * Latency and throughput estimates from parameter count and the device's peak FLOPS:
 *
 *   FLOPs per request  = 2 × parameters × tokens per request      (one multiply-add per weight per token)
 *   latency (s)        = FLOPs per request / (TFLOPS × 10^12 × COMPUTE_EFFICIENCY)
 *   throughput (req/s) = 1 / latency                                (one request at a time)
 *   cost per 1,000     = price per hour × 1,000 × latency / 3,600    (the device fully busy)
 *
 * COMPUTE_EFFICIENCY is the share of peak FLOPS inference reaches; 30% is a common rule of thumb for
 * batched transformer inference. Token-by-token generation is limited by memory bandwidth rather than
 * FLOPS, so estimates for generative models are optimistic. They rank models on one device; they are
 * not a prediction of what a given server will measure.
 */
export const COMPUTE_EFFICIENCY = 0.3;

/** Tasks whose output is generated token by token (input and output tokens both cost). */
const GENERATIVE_TASKS = new Set([
  "text-generation",
  "text2text-generation",
  "summarization",
  "translation",
  "image-text-to-text",
  "image-to-text",
  "visual-question-answering",
  "document-question-answering",
  "automatic-speech-recognition",
  "audio-text-to-text",
  "video-text-to-text",
  "any-to-any",
]);

/** Tokens (or equivalent units: image patches, audio frames) of one request, when the caller gives none. */
export const DEFAULT_TOKENS = { singlePass: 128, generativeInput: 256, generativeOutput: 128 };

export function defaultTokensPerRequest(task: string | null): number {
  return task && GENERATIVE_TASKS.has(task)
    ? DEFAULT_TOKENS.generativeInput + DEFAULT_TOKENS.generativeOutput
    : DEFAULT_TOKENS.singlePass;
}

export interface PerformanceEstimate {
  latencyMs: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
}

export function estimatePerformance(
  parameters: number,
  hardware: HardwareSpec,
  tokensPerRequest: number,
): PerformanceEstimate {
  const flopsPerSecond = hardware.tflops * 1e12 * COMPUTE_EFFICIENCY;
  const seconds = (2 * parameters * tokensPerRequest) / flopsPerSecond;
  return {
    latencyMs: seconds * 1000,
    requestsPerSecond: 1 / seconds,
    tokensPerSecond: tokensPerRequest / seconds,
  };
}

/** Dollars per 1,000 requests at `latencyMs` each on a device costing `price` per hour. */
export function costPerThousand(latencyMs: number, price: HourlyPrice): number {
  return (price.usdPerHour * 1000 * (latencyMs / 1000)) / 3600;
}

export const ESTIMATE_FORMULAS = [
  "latency = 2 × parameters × tokens per request / (device TFLOPS × 10^12 × " +
    `${COMPUTE_EFFICIENCY}) [estimated; generation is memory-bound in practice, so estimates are optimistic]`,
  "throughput = 1 / latency requests per second on one device, one request at a time",
  "cost per 1,000 requests = hourly price × 1,000 × latency / 3,600 (device fully used)",
];
