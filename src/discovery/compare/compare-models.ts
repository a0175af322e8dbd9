import { PIPELINE_DATA } from "@huggingface/tasks";
import { badRequest, HangarError } from "../../core/errors.ts";
import type { CommercialUse, Repo } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import { canRead } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";
import type { EvalScore } from "../../store/facts-table.ts";
import { defaultTokensPerRequest, ESTIMATE_FORMULAS } from "./estimate-performance.ts";
import { formatBytes, formatCount, formatMs, formatRatio, formatScore, formatUsd } from "./format.ts";
import {
  DEFAULT_CPU,
  DEFAULT_GPU,
  findHardware,
  type HardwareSpec,
  type HourlyPrice,
  hourlyPrice,
  type LocalCpu,
  localCpu,
} from "./hardware.ts";
import {
  type CostFigures,
  costFromLatency,
  estimatedSpeed,
  type HardwareFit,
  hardwareFit,
  type MeasuredEvaluation,
  type MeasuredLatency,
  measuredEvaluations,
  measuredLatency,
  measuredSpeed,
  type SpeedFigures,
  summaryForRepo,
} from "./model-profile.ts";

/** Criteria the overall score can weigh. `size` favours fewer parameters (or bytes when those are unknown). */
export const WEIGHT_NAMES = ["speed", "quality", "cost", "size"] as const;
export type WeightName = (typeof WEIGHT_NAMES)[number];
export const DEFAULT_WEIGHTS: Record<WeightName, number> = { speed: 1, quality: 1, cost: 1, size: 0 };

export const DTYPES = ["F32", "F16", "INT8", "INT4"] as const;
export const MAX_COMPARED_MODELS = 20;

/** A hosted provider's price, when the comparison is about buying requests rather than running hardware. */
export interface ProviderPrice {
  name: string;
  pricePer1kRequests?: number;
  pricePerMillionTokens?: number;
}

export interface CompareCriteria {
  /** Task id of `@huggingface/tasks` every model should do. */
  task?: string;
  /** A device of the SKUS table (`T4`, `A100`, `RTX 4090`, `Apple M2`, `cpu`). */
  hardware?: string;
  /** Precision memory and fit are judged at; F16 on accelerators and F32 on CPUs by default. */
  dtype?: string;
  weights?: Partial<Record<string, number>>;
  tokensPerRequest?: number;
  requestsPerMonth?: number;
  /** USD per hour of the hardware; replaces the ownership estimate. */
  pricePerHour?: number;
  provider?: ProviderPrice;
}

export interface CompareParams {
  models: string[];
  criteria?: CompareCriteria;
}

export interface ModelComparison {
  id: string;
  origin: "local" | "upstream";
  tasks: string[];
  /** Whether the model does the task asked; null without a task, or when its tasks are unknown. */
  taskFit: boolean | null;
  parameters: number | null;
  storageBytes: number | null;
  memory: Record<string, number>;
  hardwareFit: HardwareFit;
  license: string | null;
  commercialUse: CommercialUse | null;
  languages: string[];
  /** Scores reported in the model card, and scores Hangar measured (`hangar evaluate`) with their test set. */
  evaluations: { reported: EvalScore[]; measured: MeasuredEvaluation[] };
  /** Latency of the model's requests metered by Hangar's runtime on this machine; null when it never ran here. */
  measuredLatency: MeasuredLatency | null;
  /** Speed on the comparison's basis (the same for every model, so they compare). */
  speed: SpeedFigures;
  cost: CostFigures;
  /** 0..1 per criterion (1 = best of these models, 0 = worst or unknown), and the weighted overall. */
  scores: Record<WeightName | "overall", number>;
  /** False when the model does not do the task or does not fit the hardware: it is not picked as best. */
  eligible: boolean;
  notes: string[];
}

/** The dataset and metric most of the models report in their cards. */
export interface QualityBasis {
  dataset: string;
  metric: string;
  task: string | null;
  higherIsBetter: boolean;
  /** Models that report it. */
  models: string[];
}

/** A test set and metric Hangar measured every compared model on (at its head commit). */
export interface MeasuredQualityBasis {
  dataset: string;
  datasetCommit: string;
  file: string;
  examples: number;
  metric: string;
  task: string;
  higherIsBetter: boolean;
  models: string[];
}

export interface Pairwise {
  a: string;
  b: string;
  parametersRatio: number | null;
  latencyRatio: number | null;
  costRatio: number | null;
  /** a − b on every dataset/metric both report, and on every test set/metric Hangar measured both on. */
  metricDeltas: Array<{ dataset: string; metric: string; delta: number; source: "reported" | "measured" }>;
  lines: string[];
}

