import { countNoun } from "../../core/count-noun.ts";
import type { Repo } from "../../core/types.ts";
import type { HubContext } from "../../hub/hub.ts";
import { type ModelSummary, summarizeModel } from "../../hub/read/model-summary.ts";
import { costPerThousand, estimatePerformance } from "./estimate-performance.ts";
import { formatMs } from "./format.ts";
import type { HardwareSpec, HourlyPrice } from "./hardware.ts";

/** Latency Hangar measured for a model: its own inference runtime's metered requests. */
export interface MeasuredLatency {
  requests: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

/** How many recent metered requests measured figures are computed over. */
const MEASURED_WINDOW = 1000;

/** Latency of the model's successful metered requests (`usage_events`), or null when it never ran here. */
export async function measuredLatency(hub: HubContext, modelId: string): Promise<MeasuredLatency | null> {
  const events = (await hub.catalog.usage.list({ model: modelId }, MEASURED_WINDOW)).filter(
    (event) => event.outcome === "ok",
  );
  if (events.length === 0) return null;
  const latencies = events.map((event) => event.latencyMs).sort((a, b) => a - b);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!;
  return {
    requests: latencies.length,
    meanMs: latencies.reduce((total, value) => total + value, 0) / latencies.length,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
  };
}

/** A score Hangar measured for a model (`hangar evaluate`), with the test set it was measured on. */
export interface MeasuredEvaluation {
  evaluationId: number;
  task: string;
  dataset: string;
  datasetCommit: string;
  /** The labelled file of the dataset repo. */
  file: string;
  /** Examples the score is computed over. */
  examples: number;
  metric: string;
  value: number;
  /** The model commit that was measured. */
  modelCommit: string;
  /** Whether that commit is the model's current head; an older commit's score may not hold any more. */
  atHead: boolean;
  measuredAt: string;
  measuredBy: string;
  /**
   * What makes two scores comparable: dataset, dataset commit, file, columns and number of examples. Two
   * models' scores compare only on the same test set.
   */
  testSet: string;
}

/** How many recent evaluation runs of a model compare reads. */
const EVALUATION_WINDOW = 200;

/**
 * The latest score per test set and metric that Hangar measured for the model, preferring a run at the
 * model's current head commit; ordered by dataset, file and metric.
 */
export async function measuredEvaluations(hub: HubContext, repo: Repo): Promise<MeasuredEvaluation[]> {
  const chosen = new Map<string, MeasuredEvaluation>();
  for (const run of await hub.catalog.evaluations.list({ modelRepoPk: repo.pk }, EVALUATION_WINDOW)) {
    const testSet = `${run.dataset}@${run.datasetCommit}:${run.datasetFile}[${run.textColumn},${run.labelColumn}]#${run.examples}`;
    const atHead = run.modelCommit === repo.sha;
    for (const [metric, value] of Object.entries(run.metrics)) {
      const key = `${testSet}\u0000${metric}`;
      const current = chosen.get(key);
      // Runs come newest first: keep the first, unless a later one is at the head and the first is not.
      if (current && (current.atHead || !atHead)) continue;
      chosen.set(key, {
        evaluationId: run.id,
        task: run.task,
        dataset: run.dataset,
        datasetCommit: run.datasetCommit,
        file: run.datasetFile,
        examples: run.examples,
        metric,
        value,
        modelCommit: run.modelCommit,
        atHead,
        measuredAt: run.createdAt,
        measuredBy: run.measuredBy,
        testSet,
      });
    }
  }
  return [...chosen.values()].sort(
    (a, b) =>
      a.dataset.localeCompare(b.dataset) ||
      a.file.localeCompare(b.file) ||
      a.testSet.localeCompare(b.testSet) ||
      a.metric.localeCompare(b.metric),
  );
}

export async function summaryForRepo(hub: HubContext, repo: Repo): Promise<ModelSummary> {
  const commit = repo.sha ? await hub.catalog.commits.getCommit(repo.pk, repo.sha) : undefined;
  return await summarizeModel(hub, repo, commit?.metadata);
}

export interface HardwareFit {
  hardware: string;
  dtype: string;
  /** Bytes to load the model at `dtype`; null when the parameter count is unknown. */
  memoryBytes: number | null;
  /** Null when either side is unknown (CPUs: system RAM is not in the SKUS table). */
  fits: boolean | null;
  /** Smallest devices of the SKUS table that hold the model at `dtype`. */
  smallestDevices: string[];
}

export function hardwareFit(summary: ModelSummary, hardware: HardwareSpec, dtype: string): HardwareFit {
  const memoryBytes = summary.memory[dtype] ?? null;
  return {
    hardware: hardware.name,
    dtype,
    memoryBytes,
    fits: memoryBytes === null || hardware.memoryBytes === null ? null : memoryBytes <= hardware.memoryBytes,
    smallestDevices: (summary.fitsOn[dtype] ?? []).slice(0, 3),
  };
}

export interface SpeedFigures {
  latencyMs: number | null;
  /** The part of an estimated latency any model pays (HTTP, tokenisation, dispatch); null when measured. */
  overheadMs: number | null;
  requestsPerSecond: number | null;
  tokensPerSecond: number | null;
  /** `measured` by Hangar's runtime on this machine, or `estimated` from parameters and FLOPS. */
  basis: "measured" | "estimated" | null;
  note: string;
}

export interface EstimatedSpeedParams {
  parameters: number | null;
  hardware: HardwareSpec;
  tokensPerRequest: number;
  task: string | null;
}

export function estimatedSpeed(params: EstimatedSpeedParams): SpeedFigures {
  const { parameters, hardware, tokensPerRequest, task } = params;
  if (parameters === null) {
    return {
      latencyMs: null,
      overheadMs: null,
      requestsPerSecond: null,
      tokensPerSecond: null,
      basis: null,
      note: "unknown: no parameter count to estimate from",
    };
  }
  const estimate = estimatePerformance({ parameters, hardware, tokensPerRequest, task });
  return {
    ...estimate,
    basis: "estimated",
    note:
      `estimated on ${hardware.name} for ${countNoun(tokensPerRequest, "token")} per request, ` +
      `${formatMs(estimate.overheadMs)} of it fixed costs of serving a request`,
  };
}

export function measuredSpeed(measured: MeasuredLatency): SpeedFigures {
  return {
    latencyMs: measured.meanMs,
    overheadMs: null,
    // Metering rounds to whole milliseconds: a mean of 0 is "under a millisecond", not infinitely fast.
    requestsPerSecond: measured.meanMs > 0 ? 1000 / measured.meanMs : null,
    tokensPerSecond: null,
    basis: "measured",
    note: `measured by Hangar: mean of ${measured.requests} requests on this machine`,
  };
}

export interface CostFigures {
  per1kRequestsUsd: number | null;
  perMonthUsd: number | null;
  basis: "estimated" | "user-price" | "provider-price" | null;
  note: string;
}

export function costFromLatency(
  latencyMs: number | null,
  price: HourlyPrice | null,
  requestsPerMonth: number | undefined,
): CostFigures {
  if (latencyMs === null || price === null) {
    return {
      per1kRequestsUsd: null,
      perMonthUsd: null,
      basis: null,
      note: latencyMs === null ? "unknown: no latency to price" : "unknown: no price for this hardware",
    };
  }
  const per1k = costPerThousand(latencyMs, price);
  return {
    per1kRequestsUsd: per1k,
    perMonthUsd: requestsPerMonth === undefined ? null : (per1k * requestsPerMonth) / 1000,
    basis: price.basis,
    note: price.note,
  };
}
