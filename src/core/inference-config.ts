import { parseCount, setOnly } from "./config-values.ts";

/** Settings of local inference (`HANGAR_INFERENCE_*`) and of Hangar's own endpoints (`HANGAR_ENDPOINT_*`). */
export interface InferenceSettings {
  /** Memory the loaded models may take together; least recently used models are unloaded past it. */
  memoryBudgetBytes: number;
  /** Most requests coalesced into one model call for encoder tasks (1 turns batching off). */
  maxBatchSize: number;
  /** How long a request may wait for others to join its batch. */
  maxQueueDelayMs: number;
  /** Requests that may wait per model before new ones get 429 with Retry-After. */
  maxQueue: number;
  /** Model calls running at once per model. */
  maxConcurrency: number;
  /** Longest a request may take, queueing included, before it fails with 504. */
  timeoutMs: number;
  /** Intra-op threads per ONNX session (0: onnxruntime's default, one per core). */
  threads: number;
  /** Whether inference needs a token even for public models. */
  requireToken: boolean;
}

export const DEFAULT_INFERENCE: InferenceSettings = {
  memoryBudgetBytes: 4 * 1024 ** 3,
  maxBatchSize: 16,
  maxQueueDelayMs: 2,
  maxQueue: 64,
  maxConcurrency: 1,
  timeoutMs: 60_000,
  threads: 0,
  requireToken: false,
};

/** The inference settings of a config, defaults filled in. */
export function inferenceSettings(config: { inference?: Partial<InferenceSettings> }): InferenceSettings {
  return { ...DEFAULT_INFERENCE, ...config.inference };
}

/** How Hangar's own inference endpoints scale (src/inference/endpoints). */
export interface EndpointSettings {
  /** How often each endpoint's autoscaler looks at its queues and latency. */
  autoscaleIntervalMs: number;
  /** A replica above an endpoint's minimum is removed once the endpoint has had no waiting request this long. */
  scaleDownAfterMs: number;
}

export const DEFAULT_ENDPOINTS: EndpointSettings = {
  autoscaleIntervalMs: 1_000,
  scaleDownAfterMs: 60_000,
};

/** The endpoint settings of a config, defaults filled in. */
export function endpointSettings(config: { endpoints?: Partial<EndpointSettings> }): EndpointSettings {
  return { ...DEFAULT_ENDPOINTS, ...config.endpoints };
}

/** The inference settings set in the environment (`HANGAR_INFERENCE_*`). */
export function inferenceFromEnv(env: Record<string, string | undefined>): Partial<InferenceSettings> {
  return setOnly<InferenceSettings>({
    memoryBudgetBytes: parseCount(env.HANGAR_INFERENCE_MEMORY_BUDGET, "HANGAR_INFERENCE_MEMORY_BUDGET"),
    maxBatchSize: parseCount(env.HANGAR_INFERENCE_MAX_BATCH_SIZE, "HANGAR_INFERENCE_MAX_BATCH_SIZE"),
    maxQueueDelayMs: parseCount(
      env.HANGAR_INFERENCE_MAX_QUEUE_DELAY_MS,
      "HANGAR_INFERENCE_MAX_QUEUE_DELAY_MS",
    ),
    maxQueue: parseCount(env.HANGAR_INFERENCE_MAX_QUEUE, "HANGAR_INFERENCE_MAX_QUEUE"),
    maxConcurrency: parseCount(env.HANGAR_INFERENCE_MAX_CONCURRENCY, "HANGAR_INFERENCE_MAX_CONCURRENCY"),
    timeoutMs: parseCount(env.HANGAR_INFERENCE_TIMEOUT_MS, "HANGAR_INFERENCE_TIMEOUT_MS"),
    threads: parseCount(env.HANGAR_INFERENCE_THREADS, "HANGAR_INFERENCE_THREADS"),
    requireToken:
      env.HANGAR_INFERENCE_REQUIRE_TOKEN === undefined
        ? undefined
        : env.HANGAR_INFERENCE_REQUIRE_TOKEN === "1",
  });
}

/** The endpoint settings set in the environment (`HANGAR_ENDPOINT_*`). */
export function endpointsFromEnv(env: Record<string, string | undefined>): Partial<EndpointSettings> {
  return setOnly<EndpointSettings>({
    autoscaleIntervalMs: parseCount(env.HANGAR_ENDPOINT_AUTOSCALE_MS, "HANGAR_ENDPOINT_AUTOSCALE_MS"),
    scaleDownAfterMs: parseCount(env.HANGAR_ENDPOINT_SCALE_DOWN_MS, "HANGAR_ENDPOINT_SCALE_DOWN_MS"),
  });
}