export interface Pick {
  id: string;
  reason: string;
}

export interface Decision {
  bestForSpeed: Pick | null;
  bestForQuality: Pick | null;
  bestForCost: Pick | null;
  bestOverall: Pick | null;
  tradeOffs: string[];
}

export interface Comparison {
  criteria: {
    task: string | null;
    hardware: { name: string; kind: string; tflops: number; memoryBytes: number | null; assumed: boolean };
    dtype: string;
    weights: Record<WeightName, number>;
    tokensPerRequest: number;
    requestsPerMonth: number | null;
    /** The hourly price costs are computed at: this machine's when speed is measured here. */
    price: { usdPerHour: number | null; basis: string | null; note: string };
    provider: ProviderPrice | null;
    /** The machine measured latencies come from, when speed is compared on them. */
    measuredOn: { cpu: string; cores: number; pricedAs: string; identified: boolean } | null;
  };
  /** How speed was compared: `measured` only when Hangar measured every model. */
  speedBasis: "measured" | "estimated" | null;
  /** How quality was compared: `measured` when Hangar measured every model on one test set, else `reported`. */
  qualityBasis: "measured" | "reported" | null;
  /** The reported basis (cards): what quality falls back to. */
  quality: QualityBasis | null;
  /** The measured basis, when there is one: it decides quality. */
  measuredQuality: MeasuredQualityBasis | null;
  assumptions: string[];
  models: ModelComparison[];
  pairwise: Pairwise[];
  decision: Decision;
}

/** Metrics where a lower value is better; every other metric counts as higher-is-better. */
const LOWER_IS_BETTER = /^(wer|cer|loss|perplexity|ppl|mae|mse|rmse|mape|smape|fid|ter|eer|der|latency)$/i;
/** When several shared metrics cover as many models, the first of these wins, then alphabetical order. */
const METRIC_PREFERENCE = ["f1", "accuracy", "exact_match", "bleu", "rouge1", "rougeL", "wer", "spearman"];

