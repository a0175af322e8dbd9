import { randomBytes } from "node:crypto";
import { badRequest } from "../core/errors.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { InferenceApi, InferenceRequest, InferenceRuntime } from "./inference-runtime.ts";
import { textOrTexts } from "./tasks/task-definition.ts";
import { parseMessages } from "./tasks/text-generation.ts";

/**
 * OpenAI's request bodies as inference requests, and the answers as OpenAI's JSON: the one mapping that
 * the HTTP routes (`/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`) and the batch runner
 * (src/workflows/batch) both call, so a row of a batch answers exactly what the route would.
 */

/** One OpenAI call: who asks, the body, and what stops it. */
export interface OpenAiServiceCall {
  runtime: Pick<InferenceRuntime, "run" | "router">;
  caller: Caller;
  body: Record<string, unknown>;
  signal?: AbortSignal;
  api: InferenceApi;
}

export function requireModel(body: Record<string, unknown>, fallback?: string): string {
  if (fallback) return fallback;
  if (typeof body.model !== "string" || body.model === "") {
    throw badRequest('"model" is required: a model repo id such as "namespace/name"', {
      details: { param: "model" },
    });
  }
  return body.model;
}

/** OpenAI sampling fields as text-generation parameters. Without a temperature, decoding is greedy. */
export function generationParameters(body: Record<string, unknown>): Record<string, unknown> {
  if (body.n !== undefined && body.n !== 1) {
    throw badRequest('"n" must be 1: one choice per request', { details: { param: "n" } });
  }
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

/** Random bytes of one completion id, and how many ids one draw from the system's generator serves. */
const ID_BYTES = 12;
const IDS_PER_DRAW = 256;
let idBytes = Buffer.alloc(0);
let idOffset = 0;

/**
 * `{prefix}-{24 hex digits}`, random: the bytes come from one draw of `randomBytes` for 256 ids (one call
 * of the system's generator cost about 35 µs of every routed request), as `randomUUID` does for its own.
 */
export function completionId(prefix: string): string {
  if (idOffset + ID_BYTES > idBytes.length) {
    idBytes = randomBytes(ID_BYTES * IDS_PER_DRAW);
    idOffset = 0;
  }
  const id = idBytes.toString("hex", idOffset, idOffset + ID_BYTES);
  idOffset += ID_BYTES;
  return `${prefix}-${id}`;
}

interface GenerationOutput {
  generated_text: string;
  finish_reason: string;
  usage: { prompt_tokens: number; completion_tokens: number };
}

export function tokenUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

type RequestFields = Pick<InferenceRequest, "model" | "task" | "inputs" | "parameters">;

/** `/v1/chat/completions`: the model's chat template applies (stream or not). */
export function chatCompletionFields(
  body: Record<string, unknown>,
  modelId: string | undefined,
  /** Whether a route sends the model to another server (which may take tools); local models take none. */
  routed: (model: string) => boolean,
): RequestFields {
  const model = requireModel(body, modelId);
  const messages = parseMessages(body.messages);
  if (!routed(model) && body.tools !== undefined && Array.isArray(body.tools) && body.tools.length > 0) {
    throw badRequest('"tools" are not supported by local models', { details: { param: "tools" } });
  }
  return { model, task: "text-generation", inputs: messages, parameters: generationParameters(body) };
}

/** `/v1/completions`: plain prompt continuation (stream or not). */
export function completionFields(body: Record<string, unknown>, modelId?: string): RequestFields {
  const model = requireModel(body, modelId);
  const prompt = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
  if (typeof prompt !== "string" || prompt === "") {
    throw badRequest('"prompt" must be a non-empty string (one prompt per request)', {
      details: { param: "prompt" },
    });
  }
  return {
    model,
    task: "text-generation",
    inputs: prompt,
    parameters: {
      ...generationParameters(body),
      ...(body.echo === true ? { return_full_text: true } : {}),
    },
  };
}

function request(call: OpenAiServiceCall, fields: RequestFields): InferenceRequest {
  return {
    caller: call.caller,
    ...fields,
    body: call.body,
    ...(call.signal ? { signal: call.signal } : {}),
    api: call.api,
  };
}

/** A chat completion, not streamed. */
export async function runChatCompletion(call: OpenAiServiceCall, modelId?: string) {
  const fields = chatCompletionFields(
    call.body,
    modelId,
    (model) => call.runtime.router.backendFor(model) !== undefined,
  );
  const result = await call.runtime.run(request(call, fields));
  const output = result.outputs as GenerationOutput;
  return {
    answer: {
      id: completionId("chatcmpl"),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: fields.model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: output.generated_text },
          logprobs: null,
          finish_reason: output.finish_reason,
        },
      ],
      usage: tokenUsage(output.usage.prompt_tokens, output.usage.completion_tokens),
    },
    usage: result.usage,
  };
}

/** A text completion, not streamed. */
export async function runCompletion(call: OpenAiServiceCall, modelId?: string) {
  const fields = completionFields(call.body, modelId);
  const result = await call.runtime.run(request(call, fields));
  const output = result.outputs as GenerationOutput;
  return {
    answer: {
      id: completionId("cmpl"),
      object: "text_completion",
      created: Math.floor(Date.now() / 1000),
      model: fields.model,
      choices: [
        { index: 0, text: output.generated_text, logprobs: null, finish_reason: output.finish_reason },
      ],
      usage: tokenUsage(output.usage.prompt_tokens, output.usage.completion_tokens),
    },
    usage: result.usage,
  };
}

/** Embeddings: mean-pooled, normalised vectors, as floats or base64 little-endian float32. */
export async function runEmbeddings(call: OpenAiServiceCall) {
  const { body } = call;
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
  if (format !== "float" && format !== "base64") {
    throw badRequest('"encoding_format" must be float or base64', { details: { param: "encoding_format" } });
  }
  if (body.dimensions !== undefined) {
    throw badRequest('"dimensions" is not supported by local models', { details: { param: "dimensions" } });
  }
  const result = await call.runtime.run(
    request(call, {
      model,
      task: "feature-extraction",
      inputs: texts,
      parameters: { pooling: "mean", normalize: true },
    }),
  );
  const vectors = result.outputs as number[][];
  const tokens = result.usage.unit === "tokens" ? result.usage.input_units : 0;
  return {
    answer: {
      object: "list",
      data: vectors.map((vector, index) => ({
        object: "embedding",
        index,
        embedding:
          format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector,
      })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    usage: result.usage,
  };
}
