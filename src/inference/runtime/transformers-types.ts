import type { Tensor } from "@huggingface/transformers";
import type { ChatMessage } from "../tasks/text-generation.ts";
import type { TokenMarkers } from "./token-offsets.ts";

export type TransformersModule = typeof import("@huggingface/transformers");

// transformers.js has loose typings for pipelines, models and tokenizers; these are the parts Hangar uses.
export interface TokenizerOutput {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}
export interface Tokenizer {
  (texts: string | string[], options?: Record<string, unknown>): TokenizerOutput;
  decode(ids: ArrayLike<number | bigint>, options?: Record<string, unknown>): string;
  encode(text: string, options?: Record<string, unknown>): number[];
  apply_chat_template(messages: ChatMessage[], options: Record<string, unknown>): string;
  all_special_ids: number[];
  mask_token?: string | null;
  mask_token_id?: number | null;
  sep_token_id?: number | null;
  model_max_length?: number;
  /** The tokenizers-library object underneath (transformers.js v4). */
  _tokenizer?: { id_to_token?(id: number): string | undefined };
  /** The parsed tokenizer.json, for the word-piece and space markers of its vocabulary. */
  _tokenizerJSON?: unknown;
  chat_template?: unknown;
}
export interface Model {
  (inputs: TokenizerOutput): Promise<Record<string, Tensor>>;
  generate(options: Record<string, unknown>): Promise<Tensor>;
  config: Record<string, unknown> & { id2label?: Record<string, string>; problem_type?: string };
}
export interface AnyPipeline {
  (...args: unknown[]): Promise<unknown>;
  model: Model;
  tokenizer: Tokenizer;
  dispose(): Promise<void>;
}

/** What the task functions (encoder-tasks.ts, generate-tokens.ts) use of a model loaded by transformers.js. */
export interface TransformersModelParts {
  readonly key: string;
  readonly library: TransformersModule;
  readonly main: AnyPipeline;
  /** Logit indices of an NLI model's entailment and contradiction labels, for zero-shot classification. */
  readonly entailmentId: number;
  readonly contradictionId: number;
  /** How the tokenizer marks word pieces and spaces, to place tokens in the text (QA, token classification). */
  readonly markers: TokenMarkers;
  tokenize(texts: string[], extra?: Record<string, unknown>): TokenizerOutput;
  tokenLogits(texts: string[]): Promise<{
    length: number;
    width: number;
    data: Float32Array;
    ids: bigint[][];
    mask: bigint[][];
  }>;
  tokenText(id: number): string;
}