function validateCriteria(criteria: CompareCriteria): void {
  if (criteria.task !== undefined && !Object.hasOwn(PIPELINE_DATA, criteria.task)) {
    throw badRequest(
      `Unknown task "${criteria.task}": use a task id of @huggingface/tasks (e.g. text-classification, ` +
        "question-answering, text-generation, automatic-speech-recognition)",
    );
  }
  if (criteria.dtype !== undefined && !(DTYPES as readonly string[]).includes(criteria.dtype.toUpperCase())) {
    throw badRequest(`Unknown dtype "${criteria.dtype}": valid dtypes are ${DTYPES.join(", ")}`);
  }
  for (const [name, value] of Object.entries(criteria.weights ?? {})) {
    if (!(WEIGHT_NAMES as readonly string[]).includes(name)) {
      throw badRequest(`Unknown weight "${name}": valid weights are ${WEIGHT_NAMES.join(", ")}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw badRequest(`Weight "${name}" must be a number ≥ 0`);
    }
  }
  if (criteria.weights && Object.values(criteria.weights).every((value) => value === 0)) {
    throw badRequest(`At least one weight must be above 0 (weights: ${WEIGHT_NAMES.join(", ")})`);
  }
  const positive = (name: string, value: unknown) => {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
      throw badRequest(`${name} must be a number above 0`);
    }
  };
  positive("tokensPerRequest", criteria.tokensPerRequest);
  positive("requestsPerMonth", criteria.requestsPerMonth);
  positive("pricePerHour", criteria.pricePerHour);
  if (criteria.provider !== undefined) {
    if (typeof criteria.provider.name !== "string" || criteria.provider.name === "") {
      throw badRequest("provider.name is required when a provider is given");
    }
    positive("provider.pricePer1kRequests", criteria.provider.pricePer1kRequests);
    positive("provider.pricePerMillionTokens", criteria.provider.pricePerMillionTokens);
    if (
      criteria.provider.pricePer1kRequests === undefined &&
      criteria.provider.pricePerMillionTokens === undefined
    ) {
      throw badRequest(
        "provider needs pricePer1kRequests or pricePerMillionTokens: Hangar holds no provider price list",
      );
    }
  }
}

/** The repos named, or one error naming every id Hangar does not know (or the caller may not read). */
function resolveModels(hub: HubContext, caller: Caller, ids: string[]): Repo[] {
  const unknown: string[] = [];
  const repos: Repo[] = [];
  for (const id of ids) {
    const ref = parseRepoId(id);
    const repo = hub.catalog.repos.get(ref);
    if (!repo || !canRead(caller, repo)) unknown.push(id);
    else repos.push(repo);
  }
  if (unknown.length > 0) {
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `Hangar does not know ${unknown.length === 1 ? "this model" : "these models"}: ${unknown.join(", ")}`,
      { details: { unknownModels: unknown } },
    );
  }
  return repos;
}

/** 1 for the best value, 0 for the worst, linear between; unknown values score 0. All equal: 1. */
function normalise(values: Array<number | null>, lowerIsBetter: boolean): number[] {
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) return values.map(() => 0);
  const min = Math.min(...known);
  const max = Math.max(...known);
  return values.map((value) => {
    if (value === null) return 0;
    if (max === min) return 1;
    return lowerIsBetter ? (max - value) / (max - min) : (value - min) / (max - min);
  });
}

function chooseQualityBasis(
  ids: string[],
  evaluations: EvalScore[][],
  task: string | null,
): QualityBasis | null {
  const byKey = new Map<string, { score: EvalScore; models: Set<string> }>();
  evaluations.forEach((scores, index) => {
    for (const score of scores) {
      if (task && score.task && score.task !== task) continue;
      const key = `${score.dataset}\u0000${score.metric}`;
      const entry = byKey.get(key) ?? { score, models: new Set<string>() };
      entry.models.add(ids[index]!);
      byKey.set(key, entry);
    }
  });
  const ranked = [...byKey.values()].sort(
    (a, b) =>
      b.models.size - a.models.size ||
      metricRank(a.score.metric) - metricRank(b.score.metric) ||
      `${a.score.dataset}/${a.score.metric}`.localeCompare(`${b.score.dataset}/${b.score.metric}`),
  );
  const best = ranked[0];
  if (!best) return null;
  return {
    dataset: best.score.dataset,
    metric: best.score.metric,
    task: best.score.task ?? null,
    higherIsBetter: !LOWER_IS_BETTER.test(best.score.metric),
    models: ids.filter((id) => best.models.has(id)),
  };
}

function scoreOn(scores: EvalScore[], basis: QualityBasis): number | null {
  return (
    scores.find((score) => score.dataset === basis.dataset && score.metric === basis.metric)?.value ?? null
  );
}

const metricLabel = (basis: { dataset: string; metric: string }) => `${basis.dataset} ${basis.metric}`;
const metricRank = (metric: string) => {
  const rank = METRIC_PREFERENCE.indexOf(metric);
  return rank === -1 ? METRIC_PREFERENCE.length : rank;
};
const shortCommit = (commit: string) => commit.slice(0, 7);

/**
 * The test set and metric Hangar measured every model on at its head commit, or null. Several: the preferred
 * metric, then the test set in name order, so the answer is deterministic.
 */
function chooseMeasuredBasis(
  ids: string[],
  measured: MeasuredEvaluation[][],
  task: string | null,
): MeasuredQualityBasis | null {
  const shared = new Map<string, { score: MeasuredEvaluation; models: Set<string> }>();
  measured.forEach((scores, index) => {
    for (const score of scores) {
      if (!score.atHead || (task && score.task !== task)) continue;
      const key = `${score.testSet}\u0000${score.metric}`;
      const entry = shared.get(key) ?? { score, models: new Set<string>() };
      entry.models.add(ids[index]!);
      shared.set(key, entry);
    }
  });
  const complete = [...shared.values()]
    .filter((entry) => entry.models.size === ids.length)
    .sort(
      (a, b) =>
        metricRank(a.score.metric) - metricRank(b.score.metric) ||
        a.score.testSet.localeCompare(b.score.testSet) ||
        a.score.metric.localeCompare(b.score.metric),
    );
  const best = complete[0]?.score;
  if (!best) return null;
  return {
    dataset: best.dataset,
    datasetCommit: best.datasetCommit,
    file: best.file,
    examples: best.examples,
    metric: best.metric,
    task: best.task,
    higherIsBetter: !LOWER_IS_BETTER.test(best.metric),
    models: [...ids],
  };
}

function measuredScoreOn(scores: MeasuredEvaluation[], basis: MeasuredQualityBasis): number | null {
  return (
    scores.find(
      (score) =>
        score.atHead &&
        score.dataset === basis.dataset &&
        score.datasetCommit === basis.datasetCommit &&
        score.file === basis.file &&
        score.examples === basis.examples &&
        score.metric === basis.metric,
    )?.value ?? null
  );
}

/** The quality figures the decision uses, on whichever basis was chosen, with the words that say which. */
interface QualityView {
  source: "measured" | "reported";
  dataset: string;
  metric: string;
  higherIsBetter: boolean;
  /** One value per model, in the models' order; null when unknown. */
  values: Array<number | null>;
  /** Where a score comes from, for reasons. */
  provenance: string;
}

function qualityView(
  models: ModelComparison[],
  measured: MeasuredQualityBasis | null,
  reported: QualityBasis | null,
): QualityView | null {
  if (measured) {
    return {
      source: "measured",
      dataset: measured.dataset,
      metric: measured.metric,
      higherIsBetter: measured.higherIsBetter,
      values: models.map((model) => measuredScoreOn(model.evaluations.measured, measured)),
      provenance:
        `measured by Hangar on the same ${measured.examples} examples of ${measured.file}, ` +
        `${measured.dataset}@${shortCommit(measured.datasetCommit)}`,
    };
  }
  if (reported) {
    return {
      source: "reported",
      dataset: reported.dataset,
      metric: reported.metric,
      higherIsBetter: reported.higherIsBetter,
      values: models.map((model) => scoreOn(model.evaluations.reported, reported)),
      provenance: "reported in its model card",
    };
  }
  return null;
}

function qualityAssumption(
  view: QualityView | null,
  measured: MeasuredQualityBasis | null,
  models: ModelComparison[],
): string {
  if (view?.source === "measured" && measured) {
    return (
      `quality = ${measured.metric} measured by Hangar's own inference runtime on ${measured.dataset}@${shortCommit(measured.datasetCommit)} ` +
      `${measured.file} (${measured.examples} examples), the same test set for every model at its current commit; ` +
      "scores reported in model cards are listed beside it but do not decide"
    );
  }
  const someMeasured = models.some((model) => model.evaluations.measured.length > 0);
  const measurements = someMeasured
    ? "Hangar's own measurements (hangar evaluate) do not cover every one of these models on one test set"
    : "Hangar has measured none of these models (hangar evaluate measures a model on a labelled dataset)";
  return view
    ? `quality = evaluation results reported in model cards, compared on the dataset and metric most of these models report; ${measurements}`
    : `quality unknown: no evaluation reported on a shared dataset and metric, and ${measurements}`;
}

/**
 * The hourly price measured latency is costed at. The latency was measured on this machine's CPU, so it is
 * priced as that CPU (its SKUS entry, or DEFAULT_CPU when the OS name does not identify one), or at the
 * price the user gave; never at the hardware of the criteria, which did not run the requests.
 */
function measuredMachinePrice(machine: LocalCpu, userPrice: number | undefined): HourlyPrice | null {
  const where = machine.identified
    ? `latency measured on this machine (${machine.model}, ${machine.cores} cores)`
    : `latency measured on this machine (${machine.model}, ${machine.cores} cores; not identified in the SKUS table, so priced as ${DEFAULT_CPU}, Hangar's default CPU)`;
  const price = hourlyPrice(machine.pricedAs, userPrice);
  return price ? { ...price, note: `${where}: ${price.note}` } : null;
}

/**
 * Compares models side by side and picks the best for speed, quality, cost and overall under the weights.
 * Deterministic: the same catalog and criteria give the same answer. Every estimated figure says so.
 */
export function compareModels(hub: HubContext, caller: Caller, params: CompareParams): Comparison {
  const ids = params.models;
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string")) {
    throw badRequest("models must be a list of model ids");
  }
  if (ids.length < 2) throw badRequest(`Compare needs at least 2 models, got ${ids.length}`);
  if (ids.length > MAX_COMPARED_MODELS) {
    throw badRequest(`Compare takes at most ${MAX_COMPARED_MODELS} models, got ${ids.length}`);
  }
  const lowered = ids.map((id) => id.toLowerCase());
  const duplicate = ids.find((_, index) => lowered.indexOf(lowered[index]!) !== index);
  if (duplicate) throw badRequest(`Model "${duplicate}" is listed twice`);
  const criteria = params.criteria ?? {};
  validateCriteria(criteria);

  const repos = resolveModels(hub, caller, ids);
  const hardware: HardwareSpec = findHardware(criteria.hardware ?? DEFAULT_GPU);
  const dtype = criteria.dtype?.toUpperCase() ?? (hardware.kind === "CPU" ? "F32" : "F16");
  const weights: Record<WeightName, number> = { ...DEFAULT_WEIGHTS };
  if (criteria.weights) {
    for (const name of WEIGHT_NAMES) weights[name] = criteria.weights[name] ?? 0;
  }
  const task = criteria.task ?? null;
  const price = hourlyPrice(hardware, criteria.pricePerHour);

  const summaries = repos.map((repo) => summaryForRepo(hub, repo));
  const firstTask = task ?? summaries.find((summary) => summary.tasks[0])?.tasks[0] ?? null;
  const tokensPerRequest = criteria.tokensPerRequest ?? defaultTokensPerRequest(firstTask);
  const measured = repos.map((repo) => measuredLatency(hub, repo.id));
  // Measured and estimated latencies come from different machines: mix them and the ranking means nothing.
  const speedBasis = measured.every((entry) => entry !== null) ? "measured" : "estimated";
  const machine = speedBasis === "measured" ? localCpu() : null;
  const costPrice = machine ? measuredMachinePrice(machine, criteria.pricePerHour) : price;

  const models = repos.map((repo, index): ModelComparison => {
    const summary = summaries[index]!;
    const notes: string[] = [];
    const taskFit = task === null || summary.tasks.length === 0 ? null : summary.tasks.includes(task);
    const fit = hardwareFit(summary, hardware, dtype);
    const measurement = measured[index]!;
    const speed =
      speedBasis === "measured" && measurement
        ? measuredSpeed(measurement)
        : estimatedSpeed(summary.parameters, hardware, tokensPerRequest);
    let cost: CostFigures;
    if (criteria.provider) {
      const provider = criteria.provider;
      const per1k =
        provider.pricePer1kRequests ??
        ((provider.pricePerMillionTokens ?? 0) * tokensPerRequest * 1000) / 1_000_000;
      cost = {
        per1kRequestsUsd: per1k,
        perMonthUsd: criteria.requestsPerMonth ? (per1k * criteria.requestsPerMonth) / 1000 : null,
        basis: "provider-price",
        note: `${provider.name} at the price given`,
      };
    } else {
      cost = costFromLatency(speed.latencyMs, costPrice, criteria.requestsPerMonth);
    }
    if (taskFit === false) notes.push(`does not do ${task} (its tasks: ${summary.tasks.join(", ")})`);
    if (fit.fits === false) {
      notes.push(
        `needs ${formatBytes(fit.memoryBytes!)} at ${dtype}, more than the ${formatBytes(hardware.memoryBytes!)} of a ${hardware.name}`,
      );
    }
    if (summary.parameters === null) notes.push("parameter count unknown: size, speed and cost are unknown");
    if (summary.commercialUse === null) notes.push("licence unknown or not recognised: read it before use");
    return {
      id: repo.id,
      origin: summary.origin,
      tasks: summary.tasks,
      taskFit,
      parameters: summary.parameters,
      storageBytes: summary.storageBytes,
      memory: summary.memory,
      hardwareFit: fit,
      license: summary.license,
      commercialUse: summary.commercialUse,
      languages: summary.languages,
      evaluations: { reported: summary.evalResults, measured: measuredEvaluations(hub, repo) },
      measuredLatency: measurement,
      speed,
      cost,
      scores: { speed: 0, quality: 0, cost: 0, size: 0, overall: 0 },
      eligible: taskFit !== false && fit.fits !== false,
      notes,
    };
  });

  const quality = chooseQualityBasis(
    models.map((model) => model.id),
    models.map((model) => model.evaluations.reported),
    task,
  );
  const measuredQuality = chooseMeasuredBasis(
    models.map((model) => model.id),
    models.map((model) => model.evaluations.measured),
    task,
  );
  const view = qualityView(models, measuredQuality, quality);
  const qualityValues = view ? view.values : models.map(() => null);
  const speedScores = normalise(
    models.map((model) => model.speed.latencyMs),
    true,
  );
  const qualityScores = view ? normalise(qualityValues, !view.higherIsBetter) : models.map(() => 0);
  const costScores = normalise(
    models.map((model) => model.cost.per1kRequestsUsd),
    true,
  );
  const sizeScores = normalise(
    models.map((model) => model.parameters ?? model.storageBytes),
    true,
  );
  const weightTotal = WEIGHT_NAMES.reduce((total, name) => total + weights[name], 0);
  models.forEach((model, index) => {
    model.scores.speed = speedScores[index]!;
    model.scores.quality = qualityScores[index]!;
    model.scores.cost = costScores[index]!;
    model.scores.size = sizeScores[index]!;
    model.scores.overall =
      WEIGHT_NAMES.reduce((total, name) => total + weights[name] * model.scores[name], 0) / weightTotal;
  });

  const decision = decide(models, view, weights, hardware, speedBasis);
  return {
    criteria: {
      task,
      hardware: {
        name: hardware.name,
        kind: hardware.kind,
        tflops: hardware.tflops,
        memoryBytes: hardware.memoryBytes,
        assumed: criteria.hardware === undefined,
      },
      dtype,
      weights,
      tokensPerRequest,
      requestsPerMonth: criteria.requestsPerMonth ?? null,
      price: costPrice
        ? { usdPerHour: costPrice.usdPerHour, basis: costPrice.basis, note: costPrice.note }
        : { usdPerHour: null, basis: null, note: `no price known for ${hardware.name}` },
      provider: criteria.provider ?? null,
      measuredOn: machine
        ? {
            cpu: machine.model,
            cores: machine.cores,
            pricedAs: machine.pricedAs.name,
            identified: machine.identified !== null,
          }
        : null,
    },
    speedBasis: models.some((model) => model.speed.latencyMs !== null) ? speedBasis : null,
    qualityBasis: view?.source ?? null,
    quality,
    measuredQuality,
    assumptions: [
      ...ESTIMATE_FORMULAS,
      ...(machine && !criteria.provider
        ? [
            `cost of measured latency = the hourly price of the machine that measured it, not of ${hardware.name}: ${costPrice?.note ?? "unknown"}`,
          ]
        : []),
      "memory = parameters × bytes per parameter (F32 4, F16 2, INT8 1, INT4 0.5) × 1.2 overhead",
      qualityAssumption(view, measuredQuality, models),
      "scores: per criterion 1 = best of these models, 0 = worst or unknown, linear between; overall = weighted mean",
    ],
    models,
    pairwise: pairwiseDeltas(models),
    decision,
  };
}

