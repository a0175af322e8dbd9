import type { HardwareSpec, HourlyPrice } from "./hardware.ts";

/**
 * Latency and throughput estimates for one request served over HTTP, from parameter count and the device's
 * peak FLOPS, on top of the fixed costs every request pays whatever the model:
 *
 *   latency (ms)       = REQUEST_OVERHEAD.httpMs                          (receive, route, parse, answer)
 *                      + REQUEST_OVERHEAD.tokenizeMsPerToken × tokens     (tokenise in, decode out)
 *                      + forward passes × REQUEST_OVERHEAD.forwardPassMs[device kind]
 *                      + 2 × parameters × tokens / (TFLOPS × 10^12 × COMPUTE_EFFICIENCY) × 1,000
 *   forward passes     = 1, or 1 + generated tokens for generation (one pass per new token)
 *   throughput (req/s) = 1,000 / latency                                 (one request at a time)
 *   cost per 1,000     = price per hour × 1,000 × latency / 3,600,000    (the device fully busy)
 *
 * COMPUTE_EFFICIENCY is the share of peak FLOPS inference reaches; 30% is a common rule of thumb for
 * batched transformer inference. Token-by-token generation is limited by memory bandwidth rather than
 * FLOPS, so estimates for generative models are optimistic. They rank models on one device; they are
 * not a prediction of what a given server will measure.
 */
export const COMPUTE_EFFICIENCY = 0.3;

/**
 * What one request costs before and around the model's arithmetic, so that a tiny model is never estimated
 * at 0 ms or millions of requests a second. Hangar's stated assumptions, of the order a Node.js or Python
 * server on one machine shows: about a millisecond of HTTP and JSON work per request, a couple of
 * microseconds per token to tokenise, and per forward pass the framework's dispatch (kernel launches and
 * host-device copies on an accelerator).
 */
export const REQUEST_OVERHEAD = {
  httpMs: 1,
  tokenizeMsPerToken: 0.002,
  forwardPassMs: { GPU: 0.5, "Apple Silicon": 0.3, CPU: 0.1 } as Record<HardwareSpec["kind"], number>,
};

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

export function isGenerativeTask(task: string | null): boolean {
  return task !== null && GENERATIVE_TASKS.has(task);
}

export function defaultTokensPerRequest(task: string | null): number {
  return isGenerativeTask(task)
    ? DEFAULT_TOKENS.generativeInput + DEFAULT_TOKENS.generativeOutput
    : DEFAULT_TOKENS.singlePass;
}

/** Tokens a generative request generates: the default share of its tokens (a third), at least one. */
export function generatedTokens(task: string | null, tokensPerRequest: number): number {
  if (!isGenerativeTask(task)) return 0;
  const share =
    DEFAULT_TOKENS.generativeOutput / (DEFAULT_TOKENS.generativeInput + DEFAULT_TOKENS.generativeOutput);
  return Math.max(1, Math.round(tokensPerRequest * share));
}

export interface PerformanceEstimate {
  latencyMs: number;
  /** The part of `latencyMs` any model pays: HTTP, tokenisation and dispatch of its forward passes. */
  overheadMs: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
}

export interface EstimatePerformanceParams {
  parameters: number;
  hardware: HardwareSpec;
  tokensPerRequest: number;
  /** The task the requests are for: generative tasks make one forward pass per generated token. */
  task: string | null;
}

export function estimatePerformance(params: EstimatePerformanceParams): PerformanceEstimate {
  const { parameters, hardware, tokensPerRequest, task } = params;
  const flopsPerSecond = hardware.tflops * 1e12 * COMPUTE_EFFICIENCY;
  const computeMs = ((2 * parameters * tokensPerRequest) / flopsPerSecond) * 1000;
  const forwardPasses = 1 + generatedTokens(task, tokensPerRequest);
  const overheadMs =
    REQUEST_OVERHEAD.httpMs +
    REQUEST_OVERHEAD.tokenizeMsPerToken * tokensPerRequest +
    forwardPasses * REQUEST_OVERHEAD.forwardPassMs[hardware.kind];
  const latencyMs = overheadMs + computeMs;
  return {
    latencyMs,
    overheadMs,
    requestsPerSecond: 1000 / latencyMs,
    tokensPerSecond: (tokensPerRequest * 1000) / latencyMs,
  };
}

/** Dollars per 1,000 requests at `latencyMs` each on a device costing `price` per hour. */
export function costPerThousand(latencyMs: number, price: HourlyPrice): number {
  return (price.usdPerHour * 1000 * (latencyMs / 1000)) / 3600;
}

/** The estimate's formulas and assumptions, as compare states them. */
export const ESTIMATE_FORMULAS = [
  `latency = ${REQUEST_OVERHEAD.httpMs} ms per request (HTTP, routing, JSON) + ${REQUEST_OVERHEAD.tokenizeMsPerToken} ms per token ` +
    `(tokenisation) + per forward pass ${REQUEST_OVERHEAD.forwardPassMs.GPU} ms on a GPU, ` +
    `${REQUEST_OVERHEAD.forwardPassMs["Apple Silicon"]} ms on Apple Silicon, ${REQUEST_OVERHEAD.forwardPassMs.CPU} ms on a CPU ` +
    "(dispatch; generation makes one pass per generated token, a third of the tokens by default) " +
    `+ 2 × parameters × tokens per request / (device TFLOPS × 10^12 × ${COMPUTE_EFFICIENCY}) ` +
    "[estimated; generation is memory-bound in practice, so estimates are optimistic]",
  "throughput = 1 / latency requests per second on one device, one request at a time",
  "cost per 1,000 requests = hourly price × 1,000 × latency / 3,600 (device fully used)",
];
