import {
  InferenceClient,
  InferenceClientHubApiError,
  InferenceClientInputError,
  InferenceClientProviderApiError,
} from "@huggingface/inference";
import { HangarError } from "../../core/errors.ts";
import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import type { InferenceStream } from "../inference-types.ts";
import type { StreamChunk } from "../runtime/model-loader.ts";
import { isRecord } from "../tasks/task-definition.ts";
import { messageOf, unreachable, upstreamError } from "./backend-errors.ts";
import { probe, UNKNOWN_TOKEN_ID, unsupported } from "./openai-backend.ts";
import { type GenerationOutput, generationResult, meterPromptTokens, tokenUsage } from "./token-usage.ts";

/** Where `@huggingface/inference` sends requests; a deployment may point them elsewhere (`url`, `hub_url`). */
const HF_ROUTER = "https://router.huggingface.co";
const HF_HUB = "https://huggingface.co";

/** Suffixes of a model id that ask the Providers router to choose: `org/name:fastest`. */
const POLICY_SUFFIXES = ["fastest", "cheapest", "preferred"];

export interface HfProvidersOptions {
  /** `org/name`, optionally with `:fastest`, `:cheapest`, `:preferred` or `:<provider>`. */
  model: string;
  /** A provider name, or `auto` (the user's order of providers on the Hub). */
  provider: string;
  /** The router's base URL (default https://router.huggingface.co). */
  routerUrl?: string;
  /** The Hub that holds provider mappings (default https://huggingface.co). */
  hubUrl?: string;
  /** An `hf_` token (billed through the router) or a provider's own key, read when a call is made. */
  token: () => string | undefined;
}

/** The client's task method for each task Hangar's API knows, with how it takes `inputs` and `parameters`. */
const TASK_METHODS: Record<string, string> = {
  "feature-extraction": "featureExtraction",
  "sentence-similarity": "sentenceSimilarity",
  "text-classification": "textClassification",
  "token-classification": "tokenClassification",
  "fill-mask": "fillMask",
  "question-answering": "questionAnswering",
  "zero-shot-classification": "zeroShotClassification",
  summarization: "summarization",
  translation: "translation",
};

/** The client's errors as the caller should see them: the provider's status and message. */
function asUpstreamError(where: string, error: unknown): unknown {
  if (error instanceof InferenceClientProviderApiError || error instanceof InferenceClientHubApiError) {
    const status = error.httpResponse.status;
    const body = error.httpResponse.body;
    return upstreamError(
      where,
      status,
      typeof body === "string" ? messageOf(body) : messageOf(JSON.stringify(body)),
    );
  }
  if (error instanceof InferenceClientInputError) {
    return new HangarError("HANGAR_ERR_BAD_REQUEST", `${where}: ${error.message}`, {
      details: { retryable: false },
    });
  }
  if (HangarError.isInstance(error)) return error;
  if ((error as Error)?.name === "AbortError" || (error as Error)?.name === "TimeoutError") return error;
  return unreachable(where, error);
}

/**
 * Hugging Face Inference Providers through `@huggingface/inference`: the client's own provider choice
 * (`auto`, a named provider, the `:fastest`/`:cheapest` policies of its router) and its request shapes; its
 * endless 503 retry is turned off, retries are the router's.
 */
export class HfProvidersBackend implements InferenceBackend {
  readonly kind = "hf-providers" as const;
  private readonly routerUrl: string;
  private readonly hubUrl: string;

  constructor(private readonly options: HfProvidersOptions) {
    this.routerUrl = (options.routerUrl ?? HF_ROUTER).replace(/\/+$/, "");
    this.hubUrl = (options.hubUrl ?? HF_HUB).replace(/\/+$/, "");
  }

  supports(task: string): boolean {
    return task === "text-generation" || task in TASK_METHODS;
  }

