import type { InferenceRequest, InferenceResult, InferenceStream } from "./inference-types.ts";

/** The kinds of backend a route's deployment names (`backend:` in the route file). */
export const BACKEND_KINDS = ["local", "openai", "hf-providers", "hf-endpoint"] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/**
 * What is known of a call for metering, filled in by the backend as it learns it, so a call that fails
 * half-way is still metered with the model, task and input size it had reached.
 */
export interface CallMeter {
  model: string;
  revision: string | null;
  task: string | null;
  inputUnits?: number;
  unit?: "tokens" | "characters";
  /** The deployment that answered (or was tried last), for routed calls: `backend url model`. */
  deployment?: string;
}

/** One call as a backend receives it: the request, its clock, and the meter to fill in. */
export interface BackendCall extends InferenceRequest {
  /**
   * Starts the request's timeout (once; later calls return the same signal) and returns the signal that
   * fires when it runs out or the client goes away. A backend starts it when the request's work begins
   * (the local runtime: before loading the model for `run`, once the model holds a slot for `stream`).
   */
  deadline(): AbortSignal;
  meter: CallMeter;
}

export interface BackendResult extends InferenceResult {
  /** How many requests the model call carried (dynamic batching); 1 when absent. */
  batchSize?: number;
}

/** What a health probe found. */
export interface BackendHealth {
  ok: boolean;
  latencyMs: number;
  message?: string;
}

/**
 * One way of running inference: Hangar's own ONNX runtime, or a server elsewhere. Access checks, timeouts
 * and metering wrap every backend the same way (`InferenceRuntime`); a backend only runs the call.
 * Outputs are in the shapes of Hangar's task API, whatever the backend speaks.
 */
export interface InferenceBackend {
  /** Which implementation; `route` for the router's view of a route (which runs on deployments of the others). */
  readonly kind: BackendKind | "route";
  /** Whether the backend can serve `task` at all (a given model may still refuse it). */
  supports(task: string): boolean;
  run(call: BackendCall): Promise<BackendResult>;
  /** Token streaming (text generation); chunks with a `tokenId` count as generated tokens. */
  stream(call: BackendCall): Promise<InferenceStream>;
  /** A cheap check that the backend answers at all (no generation). */
  health(signal: AbortSignal): Promise<BackendHealth>;
}
