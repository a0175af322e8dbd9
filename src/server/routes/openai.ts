import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { badRequest, HangarError } from "../../core/errors.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import { isRecord, textOrTexts } from "../../inference/tasks/task-definition.ts";
import { parseMessages } from "../../inference/tasks/text-generation.ts";
import { sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import { CHAT_COMPLETION_BODY, COMPLETION_BODY, EMBEDDINGS_BODY } from "../wire/request-bodies.ts";
import { clientGone, sendEvent, startEventStream } from "./inference.ts";

/** OpenAI's error shape: `{error: {message, type, code, param}}`, with the HTTP status of the Hangar error. */
function sendOpenAiError(response: ServerResponse, error: unknown): void {
  const known = HangarError.isInstance(error)
    ? error
    : new HangarError("HANGAR_ERR_INTERNAL", "Internal server error", { cause: error });
  if (!HangarError.isInstance(error)) console.error(error);
  if (response.headersSent) {
    if (!response.writableEnded) {
      sendEvent(response, { error: { message: known.message, type: "server_error", code: known.hubCode } });
      response.end();
    }
    return;
  }
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
  sendJson(
    response,
    known.status,
    { error: { message: known.message, type, code, param } },
    { "X-Error-Code": known.hubCode, ...known.headers },
  );
}

function withOpenAiErrors(handler: (context: RequestContext) => Promise<void>) {
  return async (context: RequestContext) => {
    try {
      await handler(context);
    } catch (error) {
      sendOpenAiError(context.response, error);
    }
  };
}

function requireModel(body: Record<string, unknown>, fallback?: string): string {
  if (fallback) return fallback;
  if (typeof body.model !== "string" || body.model === "") {
    throw badRequest('"model" is required: a model repo id such as "namespace/name"');
  }
  return body.model;
}

/** OpenAI sampling fields as text-generation parameters. Without a temperature, decoding is greedy. */
function generationParameters(body: Record<string, unknown>): Record<string, unknown> {
  if (body.n !== undefined && body.n !== 1) throw badRequest('"n" must be 1: one choice per request');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const temperature = body.temperature;
  return Object.fromEntries(
    Object.entries({
      max_new_tokens: maxTokens ?? undefined,
      temperature: temperature ?? undefined,
      do_sample: typeof temperature === "number" ? temperature > 0 : undefined,
      top_p: body.top_p ?? undefined,
      seed: body.seed ?? undefined,
      stop: body.stop ?? undefined,
    }).filter(([, value]) => value !== undefined),
  );
}

function completionId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString("hex")}`;
}

interface GenerationOutput {
  generated_text: string;
  finish_reason: string;
  usage: { prompt_tokens: number; completion_tokens: number };
}

function tokenUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

function usageOf(output: GenerationOutput) {
  return tokenUsage(output.usage.prompt_tokens, output.usage.completion_tokens);
}

/** An inference call of the OpenAI API for the caller, stopped when the client goes away. */
function openAiRequest(
  context: RequestContext,
  body: Record<string, unknown>,
  call: Pick<InferenceRequest, "model" | "task" | "inputs" | "parameters">,
): InferenceRequest {
  return {
    caller: context.caller,
    ...call,
    body,
    signal: clientGone(context.response),
    api: "openai",
  };
}

/**
 * Streams OpenAI chunks: `make(delta, finishReason)` builds one chunk; the stream ends with `data: [DONE]`.
 * A usage chunk comes last when the client asks for it (`stream_options.include_usage`).
 */
async function streamOpenAi(
  context: RequestContext,
  request: InferenceRequest,
  body: Record<string, unknown>,
  make: (text: string | undefined, finishReason: string | null) => Record<string, unknown>,
): Promise<void> {
  const { response } = context;
  const stream = await context.hangar.inference.stream(request);
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
    if (response.destroyed) return;
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
    sendOpenAiError(response, error);
    return;
  }
  response.end();
}

/** `POST /v1/chat/completions` (and `/models/{id}/v1/chat/completions`): the model's chat template applies. */
export async function handleChatCompletion(context: RequestContext, modelId?: string): Promise<void> {
  return withOpenAiErrors(async () => {
    const body = await readJsonBody(context, CHAT_COMPLETION_BODY);
    const model = requireModel(body, modelId);
    const messages = parseMessages(body.messages);
    if (body.tools !== undefined && Array.isArray(body.tools) && body.tools.length > 0) {
      throw badRequest('"tools" are not supported by local models');
    }
    const request = openAiRequest(context, body, {
      model,
      task: "text-generation",
      inputs: messages,
      parameters: generationParameters(body),
    });
    const id = completionId("chatcmpl");
    const created = Math.floor(Date.now() / 1000);
    if (body.stream === true) {
      let first = true;
      return streamOpenAi(context, request, body, (text, finishReason) => {
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
    const result = await context.hangar.inference.run(request);
    const output = result.outputs as GenerationOutput;
    sendJson(context.response, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: output.generated_text },
          logprobs: null,
          finish_reason: output.finish_reason,
        },
      ],
      usage: usageOf(output),
    });
  })(context);
}

/** `POST /v1/completions` (and `/models/{id}/v1/completions`): plain prompt continuation. */
export async function handleCompletion(context: RequestContext, modelId?: string): Promise<void> {
  return withOpenAiErrors(async () => {
    const body = await readJsonBody(context, COMPLETION_BODY);
    const model = requireModel(body, modelId);
    const prompt = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
    if (typeof prompt !== "string" || prompt === "") {
      throw badRequest('"prompt" must be a non-empty string (one prompt per request)');
    }
    const request = openAiRequest(context, body, {
      model,
      task: "text-generation",
      inputs: prompt,
      parameters: {
        ...generationParameters(body),
        ...(body.echo === true ? { return_full_text: true } : {}),
      },
    });
    const id = completionId("cmpl");
    const created = Math.floor(Date.now() / 1000);
    if (body.stream === true) {
      return streamOpenAi(context, request, body, (text, finishReason) => ({
        id,
        object: "text_completion",
        created,
        model,
        choices: [{ index: 0, text: text ?? "", logprobs: null, finish_reason: finishReason }],
      }));
    }
    const result = await context.hangar.inference.run(request);
    const output = result.outputs as GenerationOutput;
    sendJson(context.response, 200, {
      id,
      object: "text_completion",
      created,
      model,
      choices: [
        { index: 0, text: output.generated_text, logprobs: null, finish_reason: output.finish_reason },
      ],
      usage: usageOf(output),
    });
  })(context);
}

/** `POST /v1/embeddings`: mean-pooled, normalised vectors, as floats or base64 little-endian float32. */
async function handleEmbeddings(context: RequestContext): Promise<void> {
  const body = await readJsonBody(context, EMBEDDINGS_BODY);
  const model = requireModel(body);
  const input = body.input;
  if (Array.isArray(input) && !input.every((text) => typeof text === "string")) {
    throw badRequest('"input" must be a string or a list of strings (token arrays are not supported)', {
      details: { param: "input" },
    });
  }
  // An empty text is refused here as on /v1/inference (and by OpenAI): a vector of nothing means nothing.
  const given = textOrTexts(input, "input");
  const texts = typeof given === "string" ? [given] : given;
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64")
    throw badRequest('"encoding_format" must be float or base64');
  if (body.dimensions !== undefined) throw badRequest('"dimensions" is not supported by local models');
  const result = await context.hangar.inference.run(
    openAiRequest(context, body, {
      model,
      task: "feature-extraction",
      inputs: texts,
      parameters: { pooling: "mean", normalize: true },
    }),
  );
  const vectors = result.outputs as number[][];
  const tokens = result.usage.unit === "tokens" ? result.usage.input_units : 0;
  sendJson(context.response, 200, {
    object: "list",
    data: vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding:
        format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** `GET /v1/models`: the models the caller may read that Hangar can run here. */
async function listModels(context: RequestContext): Promise<void> {
  const models = await context.hangar.inference.listRunnableModels(context.caller);
  sendJson(context.response, 200, {
    object: "list",
    data: models.map((model) => ({
      id: model.id,
      object: "model",
      created: Math.floor(Date.parse(model.createdAt) / 1000),
      owned_by: model.owner,
      tasks: model.tasks,
      revision: model.revision,
    })),
  });
}

export function registerOpenAiRoutes(router: Router): void {
  // OpenAI's clients need some API key: a placeholder that is not a Hangar token means anonymous here.
  const options = { acceptsPlaceholderKeys: true };
  router.add("POST", "/v1/chat/completions", (context) => handleChatCompletion(context), options);
  router.add("POST", "/v1/completions", (context) => handleCompletion(context), options);
  router.add("POST", "/v1/embeddings", withOpenAiErrors(handleEmbeddings), options);
  router.add(
    "GET",
    "/v1/models",
    withOpenAiErrors(async (context) => listModels(context)),
    options,
  );
}