function pairwiseDeltas(models: ModelComparison[]): Pairwise[] {
  const pairs: Pairwise[] = [];
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = models[i]!;
      const b = models[j]!;
      const lines: string[] = [];
      const ratio = (x: number | null, y: number | null) =>
        x !== null && y !== null && y > 0 ? x / y : null;
      const parametersRatio = ratio(a.parameters, b.parameters);
      if (parametersRatio !== null && a.parameters !== b.parameters) {
        const [big, small, r] = parametersRatio > 1 ? [a, b, parametersRatio] : [b, a, 1 / parametersRatio];
        lines.push(
          `${big.id} is ${formatRatio(r)} larger than ${small.id} (${formatCount(big.parameters!)} vs ${formatCount(small.parameters!)} parameters)`,
        );
      }
      const latencyRatio = ratio(a.speed.latencyMs, b.speed.latencyMs);
      if (latencyRatio !== null && latencyRatio !== 1) {
        const [fast, slow, r] = latencyRatio < 1 ? [a, b, 1 / latencyRatio] : [b, a, latencyRatio];
        lines.push(`${fast.id} is ${formatRatio(r)} faster than ${slow.id} (${fast.speed.basis})`);
      }
      const costRatio = ratio(a.cost.per1kRequestsUsd, b.cost.per1kRequestsUsd);
      if (costRatio !== null && costRatio !== 1) {
        const [cheap, dear, r] = costRatio < 1 ? [a, b, 1 / costRatio] : [b, a, costRatio];
        lines.push(
          `${cheap.id} costs ${formatRatio(r)} less per request than ${dear.id} (${cheap.cost.basis})`,
        );
      }
      const metricDeltas: Pairwise["metricDeltas"] = [];
      for (const score of a.evaluations.reported) {
        const other = b.evaluations.reported.find(
          (candidate) => candidate.dataset === score.dataset && candidate.metric === score.metric,
        );
        if (!other) continue;
        const delta = score.value - other.value;
        metricDeltas.push({ dataset: score.dataset, metric: score.metric, delta, source: "reported" });
        if (delta === 0) continue;
        const lowerBetter = LOWER_IS_BETTER.test(score.metric);
        const aBetter = lowerBetter ? delta < 0 : delta > 0;
        const [better, worse] = aBetter ? [a, b] : [b, a];
        lines.push(
          `${better.id} is ${formatScore(Math.abs(delta))} points better than ${worse.id} on ${metricLabel(score)} (reported)`,
        );
      }
      for (const score of a.evaluations.measured) {
        const other = b.evaluations.measured.find(
          (candidate) => candidate.testSet === score.testSet && candidate.metric === score.metric,
        );
        if (!other) continue;
        const delta = score.value - other.value;
        metricDeltas.push({ dataset: score.dataset, metric: score.metric, delta, source: "measured" });
        if (delta === 0) continue;
        const aBetter = LOWER_IS_BETTER.test(score.metric) ? delta < 0 : delta > 0;
        const [better, worse] = aBetter ? [a, b] : [b, a];
        lines.push(
          `${better.id} is ${formatScore(Math.abs(delta))} points better than ${worse.id} on ${metricLabel(score)} (measured by Hangar on ${score.examples} examples of ${score.file})`,
        );
      }
      pairs.push({ a: a.id, b: b.id, parametersRatio, latencyRatio, costRatio, metricDeltas, lines });
    }
  }
  return pairs;
}

