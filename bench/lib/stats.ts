/** The p-th percentile (0-100) of samples, by the nearest-rank method. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The middle value (the mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const MB = 1024 * 1024;

/** Throughput in MB/s (MiB, as `du -m` and most tools count). */
export function megabytesPerSecond(bytes: number, seconds: number): number {
  return bytes / MB / seconds;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Bytes in MB (MiB), rounded to `digits` decimals: how the benchmarks' tables and JSON lines give sizes. */
export function megabytes(bytes: number, digits = 1): number {
  return round(bytes / MB, digits);
}

/** Seconds elapsed since `start` (a `process.hrtime.bigint()` value). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Latency figures of per-query samples in ms: percentiles, mean, and the rate of one sequential client. */
export function latencySummary(samples: number[]): {
  p50: number;
  p95: number;
  p99: number;
  qps: number;
  mean: number;
} {
  const total = samples.reduce((sum, value) => sum + value, 0);
  return {
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    mean: round(total / samples.length),
    qps: round((samples.length / total) * 1000, 3),
  };
}
