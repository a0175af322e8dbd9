import { HangarError } from "../../core/errors.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import type { InferenceStream } from "../inference-types.ts";
import type { StreamChunk } from "../runtime/model-loader.ts";
import { isRecord } from "../tasks/task-definition.ts";
import { messageOf, retryAfterMs, unreachable, upstreamError } from "./backend-errors.ts";
import { readEventData } from "./sse.ts";
import { type GenerationOutput, generationResult, meterPromptTokens, tokenUsage } from "./token-usage.ts";
import { type UpstreamRequestInit, upstreamFetch, upstreamText } from "./upstream-fetch.ts";

/** Token id of a streamed chunk whose backend sends text, not ids: it still counts as one generated token. */
export const UNKNOWN_TOKEN_ID = -1;

/** OpenAI fields passed through from an OpenAI-API request as they are (beyond the sampling parameters). */
const PASSED_THROUGH = [
  "tools",
  "tool_choice",
  "response_format",
  "frequency_penalty",
  "presence_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "user",
  "reasoning_effort",
];

export interface OpenAiBackendOptions {
  /** The server's base URL, ending where `/chat/completions` goes (usually `.../v1`). */
  url: string;
  /** The API key, read when a call is made (from the environment variable the route names). */
  apiKey?: () => string | undefined;
}

function finishReasonOf(value: unknown): "stop" | "length" {
  return value === "length" ? "length" : "stop";
}

/**
 * Any OpenAI-compatible server (vLLM, TGI, Ollama, llama.cpp's server, OpenAI): text generation through
 * `/chat/completions` (chat messages) or `/completions` (a prompt), embeddings through `/embeddings`.
 */
export class OpenAiBackend implements InferenceBackend {
  readonly kind = "openai" as const;

  /** The URLs of the server's paths, parsed once (not on every call). */
  private readonly urls = new Map<string, URL>();

  constructor(private readonly options: OpenAiBackendOptions) {}

  private urlOf(path: string): URL {
    let url = this.urls.get(path);
    if (!url) {
      url = new URL(`${this.options.url}${path}`);
      this.urls.set(path, url);
    }
    return url;
  }

  supports(task: string): boolean {
    return task === "text-generation" || task === "feature-extraction";
  }