function decide(
  models: ModelComparison[],
  quality: QualityView | null,
  weights: Record<WeightName, number>,
  hardware: HardwareSpec,
  speedBasis: "measured" | "estimated",
): Decision {
  const eligible = models.some((model) => model.eligible) ? models.filter((model) => model.eligible) : models;
  const excluded = models.filter((model) => !eligible.includes(model)).map((model) => model.id);
  const excludedNote = excluded.length ? ` (${excluded.join(", ")} left out: see notes)` : "";
  // Ties keep the order the models were given, so the answer is deterministic.
  // Equal values fall to `tie` (lower wins), then to the order the models were given.
  const bestBy = (
    value: (model: ModelComparison) => number | null,
    lowerIsBetter: boolean,
    tie: (model: ModelComparison) => number | null = () => null,
  ) => {
    let best: ModelComparison | null = null;
    for (const model of eligible) {
      const current = value(model);
      if (current === null) continue;
      const bestValue = best ? value(best)! : null;
      const better = bestValue === null || (lowerIsBetter ? current < bestValue : current > bestValue);
      const tied =
        best !== null && current === bestValue && (tie(model) ?? Infinity) < (tie(best) ?? Infinity);
      if (better || tied) best = model;
    }
    return best;
  };
  const runnerUp = (winner: ModelComparison, value: (model: ModelComparison) => number | null) => {
    const others = eligible.filter((model) => model !== winner && value(model) !== null);
    return others.length ? others : null;
  };

  const speedWinner = bestBy((model) => model.speed.latencyMs, true);
  let bestForSpeed: Pick | null = null;
  if (speedWinner) {
    const others = runnerUp(speedWinner, (model) => model.speed.latencyMs);
    const where = speedBasis === "measured" ? "measured by Hangar" : `estimated on ${hardware.name}`;
    const nextFastest = others?.sort((x, y) => x.speed.latencyMs! - y.speed.latencyMs!)[0];
    bestForSpeed = {
      id: speedWinner.id,
      reason:
        `${speedWinner.id} has the lowest latency: ${formatMs(speedWinner.speed.latencyMs!)} per request (${where})` +
        (nextFastest
          ? `, ${formatRatio(nextFastest.speed.latencyMs! / speedWinner.speed.latencyMs!)} faster than ${nextFastest.id} (${formatMs(nextFastest.speed.latencyMs!)})`
          : "") +
        excludedNote,
    };
  }

  let bestForQuality: Pick | null = null;
  if (quality) {
    const qualityOf = (model: ModelComparison) => quality.values[models.indexOf(model)] ?? null;
    const winner = bestBy(qualityOf, !quality.higherIsBetter);
    if (winner) {
      const next = runnerUp(winner, qualityOf)?.sort((x, y) =>
        quality.higherIsBetter ? qualityOf(y)! - qualityOf(x)! : qualityOf(x)! - qualityOf(y)!,
      )[0];
      const unknown = eligible.filter((model) => qualityOf(model) === null).map((model) => model.id);
      bestForQuality = {
        id: winner.id,
        reason:
          `${winner.id} scores ${formatScore(qualityOf(winner)!)} ${quality.metric} on ${quality.dataset} (${quality.provenance})` +
          (next
            ? `, ${formatScore(Math.abs(qualityOf(winner)! - qualityOf(next)!))} points ${quality.higherIsBetter ? "above" : "below"} ${next.id}`
            : "") +
          (unknown.length ? `; no ${metricLabel(quality)} ${quality.source} for ${unknown.join(", ")}` : "") +
          excludedNote,
      };
    }
  }

  // At a flat provider price every model costs the same: the faster one is then the better buy.
  const costWinner = bestBy(
    (model) => model.cost.per1kRequestsUsd,
    true,
    (model) => model.speed.latencyMs,
  );
  let bestForCost: Pick | null = null;
  if (costWinner) {
    const next = runnerUp(costWinner, (model) => model.cost.per1kRequestsUsd)?.sort(
      (x, y) => x.cost.per1kRequestsUsd! - y.cost.per1kRequestsUsd!,
    )[0];
    const monthly =
      costWinner.cost.perMonthUsd !== null ? ` (${formatUsd(costWinner.cost.perMonthUsd)} a month)` : "";
    bestForCost = {
      id: costWinner.id,
      reason:
        `${costWinner.id} costs the least: ${formatUsd(costWinner.cost.per1kRequestsUsd!)} per 1,000 requests${monthly}, ${costWinner.cost.basis}: ${costWinner.cost.note}` +
        (next && next.cost.per1kRequestsUsd! > costWinner.cost.per1kRequestsUsd!
          ? `; ${formatRatio(next.cost.per1kRequestsUsd! / costWinner.cost.per1kRequestsUsd!)} less than ${next.id}`
          : "") +
        excludedNote,
    };
  }

  const overallWinner = bestBy((model) => model.scores.overall, false);
  let bestOverall: Pick | null = null;
  if (overallWinner) {
    const parts = WEIGHT_NAMES.filter((name) => weights[name] > 0).map(
      (name) => `${name} ${formatScore(overallWinner.scores[name])}×${formatScore(weights[name])}`,
    );
    const next = eligible
      .filter((model) => model !== overallWinner)
      .sort((x, y) => y.scores.overall - x.scores.overall)[0];
    bestOverall = {
      id: overallWinner.id,
      reason:
        `${overallWinner.id} has the best weighted score, ${formatScore(overallWinner.scores.overall)} (${parts.join(" + ")}, over the weights' sum)` +
        (next ? `, ahead of ${next.id} at ${formatScore(next.scores.overall)}` : "") +
        excludedNote,
    };
  }

  return {
    bestForSpeed,
    bestForQuality,
    bestForCost,
    bestOverall,
    tradeOffs: tradeOffs(models, speedWinner, costWinner, bestForQuality, quality),
  };
}

