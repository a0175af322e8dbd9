import type { ServerResponse } from "node:http";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import {
  chatCompletionFields,
  completionFields,
  completionId,
  type OpenAiServiceCall,
  runChatCompletion,
  runCompletion,
  runEmbeddings,
  tokenUsage,
} from "../../inference/openai-requests.ts";
import { isRecord } from "../../inference/tasks/task-definition.ts";
import { asHangarError, type ErrorLog, type ErrorResponse, sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { RequestContext } from "../router.ts";
import { CHAT_COMPLETION_BODY, COMPLETION_BODY } from "../wire/request-bodies.ts";
import { clientGone, sendEvent, startEventStream } from "./inference.ts";

/** OpenAI's error shape: `{error: {message, type, code, param}}`, with the HTTP status of the Hangar error. */
export function openAiErrorResponse(error: unknown, log?: ErrorLog): ErrorResponse {
  const known = asHangarError(error, log);
  const type =
    known.status === 401
      ? "authentication_error"
      : known.status === 403
        ? "permission_error"
        : known.status === 429
          ? "rate_limit_error"
          : known.status >= 500
            ? "server_error"
            : "invalid_request_error";
  const code = known.code === "HANGAR_ERR_REPO_NOT_FOUND" ? "model_not_found" : known.hubCode;
  const param = typeof known.details.param === "string" ? known.details.param : null;
  return {
    status: known.status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "X-Error-Code": known.hubCode,
      ...known.headers,
    },
    body: JSON.stringify({ error: { message: known.message, type, code, param } }),
    error: known,
  };
}

/** Sends OpenAI's error shape on a raw response; in a stream already under way, as a last event. */
export function sendOpenAiError(response: ServerResponse, error: unknown, log?: ErrorLog): void {
  const answer = openAiErrorResponse(error, log);
  if (response.headersSent) {
    if (!response.writableEnded) {
      const known = answer.error;
      sendEvent(response, { error: { message: known.message, type: "server_error", code: known.hubCode } });
      response.end();
    }
    return;
  }
  response.writeHead(answer.status, { ...answer.headers, "Content-Length": Buffer.byteLength(answer.body) });
  response.end(response.req.method === "HEAD" ? undefined : answer.body);
}

/** One call of the OpenAI API: the body read, the caller, and the response it streams on when asked to. */
export interface OpenAiCall {
  hangar: Hangar;
  caller: Caller;
  body: Record<string, unknown>;
  /** Where a stream goes; its closing before the answer is complete stops the inference. */
  response: ServerResponse;
  /** Where an unexpected error in a stream under way is reported. */
  log?: ErrorLog;
}

/** What a call answers: a JSON value, or `STREAMED` when it streamed on the response. */
export const STREAMED = Symbol("streamed");

/** The call as the inference service takes it, stopped when the client goes away. */
function serviceCall(call: OpenAiCall): OpenAiServiceCall {
  return {
    runtime: call.hangar.inference,
    caller: call.caller,
    body: call.body,
    signal: clientGone(call.response),
    api: "openai",
  };
}

/** An inference call of the OpenAI API for the caller, stopped when the client goes away. */
function openAiRequest(
  call: OpenAiCall,
  request: Pick<InferenceRequest, "model" | "task" | "inputs" | "parameters">,
): InferenceRequest {
  return {
    caller: call.caller,
    ...request,
    body: call.body,
    signal: clientGone(call.response),
    api: "openai",
  };
}

/**
 * Streams OpenAI chunks: `make(delta, finishReason)` builds one chunk; the stream ends with `data: [DONE]`.
 * A usage chunk comes last when the client asks for it (`stream_options.include_usage`).
 */
async function streamOpenAi(
  call: OpenAiCall,
  request: InferenceRequest,
  make: (text: string | undefined, finishReason: string | null) => Record<string, unknown>,
): Promise<typeof STREAMED> {
  const { response, body } = call;
  const stream = await call.hangar.inference.stream(request);
  startEventStream(response);
  let completion = 0;
  let finishReason = "length";
  try {
    sendEvent(response, make(undefined, null));
    for await (const chunk of stream.chunks) {
      if (response.destroyed) break;
      if (chunk.tokenId !== undefined) completion++;
      if (chunk.finishReason) finishReason = chunk.finishReason;
      if (chunk.text) sendEvent(response, make(chunk.text, null));
    }
    if (response.destroyed) return STREAMED;
    sendEvent(response, make("", finishReason));
    const options = isRecord(body.stream_options) ? body.stream_options : {};
    if (options.include_usage === true) {
      sendEvent(response, {
        ...make("", null),
        choices: [],
        usage: tokenUsage(stream.promptTokens, completion),
      });
    }
    sendEvent(response, "[DONE]");
  } catch (error) {
    sendOpenAiError(response, error, call.log);
    return STREAMED;
  }
  response.end();
  return STREAMED;
}

