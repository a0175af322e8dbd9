import type { BackendCall, BackendResult } from "../backend.ts";
import type { InferenceStream } from "../inference-types.ts";
import { asFailure } from "../usage-meter.ts";

/** One request an endpoint answered (or failed). */
export interface EndpointSample {
  at: number;
  ms: number;
  /** Milliseconds to the first generated token, for streams. */
  ttftMs?: number;
  /** Tokens generated (text generation), or output units otherwise. */
  outputTokens: number;
  /** The HTTP status the request ended with (200 on success). */
  status: number;
}

/** An endpoint's numbers over the window, as the API, the CLI and `/metrics` show them. */
export interface EndpointMetricsReport {
  window_seconds: number;
  requests: number;
  errors: number;
  requests_per_second: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
  time_to_first_token_ms: { p50: number | null; p95: number | null; p99: number | null };
  /** Output tokens per second of generation time, over the requests of the window. */
  tokens_per_second: number | null;
  /** Share of requests that failed, whatever the cause. */
  error_rate: number;
  /** Share of requests the endpoint answered without failing itself (no 5xx, no 429). */
  availability: number | null;
  replicas: { current: number; history: Array<{ at: string; replicas: number }> };
  cost: { price_per_replica_hour: number; replica_hours: number; usd: number; since: string };
}

/** Requests kept for the percentiles and rates. */
const WINDOW_MS = 15 * 60_000;
const MAX_SAMPLES = 5_000;
const MAX_HISTORY = 200;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 100) / 100;
}

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

/**
 * What one endpoint has done since this process started: recent requests (the last 15 minutes, at most
 * 5,000), its replica count over time, and the replica-hours it has run (what its cost is counted from).
 */
export class EndpointMetrics {
  private samples: EndpointSample[] = [];
  private readonly history: Array<{ at: number; replicas: number }> = [];
  private replicaMs = 0;
  private replicas = 0;
  private since = Date.now();
  private changedAt = Date.now();
  /** Counters since start, for Prometheus. */
  readonly totals = { requests: 0, errors: 0, outputTokens: 0 };

  record(sample: EndpointSample): void {
    this.totals.requests++;
    if (sample.status >= 400) this.totals.errors++;
    this.totals.outputTokens += sample.outputTokens;
    this.samples.push(sample);
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  /** The replica count changed (or is confirmed): replica time is counted up to now at the old count. */
  setReplicas(count: number, now = Date.now()): void {
    this.replicaMs += this.replicas * (now - this.changedAt);
    this.changedAt = now;
    if (count === this.replicas && this.history.length > 0) return;
    this.replicas = count;
    this.history.push({ at: now, replicas: count });
    if (this.history.length > MAX_HISTORY) this.history.splice(0, this.history.length - MAX_HISTORY);
  }

  replicaHours(now = Date.now()): number {
    return (this.replicaMs + this.replicas * (now - this.changedAt)) / 3_600_000;
  }

  /** The latency percentile of the requests since `since`, for the autoscaler; null without any. */
  latencyP95Since(since: number): number | null {
    return percentiles(this.samples.filter((sample) => sample.at >= since).map((sample) => sample.ms)).p95;
  }

  report(pricePerReplicaHour: number, now = Date.now()): EndpointMetricsReport {
    this.samples = this.samples.filter((sample) => sample.at >= now - WINDOW_MS);
    const samples = this.samples;
    const windowMs = Math.max(1, Math.min(WINDOW_MS, now - this.since));
    const errors = samples.filter((sample) => sample.status >= 400).length;
    const ownFailures = samples.filter((sample) => sample.status >= 500 || sample.status === 429).length;
    const generated = samples.filter((sample) => sample.outputTokens > 0 && sample.ms > 0);
    const generationMs = generated.reduce((sum, sample) => sum + sample.ms, 0);
    const tokens = generated.reduce((sum, sample) => sum + sample.outputTokens, 0);
    const replicaHours = this.replicaHours(now);
    return {
      window_seconds: Math.round(windowMs / 1000),
      requests: samples.length,
      errors,
      requests_per_second: Math.round((samples.length / (windowMs / 1000)) * 1000) / 1000,
      latency_ms: percentiles(samples.map((sample) => sample.ms)),
      time_to_first_token_ms: percentiles(
        samples.flatMap((sample) => (sample.ttftMs === undefined ? [] : [sample.ttftMs])),
      ),
      tokens_per_second: generationMs > 0 ? Math.round((tokens / (generationMs / 1000)) * 100) / 100 : null,
      error_rate: samples.length === 0 ? 0 : Math.round((errors / samples.length) * 10_000) / 10_000,
      availability:
        samples.length === 0 ? null : Math.round((1 - ownFailures / samples.length) * 10_000) / 10_000,
      replicas: {
        current: this.replicas,
        history: this.history.map((point) => ({
          at: new Date(point.at).toISOString(),
          replicas: point.replicas,
        })),
      },
      cost: {
        price_per_replica_hour: pricePerReplicaHour,
        replica_hours: Math.round(replicaHours * 1e6) / 1e6,
        usd: Math.round(replicaHours * pricePerReplicaHour * 1e6) / 1e6,
        since: new Date(this.since).toISOString(),
      },
    };
  }
}

/** Runs a call and records it in the endpoint's numbers: its latency, tokens and status. */
export async function measuredRun(
  metrics: EndpointMetrics,
  call: BackendCall,
  work: () => Promise<BackendResult>,
): Promise<BackendResult> {
  const started = performance.now();
  try {
    const result = await work();
    metrics.record({
      at: Date.now(),
      ms: performance.now() - started,
      outputTokens: result.usage.output_unit === "tokens" ? result.usage.output_units : 0,
      status: 200,
    });
    return result;
  } catch (error) {
    recordFailure(metrics, call, started, error);
    throw error;
  }
}

/** Opens a stream and records it once it ends: latency, time to its first token, tokens and status. */
export async function measuredStream(
  metrics: EndpointMetrics,
  call: BackendCall,
  open: () => Promise<InferenceStream>,
): Promise<InferenceStream> {
  const started = performance.now();
  let stream: InferenceStream;
  try {
    stream = await open();
  } catch (error) {
    recordFailure(metrics, call, started, error);
    throw error;
  }
  const source = stream.chunks;
  return {
    model: stream.model,
    revision: stream.revision,
    task: stream.task,
    get promptTokens() {
      return stream.promptTokens;
    },
    chunks: {
      async *[Symbol.asyncIterator]() {
        let tokens = 0;
        let firstTokenMs: number | undefined;
        let status = 200;
        try {
          for await (const chunk of source) {
            if (chunk.tokenId !== undefined) {
              tokens++;
              firstTokenMs ??= performance.now() - started;
            }
            yield chunk;
          }
        } catch (error) {
          status = asFailure(error, call.signal).status;
          throw error;
        } finally {
          metrics.record({
            at: Date.now(),
            ms: performance.now() - started,
            ...(firstTokenMs !== undefined ? { ttftMs: firstTokenMs } : {}),
            outputTokens: tokens,
            status,
          });
        }
      },
    },
  };
}

function recordFailure(metrics: EndpointMetrics, call: BackendCall, started: number, error: unknown): void {
  metrics.record({
    at: Date.now(),
    ms: performance.now() - started,
    outputTokens: 0,
    status: asFailure(error, call.signal).status,
  });
}