function tradeOffs(
  models: ModelComparison[],
  speedWinner: ModelComparison | null,
  costWinner: ModelComparison | null,
  qualityPick: Pick | null,
  quality: QualityView | null,
): string[] {
  const lines: string[] = [];
  const qualityWinner = qualityPick ? (models.find((model) => model.id === qualityPick.id) ?? null) : null;
  const qualityOf = (model: ModelComparison) => quality?.values[models.indexOf(model)] ?? null;
  const basisNote = quality?.source === "measured" ? " (measured by Hangar)" : "";
  const describeQualityGap = (model: ModelComparison, winner: ModelComparison) => {
    if (!quality) return "";
    const value = qualityOf(model);
    if (value === null) return ` but reports no ${metricLabel(quality)} score`;
    const gap = Math.abs(qualityOf(winner)! - value);
    return ` but scores ${formatScore(gap)} points ${quality.higherIsBetter ? "lower" : "higher (worse)"} on ${metricLabel(quality)}${basisNote}`;
  };
  if (qualityWinner) {
    // Every model faster than the quality pick buys its speed with quality (or with unknown quality).
    for (const model of models) {
      if (model === qualityWinner || !model.eligible) continue;
      const latency = model.speed.latencyMs;
      const winnerLatency = qualityWinner.speed.latencyMs;
      if (latency === null || winnerLatency === null || latency >= winnerLatency) continue;
      const cheaper =
        model.cost.per1kRequestsUsd !== null && qualityWinner.cost.per1kRequestsUsd !== null
          ? ` and costs ${formatRatio(qualityWinner.cost.per1kRequestsUsd / model.cost.per1kRequestsUsd)} less`
          : "";
      lines.push(
        `${model.id} is ${formatRatio(winnerLatency / latency)} faster (${model.speed.basis})${cheaper} than ${qualityWinner.id}${describeQualityGap(model, qualityWinner)}.`,
      );
    }
  }
  const speedCost = speedWinner?.cost.per1kRequestsUsd ?? null;
  const cheapest = costWinner?.cost.per1kRequestsUsd ?? null;
  if (
    speedWinner &&
    costWinner &&
    speedWinner !== costWinner &&
    speedCost !== null &&
    cheapest !== null &&
    cheapest < speedCost &&
    costWinner.speed.latencyMs !== null
  ) {
    lines.push(
      `${speedWinner.id} is the fastest, ${costWinner.id} the cheapest: ${formatMs(speedWinner.speed.latencyMs!)} vs ${formatMs(costWinner.speed.latencyMs)} per request, ${formatUsd(speedCost)} vs ${formatUsd(cheapest)} per 1,000.`,
    );
  }
  if (lines.length === 0 && speedWinner && speedWinner === qualityWinner) {
    lines.push(
      `${speedWinner.id} is both the fastest and the best on ${metricLabel(quality!)}: no trade-off.`,
    );
  }
  if (!quality) {
    lines.push(
      "No evaluation is reported by these models on a shared dataset and metric, and Hangar has not measured all of them on one test set: quality cannot be compared (hangar evaluate measures a model on a labelled dataset).",
    );
  }
  return lines;
}