  private headers(): Record<string, string> {
    const key = this.options.apiKey?.();
    return { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) };
  }

  /** POSTs JSON through `transport`; a failed connection becomes a retryable error. */
  private async send<T>(
    path: string,
    body: unknown,
    signal: AbortSignal,
    transport: (url: URL, init: UpstreamRequestInit) => Promise<T>,
  ): Promise<T> {
    try {
      return await transport(this.urlOf(path), {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw unreachable(this.options.url, error);
    }
  }

  /** The upstream's error for a non-2xx answer, with its message and `Retry-After`. */
  private refused(status: number, text: string, retryAfter: string | null): HangarError {
    return upstreamError(this.options.url, status, messageOf(text), retryAfterMs(retryAfter));
  }

  /** POSTs JSON; a non-2xx answer becomes the upstream's error, a failed connection a retryable one. */
  private async post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    const response = await this.send(path, body, signal, upstreamFetch);
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw this.refused(response.status, text, response.headers.get("retry-after"));
    }
    return response;
  }

  /**
   * POSTs JSON and reads the whole answer as JSON (no `Response` or web stream: the cheaper path for answers
   * that are not streamed); errors as `post`'s, and a connection that breaks mid-answer is a retryable one.
   */
  private async postForJson(
    path: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const answer = await this.send(path, body, signal, upstreamText);
    if (answer.status < 200 || answer.status > 299) {
      const retryAfter = answer.headers["retry-after"];
      throw this.refused(answer.status, answer.text, typeof retryAfter === "string" ? retryAfter : null);
    }
    return JSON.parse(answer.text) as Record<string, unknown>;
  }

  private generationRequest(
    call: BackendCall,
    stream: boolean,
  ): { path: string; body: Record<string, unknown> } {
    const parameters = isRecord(call.parameters) ? call.parameters : {};
    const chat = Array.isArray(call.inputs);
    const body: Record<string, unknown> = {
      model: call.model,
      ...(chat ? { messages: call.inputs } : { prompt: call.inputs }),
    };
    const sampling: Record<string, unknown> = {
      max_tokens: parameters.max_new_tokens,
      temperature: parameters.temperature,
      top_p: parameters.top_p,
      seed: parameters.seed,
      stop: parameters.stop,
    };
    for (const [name, value] of Object.entries(sampling)) if (value !== undefined) body[name] = value;
    if (call.api === "openai" && call.body) {
      for (const name of PASSED_THROUGH) if (call.body[name] !== undefined) body[name] = call.body[name];
    }
    if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
    return { path: chat ? "/chat/completions" : "/completions", body };
  }

  async run(call: BackendCall): Promise<BackendResult> {
    const signal = call.deadline();
    const task = call.task ?? "text-generation";
    call.meter.task = task;
    if (task === "feature-extraction") return this.embed(call, signal);
    if (task !== "text-generation") throw unsupported(task);
    const { path, body } = this.generationRequest(call, false);
    const answer = await this.postForJson(path, body, signal);
    const choice = (Array.isArray(answer.choices) ? answer.choices[0] : undefined) as
      | Record<string, unknown>
      | undefined;
    const message = isRecord(choice?.message) ? choice.message : undefined;
    const output: GenerationOutput = {
      generated_text: String((message ? message.content : choice?.text) ?? ""),
      finish_reason: finishReasonOf(choice?.finish_reason),
      usage: tokenUsage(answer.usage),
    };
    return generationResult(call, output, {
      model: call.model,
      revision: String(answer.model ?? call.model),
      task,
    });
  }

  private async embed(call: BackendCall, signal: AbortSignal): Promise<BackendResult> {
    const single = typeof call.inputs === "string";
    const answer = (await this.postForJson(
      "/embeddings",
      { model: call.model, input: call.inputs },
      signal,
    )) as { data?: Array<{ index: number; embedding: number[] }>; usage?: { prompt_tokens?: number } };
    const vectors = [...(answer.data ?? [])].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    const tokens = tokenUsage(answer.usage).prompt_tokens;
    meterPromptTokens(call, tokens);
    return {
      model: call.model,
      revision: call.model,
      task: "feature-extraction",
      outputs: single ? vectors[0] : vectors,
      usage: {
        input_units: tokens,
        output_units: vectors.length,
        unit: "tokens",
        output_unit: "vectors",
        latency_ms: 0,
      },
    };
  }

  async stream(call: BackendCall): Promise<InferenceStream> {
    const task = call.task ?? "text-generation";
    call.meter.task = task;
    if (task !== "text-generation")
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${task} does not stream`);
    const signal = call.deadline();
    const { path, body } = this.generationRequest(call, true);
    const response = await this.post(path, body, signal);
    if (!response.body) throw unreachable(this.options.url, new Error("no response body"));
    const where = this.options.url;
    const usage = { prompt: 0 };
    const events = readEventData(response.body);
    const chunks: AsyncIterable<StreamChunk> = {
      async *[Symbol.asyncIterator]() {
        let finished = false;
        try {
          while (true) {
            const next = await events.next();
            if (next.done) {
              if (!next.value && !finished)
                throw unreachable(where, new Error("the stream ended before its end"));
              return;
            }
            const event = JSON.parse(next.value) as Record<string, unknown>;
            if (event.error !== undefined) {
              throw upstreamError(where, 502, messageOf(JSON.stringify({ error: event.error })));
            }
            if (isRecord(event.usage) && typeof event.usage.prompt_tokens === "number") {
              usage.prompt = event.usage.prompt_tokens;
              meterPromptTokens(call, usage.prompt);
            }
            const choice = Array.isArray(event.choices)
              ? (event.choices[0] as Record<string, unknown>)
              : undefined;
            if (!choice) continue;
            const delta = isRecord(choice.delta) ? choice.delta : undefined;
            const text = String((delta ? delta.content : choice.text) ?? "");
            const finish = choice.finish_reason ? finishReasonOf(choice.finish_reason) : undefined;
            if (finish) finished = true;
            if (text !== "")
              yield { text, tokenId: UNKNOWN_TOKEN_ID, ...(finish ? { finishReason: finish } : {}) };
            else if (finish) yield { text: "", finishReason: finish };
          }
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (HangarError.isInstance(error)) throw error;
          throw unreachable(where, error);
        } finally {
          await events.return(false).catch(() => {});
        }
      },
    };
    return {
      model: call.model,
      revision: call.model,
      task,
      get promptTokens() {
        return usage.prompt;
      },
      chunks,
    };
  }

  async health(signal: AbortSignal): Promise<BackendHealth> {
    return probe(`${this.options.url}/models`, this.headers(), signal);
  }
}

export function unsupported(task: string): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", `This deployment cannot do ${task}`, {
    details: { retryable: false },
  });
}

/** A GET that counts as healthy when the server answers below 500. */
export async function probe(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<BackendHealth> {
  const started = performance.now();
  try {
    const response = await upstreamFetch(url, { headers, signal });
    await response.body?.cancel().catch(() => {});
    const latencyMs = Math.round(performance.now() - started);
    if (response.status >= 500) return { ok: false, latencyMs, message: `answered ${response.status}` };
    return { ok: true, latencyMs };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      message: cause ?? (error as Error).message,
    };
  }
}
