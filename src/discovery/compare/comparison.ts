import type { EvalScore } from "../../core/catalog-types.ts";
import type { CommercialUse } from "../../core/types.ts";
import type {
  CostFigures,
  HardwareFit,
  MeasuredEvaluation,
  MeasuredLatency,
  SpeedFigures,
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
  /**
   * 0..1 per criterion (1 = best of these models, 0 = worst), null where the model's value is unknown; the
   * weighted overall is null when a criterion it weighs is unknown for the model.
   */
  scores: Record<WeightName | "overall", number | null>;
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

/** What a pick is about: one criterion, or the weighted overall. */
export type PickName = "speed" | "quality" | "cost" | "overall";

export interface Decision {
  bestForSpeed: Pick | null;
  bestForQuality: Pick | null;
  bestForCost: Pick | null;
  bestOverall: Pick | null;
  /**
   * Why a pick is null: the evidence it would need and which models lack it. A pick is made only when every
   * model it is chosen among has a known value: a model is never best over one that is unknown.
   */
  undecided: Partial<Record<PickName, string>>;
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
