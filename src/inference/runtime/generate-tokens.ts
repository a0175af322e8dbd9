import { HangarError } from "../../core/errors.ts";
import type { ChatMessage } from "../tasks/text-generation.ts";
import type { InferenceCall, StreamChunk } from "./model-loader.ts";
import type { TransformersModelParts } from "./transformers-types.ts";

const DEFAULT_MAX_NEW_TOKENS = 64;

/** The prompt as the model sees it: the chat template applied to messages, or the text itself. */
export function promptOf(model: TransformersModelParts, inputs: unknown): { text: string; chat: boolean } {
  if (typeof inputs === "string") return { text: inputs, chat: false };
  const tokenizer = model.main.tokenizer;
  if (!tokenizer.chat_template) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `${model.key} has no chat template in tokenizer_config.json: send a prompt string instead of messages`,
    );
  }
  const text = tokenizer.apply_chat_template(inputs as ChatMessage[], {
    tokenize: false,
    add_generation_prompt: true,
  });
  return { text, chat: true };
}

/**
 * Generates token by token. Each chunk carries one token and the text it adds (decoding the whole
 * continuation each time, so multi-byte characters and word-piece joins come out right). Aborting the
 * call's signal stops the model at the next token; stop sequences end the text where they start.
 */
export function streamTokens(model: TransformersModelParts, call: InferenceCall): AsyncIterable<StreamChunk> {
  const tokenizer = model.main.tokenizer;
  const prompt = promptOf(model, call.inputs);
  const encoded = tokenizer(prompt.text, { add_special_tokens: !prompt.chat });
  const maxNewTokens = (call.parameters.max_new_tokens as number | undefined) ?? DEFAULT_MAX_NEW_TOKENS;
  const stops = (call.parameters.stop as string[] | undefined) ?? [];
  const criteria = new model.library.InterruptableStoppingCriteria();
  const queue: StreamChunk[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: unknown;
  let generatedIds: number[] = [];
  let emitted = "";
  let stopped = false;
  let promptSeen = false;
  const push = (chunk: StreamChunk) => {
    queue.push(chunk);
    wake?.();
  };
  const streamer = new (class extends model.library.BaseStreamer {
    override put(value: bigint[][]): void {
      // generate() first puts the prompt, then one token per step.
      if (!promptSeen) {
        promptSeen = true;
        return;
      }
      if (stopped) return;
      const tokenId = Number(value[0]?.[0]);
      generatedIds = [...generatedIds, tokenId];
      let text = tokenizer.decode(generatedIds, { skip_special_tokens: true });
      const stopAt = stops.map((stop) => text.indexOf(stop)).filter((index) => index >= 0);
      if (stopAt.length > 0) {
        text = text.slice(0, Math.min(...stopAt));
        stopped = true;
        criteria.interrupt();
      }
      // A trailing replacement character is half of a multi-byte character: wait for the rest.
      const settled = text.endsWith("\uFFFD") && !stopped ? emitted : text;
      const delta = settled.startsWith(emitted) ? settled.slice(emitted.length) : "";
      emitted = settled.startsWith(emitted) ? settled : emitted;
      push({ text: delta, tokenId, ...(stopped ? { finishReason: "stop" } : {}) });
    }
    override end(): void {}
  })();
  const onAbort = () => criteria.interrupt();
  call.signal.addEventListener("abort", onAbort, { once: true });
  const eosIds = new Set(
    [model.main.model.config.eos_token_id].flat().filter((id) => typeof id === "number") as number[],
  );
  const generation = model.main.model
    .generate({
      ...encoded,
      max_new_tokens: maxNewTokens,
      do_sample: call.parameters.do_sample ?? false,
      ...pickDefined(call.parameters, ["temperature", "top_p", "top_k", "repetition_penalty"]),
      streamer,
      stopping_criteria: [criteria],
    })
    .then(
      () => {
        const last = generatedIds.at(-1);
        if (!stopped && last !== undefined && eosIds.has(last)) push({ text: "", finishReason: "stop" });
      },
      (error: unknown) => {
        failure = error;
      },
    )
    .finally(() => {
      call.signal.removeEventListener("abort", onAbort);
      done = true;
      wake?.();
    });
  return {
    async *[Symbol.asyncIterator]() {
      try {
        while (true) {
          const chunk = queue.shift();
          if (chunk) {
            yield chunk;
            continue;
          }
          if (done) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        if (failure) throw failure;
      } finally {
        // A consumer that stops early (client gone) stops the model too.
        criteria.interrupt();
        await generation;
      }
    },
  };
}

function pickDefined(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => values[name] !== undefined).map((n) => [n, values[n]]));
}
