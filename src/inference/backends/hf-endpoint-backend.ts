import type { BackendCall, BackendHealth, BackendResult, InferenceBackend } from "../backend.ts";
import type { InferenceStream } from "../inference-types.ts";
import { isRecord } from "../tasks/task-definition.ts";
import { messageOf, retryAfterMs, unreachable, upstreamError } from "./backend-errors.ts";
import { OpenAiBackend, probe } from "./openai-backend.ts";
import { type UpstreamText, upstreamText } from "./upstream-fetch.ts";

export interface HfEndpointOptions {
  /** A dedicated Inference Endpoint's URL, or another Hangar's `{url}/models/{namespace}/{name}`. */
  url: string;
  apiKey?: () => string | undefined;
}

/**
 * A Hugging Face route by URL: an Inference Endpoint (TGI, TEI, the inference toolkit) or another Hangar's
 * `/models/{id}`. Text generation goes through its OpenAI routes (`{url}/v1/...`); other tasks post
 * `{inputs, parameters}` to the URL itself, as the Hub's serverless API takes them.
 */
export class HfEndpointBackend implements InferenceBackend {
  readonly kind = "hf-endpoint" as const;
  private readonly generation: OpenAiBackend;

  constructor(private readonly options: HfEndpointOptions) {
    this.generation = new OpenAiBackend({
      url: `${options.url}/v1`,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    });
  }

  supports(): boolean {
    return true;
  }

  async run(call: BackendCall): Promise<BackendResult> {
    const task = call.task ?? "text-generation";
    if (task === "text-generation") return this.generation.run(call);
    call.meter.task = task;
    const signal = call.deadline();
    const key = this.options.apiKey?.();
    let response: UpstreamText;
    try {
      response = await upstreamText(this.options.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({
          inputs: call.inputs,
          ...(isRecord(call.parameters) && Object.keys(call.parameters).length > 0
            ? { parameters: call.parameters }
            : {}),
        }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw unreachable(this.options.url, error);
    }
    const { text, headers } = response;
    if (response.status < 200 || response.status > 299) {
      const retryAfter = headers["retry-after"];
      throw upstreamError(
        this.options.url,
        response.status,
        messageOf(text),
        retryAfterMs(typeof retryAfter === "string" ? retryAfter : null),
      );
    }
    const outputs = JSON.parse(text) as unknown;
    const commit = headers["x-repo-commit"];
    return {
      model: call.model,
      revision: typeof commit === "string" ? commit : call.model,
      task,
      outputs,
      usage: {
        input_units: 0,
        output_units: Array.isArray(outputs) ? outputs.length : 1,
        unit: "characters",
        output_unit: "outputs",
        latency_ms: 0,
      },
    };
  }

  stream(call: BackendCall): Promise<InferenceStream> {
    return this.generation.stream(call);
  }

  health(signal: AbortSignal): Promise<BackendHealth> {
    const key = this.options.apiKey?.();
    return probe(this.options.url, key ? { Authorization: `Bearer ${key}` } : {}, signal);
  }
}
