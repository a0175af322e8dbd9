import type { BackendCall, InferenceBackend } from "../../inference/backend.ts";
import type { RouteBackend } from "../../inference/router/route-backend.ts";
import { isRecord } from "../../inference/tasks/task-definition.ts";
import type { PricedCall } from "../pricing/price-book.ts";

/** Tasks whose output is generated tokens. */
const GENERATION_TASKS = new Set(["text-generation", "image-to-text", "conversational"]);
/** The local runtime's `max_new_tokens` when a request names none (src/inference/runtime/transformers-loader.ts). */
const LOCAL_DEFAULT_MAX_NEW_TOKENS = 64;
/** Tokens a chat template may add around the messages, beyond their JSON (roles, separators). */
const TEMPLATE_ALLOWANCE = 16;

/** Where a call may run: each candidate deployment (one for a local model) with what prices it. */
export function candidatesOf(call: BackendCall, backend: InferenceBackend): PricedCall[] {
  if (backend.kind !== "route") return [{ backend: backend.kind, model: call.model }];
  const route = backend as RouteBackend;
  return route.deployments.map((deployment) => ({
    route: route.config.name,
    backend: deployment.config.backend,
    model: deployment.config.model,
    ...(deployment.config.cost === undefined ? {} : { deploymentCost: deployment.config.cost }),
  }));
}

/** The deployment that answered a routed call, from its meter label (`backend [url ]model`). */
export function answeredBy(call: BackendCall, backend: InferenceBackend): PricedCall {
  const candidates = candidatesOf(call, backend);
  const label = call.meter.deployment;
  if (backend.kind !== "route" || !label) {
    return backend.kind === "route" ? candidates[0]! : { backend: backend.kind, model: call.meter.model };
  }
  const route = backend as RouteBackend;
  const deployment = route.deployments.find((candidate) => candidate.label === label);
  if (!deployment) return candidates[0]!;
  return {
    route: route.config.name,
    backend: deployment.config.backend,
    model: deployment.config.model,
    ...(deployment.config.cost === undefined ? {} : { deploymentCost: deployment.config.cost }),
  };
}

/**
 * Upper bounds of a call's tokens before it runs. Input: the UTF-8 bytes of its inputs as JSON, plus an
 * allowance for a chat template (a byte-level BPE or SentencePiece-with-byte-fallback token holds at
 * least one byte, and the JSON quoting and keys outweigh a template's role markers). Output: its
 * `max_new_tokens`, the local runtime's default, or `maxTokensBound` given to a remote generation that
 * names none (`bound` says so, and the caller sets it on the call). Non-generation tasks generate none.
 */
export function tokenBounds(
  call: BackendCall,
  backend: InferenceBackend,
  maxTokensBound: number,
): { input: number; output: number; bound?: number } {
  const input = Buffer.byteLength(JSON.stringify(call.inputs ?? "") ?? "") + TEMPLATE_ALLOWANCE;
  const task =
    call.task ??
    (backend.kind === "route" ? ((backend as RouteBackend).config.task ?? "text-generation") : undefined);
  if (task !== undefined && !GENERATION_TASKS.has(task)) return { input, output: 0 };
  const parameters = isRecord(call.parameters) ? call.parameters : {};
  const asked = parameters.max_new_tokens;
  if (typeof asked === "number" && Number.isInteger(asked) && asked > 0) return { input, output: asked };
  const remote =
    backend.kind === "route"
      ? (backend as RouteBackend).deployments.some((deployment) => deployment.config.backend !== "local")
      : backend.kind !== "local";
  if (!remote) return { input, output: LOCAL_DEFAULT_MAX_NEW_TOKENS };
  return { input, output: maxTokensBound, bound: maxTokensBound };
}
