import { badRequest } from "../core/errors.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { InferenceApi, InferenceRequest } from "./inference-runtime.ts";
import { isRecord } from "./tasks/task-definition.ts";

/**
 * A body of Hangar's task API (`POST /v1/inference/{task}`: `{model, inputs, parameters, revision?}`) as an
 * inference request: the one mapping the route and the batch runner (src/workflows/batch) share.
 */
export function taskInferenceRequest(params: {
  caller: Caller;
  task: string;
  body: Record<string, unknown>;
  signal?: AbortSignal;
  api: InferenceApi;
}): InferenceRequest {
  const { body } = params;
  if (typeof body.model !== "string" || body.model === "") {
    throw badRequest('"model" is required: a model repo id such as "namespace/name"');
  }
  if (body.revision !== undefined && body.revision !== null && typeof body.revision !== "string") {
    throw badRequest('"revision" must be a string: a branch, tag or commit id');
  }
  if (body.parameters !== undefined && body.parameters !== null && !isRecord(body.parameters)) {
    throw badRequest('"parameters" must be an object');
  }
  return {
    caller: params.caller,
    model: body.model,
    ...(typeof body.revision === "string" && body.revision ? { revision: body.revision } : {}),
    task: params.task,
    inputs: body.inputs,
    parameters: body.parameters ?? {},
    body,
    ...(params.signal ? { signal: params.signal } : {}),
    api: params.api,
  };
}