  /** A fetch that sends the client's fixed hosts to the configured ones. */
  private readonly fetch: typeof fetch = (input, init) => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(HF_ROUTER)) url = this.routerUrl + url.slice(HF_ROUTER.length);
    else if (url.startsWith(HF_HUB)) url = this.hubUrl + url.slice(HF_HUB.length);
    return fetch(url, init);
  };

  private client(signal: AbortSignal) {
    const client = new InferenceClient(this.options.token(), { fetch: this.fetch, retry_on_error: false });
    return { client, options: { signal, fetch: this.fetch, retry_on_error: false } };
  }

  /** The model and provider for a call: chat keeps the router's suffix policies; other tasks resolve them. */
  private target(chat: boolean): { model: string; provider: string } {
    const [model, suffix] = this.options.model.split(":", 2) as [string, string | undefined];
    if (chat || suffix === undefined)
      return { model: chat ? this.options.model : model, provider: this.options.provider };
    return { model, provider: POLICY_SUFFIXES.includes(suffix) ? "auto" : suffix };
  }

  private generationArgs(call: BackendCall) {
    const parameters = isRecord(call.parameters) ? call.parameters : {};
    return {
      max_tokens: parameters.max_new_tokens as number | undefined,
      temperature: parameters.temperature as number | undefined,
      top_p: parameters.top_p as number | undefined,
      seed: parameters.seed as number | undefined,
      stop: (typeof parameters.stop === "string" ? [parameters.stop] : parameters.stop) as
        | string[]
        | undefined,
    };
  }

  async run(call: BackendCall): Promise<BackendResult> {
    const signal = call.deadline();
    const task = call.task ?? "text-generation";
    call.meter.task = task;
    if (!this.supports(task)) throw unsupported(task);
    const { client, options } = this.client(signal);
    try {
      if (task === "text-generation") {
        const chat = Array.isArray(call.inputs);
        const { model, provider } = this.target(chat);
        let output: GenerationOutput;
        if (chat) {
          const answer = await client.chatCompletion(
            {
              model,
              provider: provider as "auto",
              messages: call.inputs as never,
              ...this.generationArgs(call),
            },
            options,
          );
          const choice = answer.choices[0];
          output = {
            generated_text: String(choice?.message?.content ?? ""),
            finish_reason: choice?.finish_reason === "length" ? "length" : "stop",
            usage: tokenUsage(answer.usage),
          };
        } else {
          const parameters = isRecord(call.parameters) ? call.parameters : {};
          const answer = await client.textGeneration(
            { model, provider: provider as "auto", inputs: String(call.inputs), parameters },
            options,
          );
          output = {
            generated_text: answer.generated_text,
            finish_reason: "stop",
            usage: { prompt_tokens: 0, completion_tokens: 0 },
          };
        }
        return generationResult(call, output, {
          model: this.options.model,
          revision: this.options.model,
          task,
        });
      }
      const { model, provider } = this.target(false);
      const method = (
        client as unknown as Record<string, (args: unknown, options: unknown) => Promise<unknown>>
      )[TASK_METHODS[task]!]!;
      const parameters = isRecord(call.parameters) ? call.parameters : undefined;
      const outputs = await method.call(
        client,
        {
          model,
          provider,
          inputs: call.inputs,
          ...(parameters && Object.keys(parameters).length > 0 ? { parameters } : {}),
        },
        options,
      );
      const count = Array.isArray(outputs) ? outputs.length : 1;
      return {
        model: this.options.model,
        revision: this.options.model,
        task,
        outputs,
        usage: {
          input_units: 0,
          output_units: count,
          unit: "characters",
          output_unit: "outputs",
          latency_ms: 0,
        },
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw asUpstreamError(this.label, error);
    }
  }

  private get label(): string {
    return `Inference Providers (${this.options.provider}) ${this.options.model}`;
  }

  async stream(call: BackendCall): Promise<InferenceStream> {
    const task = call.task ?? "text-generation";
    call.meter.task = task;
    if (task !== "text-generation")
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${task} does not stream`);
    const signal = call.deadline();
    const { client, options } = this.client(signal);
    const chat = Array.isArray(call.inputs);
    const { model, provider } = this.target(chat);
    const usage = { prompt: 0 };
    const label = this.label;
    const source = chat
      ? client.chatCompletionStream(
          {
            model,
            provider: provider as "auto",
            messages: call.inputs as never,
            ...this.generationArgs(call),
            stream_options: { include_usage: true },
          },
          options,
        )
      : null;
    const textSource = chat
      ? null
      : client.textGenerationStream(
          {
            model,
            provider: provider as "auto",
            inputs: String(call.inputs),
            parameters: isRecord(call.parameters) ? call.parameters : {},
          },
          options,
        );
    const chunks: AsyncIterable<StreamChunk> = {
      async *[Symbol.asyncIterator]() {
        try {
          if (source) {
            for await (const event of source) {
              if (event.usage?.prompt_tokens !== undefined) {
                usage.prompt = event.usage.prompt_tokens;
                meterPromptTokens(call, usage.prompt);
              }
              const choice = event.choices?.[0];
              if (!choice) continue;
              const text = choice.delta?.content ?? "";
              const finish = choice.finish_reason
                ? choice.finish_reason === "length"
                  ? "length"
                  : "stop"
                : undefined;
              if (text !== "")
                yield { text, tokenId: UNKNOWN_TOKEN_ID, ...(finish ? { finishReason: finish } : {}) };
              else if (finish) yield { text: "", finishReason: finish };
            }
          } else if (textSource) {
            for await (const event of textSource) {
              if (event.token && !event.token.special)
                yield { text: event.token.text, tokenId: event.token.id };
            }
          }
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          throw asUpstreamError(label, error);
        }
      },
    };
    return {
      model: this.options.model,
      revision: this.options.model,
      task,
      get promptTokens() {
        return usage.prompt;
      },
      chunks,
    };
  }

  async health(signal: AbortSignal): Promise<BackendHealth> {
    const token = this.options.token();
    return probe(`${this.routerUrl}/v1/models`, token ? { Authorization: `Bearer ${token}` } : {}, signal);
  }
}
