import type { ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import { TEXT_REQUEST_BYTES } from "../../inference/tasks/task-definition.ts";
import { decodeSegment, readBody, sendError, sendJson } from "../http.ts";
import { isJsonContentType, parseJsonBytes } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import { SERVERLESS_INFERENCE_SCHEMA } from "../wire/request-bodies.ts";
import { handleServerlessOpenAi, sendOpenAiError } from "./openai.ts";

/** An AbortSignal that fires when the client goes away before the answer is complete. */
/**
 * Runs `answer` on a hijacked reply: the handler may stream on the raw response (server-sent events), so
 * Fastify must not send anything; errors before the stream began are sent here in the route's shape.
 */
export async function answerHijacked(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: () => Promise<unknown>,
  shape: "hangar" | "openai",
): Promise<void> {
  reply.hijack();
  try {
    await answer();
  } catch (error) {
    if (shape === "openai") sendOpenAiError(reply.raw, error, request.log);
    else sendError(reply.raw, error, request.log);
  }
}

export function clientGone(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort(new Error("The client closed the connection"));
  });
  return controller.signal;
}

/** The largest body a task takes (`undefined`: the largest any task takes, for a route that names none). */
export function taskRequestBytes(hangar: Hangar, task: string | undefined): number {
  const registry = hangar.inference.registry;
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
  const limit = Math.min(
    taskRequestBytes(context.hangar, task),
    context.hangar.config.limits.maxRequestBodySize,
  );
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
export async function streamGeneration(
  hangar: Hangar,
  response: ServerResponse,
  request: InferenceRequest,
): Promise<void> {
  const stream = await hangar.inference.stream(request);
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
  if (suffix === "v1/chat/completions") return handleServerlessOpenAi(context, model, "chat");
  if (suffix === "v1/completions") return handleServerlessOpenAi(context, model, "completion");
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
  if (body.stream === true) {
    return streamGeneration(context.hangar, context.response, {
      ...request,
      task: task ?? "text-generation",
    });
  }
  const result = await context.hangar.inference.run(request);
  const definition = context.hangar.inference.registry.task(result.task);
  const output = definition?.toHubOutput ? definition.toHubOutput(result.outputs) : result.outputs;
  sendJson(context.response, 200, output, {
    "X-Repo-Commit": result.revision,
    "X-Hangar-Task": result.task,
    // An ensemble route: the Hub's shape has no room for it, so what the ensemble added goes in headers.
    ...(result.ensemble
      ? {
          "X-Hangar-Ensemble-Agreement": String(result.ensemble.agreement),
          "X-Hangar-Ensemble-Answered-By": result.ensemble.answered_by,
        }
      : {}),
  });
}

export function registerServerlessRoutes(router: Router): void {
  router.add("POST", "/models/*model", runServerless, {
    summary:
      "Run a model (the Hub's serverless inference API); also /pipeline/{task} and /v1/chat/completions",
  });
}
