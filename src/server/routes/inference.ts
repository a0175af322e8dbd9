import type { ServerResponse } from "node:http";
import { HangarError } from "../../core/errors.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import { TEXT_REQUEST_BYTES } from "../../inference/tasks/task-definition.ts";
import { decodeSegment, readBody, sendJson } from "../http.ts";
import { isJsonContentType, parseJsonBytes, readJsonBody } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import { SERVERLESS_INFERENCE_SCHEMA, TASK_INFERENCE_SCHEMA } from "../wire/request-bodies.ts";
import { handleChatCompletion, handleCompletion } from "./openai.ts";

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort(new Error("The client closed the connection"));
  });
  return controller.signal;
}

/** The largest body a task takes (`undefined`: the largest any task takes, for a route that names none). */
function taskRequestBytes(context: RequestContext, task: string | undefined): number {
  const registry = context.hangar.inference.registry;
  const names = task === undefined ? registry.taskNames() : [task];
  return Math.max(TEXT_REQUEST_BYTES, ...names.map((name) => registry.task(name)?.maxRequestBytes ?? 0));
}

/**
 * A Hub serverless body: JSON, or the raw file that `@huggingface/inference` sends for image and audio tasks
 * (no JSON content type), which becomes `{inputs: <bytes>}`.
 */
async function readServerlessBody(
  context: RequestContext,
  task: string | undefined,
): Promise<Record<string, unknown>> {
  const type = context.request.headers["content-type"];
  const limit = Math.min(taskRequestBytes(context, task), context.hangar.config.limits.maxRequestBodySize);
  const bytes = await readBody(context.request, limit);
  // curl -d sends JSON as a form and fetch a string as text; files never start with "{".
  const json =
    type?.toLowerCase().includes("json") ||
    (isJsonContentType(type) && bytes.subarray(0, 64).toString("latin1").trimStart().startsWith("{"));
  if (json) return parseJsonBytes(bytes, SERVERLESS_INFERENCE_SCHEMA);
  return { inputs: bytes };
}

export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
  });
}

export function sendEvent(response: ServerResponse, data: unknown): void {
  response.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/** Streams text generation as server-sent events: one `{token, generated_text: null}` per token, then the text. */
async function streamGeneration(context: RequestContext, request: InferenceRequest): Promise<void> {
  const { response } = context;
  const stream = await context.hangar.inference.stream(request);
  startEventStream(response);
  let text = "";
  let tokens = 0;
  let finishReason = "length";
  try {
    for await (const chunk of stream.chunks) {
      if (response.destroyed) break;
      text += chunk.text;
      if (chunk.finishReason) finishReason = chunk.finishReason;
      if (chunk.tokenId === undefined) continue;
      tokens++;
      sendEvent(response, {
        token: { id: chunk.tokenId, text: chunk.text, logprob: 0, special: false },
        generated_text: null,
        details: null,
      });
    }
    sendEvent(response, {
      token: null,
      generated_text: text,
      details: { finish_reason: finishReason, generated_tokens: tokens, prompt_tokens: stream.promptTokens },
    });
  } catch (error) {
    const message = HangarError.isInstance(error) ? error.message : "Generation failed";
    sendEvent(response, { error: message, error_type: "generation" });
  }
  response.end();
}

/** Hangar's task API: `POST /v1/inference/{task}` with `{model, inputs, parameters, revision?, stream?}`. */
async function runTask(context: RequestContext): Promise<void> {
  const task = decodeSegment(context.params.task!);
  const body = await readJsonBody(context, {
    schema: TASK_INFERENCE_SCHEMA,
    maxBytes: taskRequestBytes(context, task),
  });
  const request: InferenceRequest = {
    caller: context.caller,
    model: body.model,
    ...(body.revision ? { revision: body.revision } : {}),
    task,
    inputs: body.inputs,
    parameters: body.parameters ?? {},
    body,
    signal: clientGone(context.response),
    api: "task",
  };
  if (body.stream === true) return streamGeneration(context, request);
  const result = await context.hangar.inference.run(request);
  sendJson(context.response, 200, result);
}

/**
 * The Hub's serverless route, `POST /models/{namespace}/{name}`: the task comes from the body's shape and
 * the model's tasks, and outputs have the Hub's shapes, so `@huggingface/inference` works with
 * `endpointUrl` set to this URL. `/pipeline/{task}` names the task; `/v1/chat/completions` and
 * `/v1/completions` under the model are where that client sends chat and text generation.
 */
async function runServerless(context: RequestContext): Promise<void> {
  const [namespace, name, ...extra] = context.rest.map(decodeSegment);
  if (!namespace || !name)
    throw new HangarError("HANGAR_ERR_NOT_FOUND", "Expected /models/{namespace}/{name}");
  const model = `${namespace}/${name}`;
  const suffix = extra.join("/");
  if (suffix === "v1/chat/completions") return handleChatCompletion(context, model);
  if (suffix === "v1/completions") return handleCompletion(context, model);
  let task: string | undefined;
  if (extra[0] === "pipeline" && extra.length === 2) task = extra[1];
  else if (extra.length > 0)
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No route for POST ${context.rawPath}`);
  const body = await readServerlessBody(context, task);
  const parameters = body.parameters ?? {};
  const request: InferenceRequest = {
    caller: context.caller,
    model,
    ...(task ? { task } : {}),
    inputs: body.inputs,
    parameters,
    body,
    signal: clientGone(context.response),
    api: "hub",
  };
  if (body.stream === true) return streamGeneration(context, { ...request, task: task ?? "text-generation" });
  const result = await context.hangar.inference.run(request);
  const definition = context.hangar.inference.registry.task(result.task);
  const output = definition?.toHubOutput ? definition.toHubOutput(result.outputs) : result.outputs;
  sendJson(context.response, 200, output, {
    "X-Repo-Commit": result.revision,
    "X-Hangar-Task": result.task,
  });
}

export function registerInferenceRoutes(router: Router): void {
  router.add("POST", "/v1/inference/:task", runTask);
  router.add("POST", "/models/*model", runServerless);
}
