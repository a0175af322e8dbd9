import type { Caller } from "../hub/accounts/principal.ts";
import type { EnsembleReport } from "./ensemble.ts";
import type { ModelRuntimeInfo, StreamChunk } from "./runtime/model-loader.ts";
import type { PoolStats } from "./runtime/model-pool.ts";
import type { QueueStats } from "./runtime/model-queue.ts";

/** Which API a request came through, for metering. */
export type InferenceApi = "task" | "hub" | "openai" | "cli" | "library" | "mcp";

export interface InferenceRequest {
  caller: Caller;
  /** `namespace/name`, or the name of a route (`HANGAR_ROUTES`). */
  model: string;
  /** Branch, tag or commit id; `main` by default. */
  revision?: string;
  /** The task; when absent it is chosen from the model's tasks and the body's shape (Hub serverless route). */
  task?: string;
  inputs: unknown;
  parameters?: unknown;
  /** The whole request body, for task detection and parameters sent at the top level. */
  body?: Record<string, unknown>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  api: InferenceApi;
}

export interface InferenceUsage {
  /** Tokens of the inputs when the model counts them, else characters. */
  input_units: number;
  /** What the answer holds, in the task's own unit (`output_unit`). */
  output_units: number;
  /** The unit of `input_units`. */
  unit: "tokens" | "characters";
  /** The task's output unit: labels, entities, vectors, scores, predictions, answers, tokens, segments... */
  output_unit: string;
  latency_ms: number;
}

export interface InferenceResult {
  model: string;
  revision: string;
  task: string;
  outputs: unknown;
  usage: InferenceUsage;
  /** A route that combines its deployments' answers (an ensemble policy): how much they agreed, who answered. */
  ensemble?: EnsembleReport;
}

export interface InferenceStream {
  model: string;
  revision: string;
  task: string;
  /** Tokens of the prompt; for a remote backend, known once its stream has reported usage. */
  readonly promptTokens: number;
  chunks: AsyncIterable<StreamChunk>;
}

/** A model Hangar can run, for `/v1/models`. */
export interface RunnableModel {
  id: string;
  revision: string;
  tasks: string[];
  createdAt: string;
  owner: string;
}

/** A loaded model as stats show it. */
export interface LoadedModelStats {
  tasks: readonly string[];
  memoryBytes: number;
  /** The onnxruntime session options it was loaded with and whether it was warmed up (when its loader says). */
  runtime: ModelRuntimeInfo | null;
}

export interface InferenceStats {
  pool: PoolStats;
  /** Per model loaded now or before: batch sizes of its model calls, rejections, cancellations, queue depth. */
  queues: Record<string, QueueStats>;
  /** Per loaded model: its tasks, memory estimate, session options and warm-up. */
  models: Record<string, LoadedModelStats>;
}