/** `POST /v1/chat/completions` (and `/models/{id}/v1/chat/completions`): the model's chat template applies. */
export async function chatCompletion(
  call: OpenAiCall,
  modelId?: string,
): Promise<Record<string, unknown> | typeof STREAMED> {
  const { body } = call;
  if (body.stream !== true) return (await runChatCompletion(serviceCall(call), modelId)).answer;
  const request = openAiRequest(
    call,
    chatCompletionFields(
      body,
      modelId,
      (model) => call.hangar.inference.router.backendFor(model) !== undefined,
    ),
  );
  const model = request.model;
  const id = completionId("chatcmpl");
  const created = Math.floor(Date.now() / 1000);
  let first = true;
  return streamOpenAi(call, request, (text, finishReason) => {
    const delta: Record<string, unknown> = {};
    if (first) {
      delta.role = "assistant";
      first = false;
    }
    if (text !== undefined) delta.content = text;
    else delta.content = "";
    return {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  });
}

/** `POST /v1/completions` (and `/models/{id}/v1/completions`): plain prompt continuation. */
export async function completion(
  call: OpenAiCall,
  modelId?: string,
): Promise<Record<string, unknown> | typeof STREAMED> {
  const { body } = call;
  if (body.stream !== true) return (await runCompletion(serviceCall(call), modelId)).answer;
  const request = openAiRequest(call, completionFields(body, modelId));
  const model = request.model;
  const id = completionId("cmpl");
  const created = Math.floor(Date.now() / 1000);
  return streamOpenAi(call, request, (text, finishReason) => ({
    id,
    object: "text_completion",
    created,
    model,
    choices: [{ index: 0, text: text ?? "", logprobs: null, finish_reason: finishReason }],
  }));
}

/** `POST /v1/embeddings`: mean-pooled, normalised vectors, as floats or base64 little-endian float32. */
export async function embeddings(call: OpenAiCall) {
  return (await runEmbeddings(serviceCall(call))).answer;
}

/** `GET /v1/models`: the models the caller may read that Hangar can run here. */
export async function listModels(hangar: Hangar, caller: Caller) {
  const models = await hangar.inference.listRunnableModels(caller);
  // Routes come first: a route may bear the name of a local model, and then it is what the name runs.
  const routes = hangar.inference.router.current().routes;
  const routeNames = new Set(routes.map((route) => route.name));
  return {
    object: "list" as const,
    data: [
      ...routes.map((route) => ({
        id: route.name,
        object: "model" as const,
        created: 0,
        owned_by: "route",
        tasks: [],
        revision: route.deployments.map((deployment) => deployment.model).join(","),
      })),
      ...models
        .filter((model) => !routeNames.has(model.id))
        .map((model) => ({
          id: model.id,
          object: "model" as const,
          created: Math.floor(Date.parse(model.createdAt) / 1000),
          owned_by: model.owner,
          tasks: model.tasks,
          revision: model.revision,
        })),
    ],
  };
}

/**
 * The chat and completion routes under a model of the Hub's serverless API
 * (`/models/{namespace}/{name}/v1/...`, served through `Router`): the body read here, errors in OpenAI's shape.
 */
export async function handleServerlessOpenAi(
  context: RequestContext,
  model: string,
  kind: "chat" | "completion",
): Promise<void> {
  try {
    const body =
      kind === "chat"
        ? await readJsonBody(context, CHAT_COMPLETION_BODY)
        : await readJsonBody(context, COMPLETION_BODY);
    const call = {
      hangar: context.hangar,
      caller: context.caller,
      body,
      response: context.response,
      log: context.log,
    };
    const answer = kind === "chat" ? await chatCompletion(call, model) : await completion(call, model);
    if (answer !== STREAMED) sendJson(context.response, 200, answer);
  } catch (error) {
    sendOpenAiError(context.response, error, context.log);
  }
}
