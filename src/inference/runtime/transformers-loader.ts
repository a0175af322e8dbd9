import type { Tensor } from "@huggingface/transformers";
import type { InferenceSession } from "onnxruntime-node";
import { HangarError } from "../../core/errors.ts";
import { isBatchableTask, PIPELINE_OF_TASK } from "../../core/local-tasks.ts";
import type { ChatMessage } from "../tasks/text-generation.ts";
import { bestAnswers } from "./answer-spans.ts";
import { configureTransformers, serveSource } from "./in-process-hub.ts";
import {
  type InferenceCall,
  type LoadedModel,
  type LoadOptions,
  type ModelLoader,
  type ModelRuntimeInfo,
  type ModelSource,
  modelKey,
  type StreamChunk,
} from "./model-loader.ts";
import { startsWord, type TokenMarkers, tokenMarkers, tokenOffsets } from "./token-offsets.ts";

type TransformersModule = typeof import("@huggingface/transformers");

let transformersModule: Promise<TransformersModule> | undefined;

/** transformers.js and onnxruntime load on the first model load, not with every Hangar (CLI commands stay fast). */
function loadTransformers(): Promise<TransformersModule> {
  transformersModule ??= import("@huggingface/transformers");
  return transformersModule;
}

/** Memory a session takes beyond its weight bytes (graph, arenas, tokenizer), as a factor. */
const MEMORY_FACTOR = 1.5;
const DEFAULT_MAX_NEW_TOKENS = 64;

// transformers.js has loose typings for pipelines, models and tokenizers; these are the parts Hangar uses.
interface TokenizerOutput {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}
interface Tokenizer {
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
interface Model {
  (inputs: TokenizerOutput): Promise<Record<string, Tensor>>;
  generate(options: Record<string, unknown>): Promise<Tensor>;
  config: Record<string, unknown> & { id2label?: Record<string, string>; problem_type?: string };
}
interface AnyPipeline {
  (...args: unknown[]): Promise<unknown>;
  model: Model;
  tokenizer: Tokenizer;
  dispose(): Promise<void>;
}

function tasksFromArchitectures(architectures: string[], config: Record<string, unknown>): string[] {
  const tasks: string[] = [];
  for (const architecture of architectures) {
    if (architecture.endsWith("ForSequenceClassification")) {
      tasks.push("text-classification");
      const labels = Object.keys((config.label2id as Record<string, number> | undefined) ?? {});
      if (labels.some((label) => label.toLowerCase() === "entailment"))
        tasks.push("zero-shot-classification");
    } else if (architecture.endsWith("ForTokenClassification")) tasks.push("token-classification");
    else if (architecture.endsWith("ForQuestionAnswering")) tasks.push("question-answering");
    else if (architecture.endsWith("ForMaskedLM")) tasks.push("fill-mask");
    else if (architecture.endsWith("ForCausalLM") || architecture.endsWith("LMHeadModel")) {
      tasks.push("text-generation");
    } else if (architecture.endsWith("Model")) tasks.push("feature-extraction", "sentence-similarity");
  }
  return tasks;
}

function weightFile(source: ModelSource): { path: string; dtype: "fp32" | "q8" } | undefined {
  const paths = new Set(source.files.map((file) => file.path));
  if (paths.has("onnx/model.onnx")) return { path: "onnx/model.onnx", dtype: "fp32" };
  if (paths.has("onnx/model_quantized.onnx")) return { path: "onnx/model_quantized.onnx", dtype: "q8" };
  return undefined;
}

function tasksOf(source: ModelSource): string[] {
  const paths = new Set(source.files.map((file) => file.path));
  if (!["config.json", "tokenizer.json", "tokenizer_config.json"].every((path) => paths.has(path))) return [];
  if (!weightFile(source)) return [];
  const config = source.metadata.config ?? {};
  if (typeof config.model_type !== "string") return [];
  const architectures = Array.isArray(config.architectures) ? (config.architectures as string[]) : [];
  const fromArchitectures = tasksFromArchitectures(architectures, config);
  const pipelineTag = source.metadata.model?.pipelineTag ?? source.metadata.card?.pipelineTag ?? null;
  const tasks = fromArchitectures.length > 0 ? fromArchitectures : pipelineTag ? [pipelineTag] : [];
  if (tasks.includes("feature-extraction") && !tasks.includes("sentence-similarity")) {
    tasks.push("sentence-similarity");
  }
  const supported = tasks.filter((task) => task in PIPELINE_OF_TASK);
  // The model's own pipeline tag first: it is what a bare `POST /models/{id}` means.
  if (pipelineTag && supported.includes(pipelineTag)) {
    return [pipelineTag, ...supported.filter((task) => task !== pipelineTag)];
  }
  return [...new Set(supported)];
}

function softmax(values: number[]): number[] {
  // A loop rather than Math.max(...values): a fill-mask vocabulary has too many entries to spread.
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  const exps = values.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/** The vector scaled to length 1 (L2), in place; a zero vector stays zero. */
function unitLength(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

/** The rows of a [count, width] tensor (logits of classes, or of positions for QA). */
function rows(tensor: Tensor): number[][] {
  const [count, width] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, row) => Array.from(data.subarray(row * width, (row + 1) * width)));
}

function entityTag(label: string): { prefix: string; tag: string } {
  const match = /^([BIES])-(.+)$/.exec(label);
  return match ? { prefix: match[1]!, tag: match[2]! } : { prefix: "I", tag: label };
}

interface TokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
  continues: boolean;
}

class TransformersModel implements LoadedModel {
  readonly key: string;
  readonly tasks: readonly string[];
  readonly memoryBytes: number;
  readonly maxInputTokens: number | undefined;
  private readonly main: AnyPipeline;
  /** Logit indices of an NLI model's entailment and contradiction labels, for zero-shot classification. */
  private readonly entailmentId: number;
  private readonly contradictionId: number;
  /** How the tokenizer marks word pieces and spaces, to place tokens in the text (QA, token classification). */
  private readonly markers: TokenMarkers;
  private warmedUp = false;

  constructor(
    private readonly library: TransformersModule,
    source: ModelSource,
    tasks: string[],
    main: AnyPipeline,
    memoryBytes: number,
    private readonly sessionOptions: Readonly<InferenceSession.SessionOptions>,
  ) {
    this.key = modelKey(source);
    this.tasks = tasks;
    this.main = main;
    this.memoryBytes = memoryBytes;
    const config = main.model.config;
    const limits = [
      main.tokenizer.model_max_length,
      config.max_position_embeddings,
      config.n_positions,
      config.max_seq_len,
    ].filter((value): value is number => typeof value === "number" && value > 0 && value < 1_000_000);
    this.maxInputTokens = limits.length > 0 ? Math.min(...limits) : undefined;
    // As transformers.js's zero-shot pipeline reads them: label names in any case, these defaults otherwise.
    const label2id = Object.fromEntries(
      Object.entries((config.label2id as Record<string, number> | undefined) ?? {}).map(([label, id]) => [
        label.toLowerCase(),
        id,
      ]),
    );
    this.entailmentId = label2id.entailment ?? 2;
    this.contradictionId = label2id.contradiction ?? label2id.not_entailment ?? 0;
    this.markers = tokenMarkers(main.tokenizer._tokenizerJSON);
  }

  get runtime(): ModelRuntimeInfo {
    return { sessionOptions: this.sessionOptions, warmedUp: this.warmedUp };
  }

  /** One short run, so the first request does not pay for the runtime's lazy initialisation. */
  async warmUp(): Promise<void> {
    const task = this.tasks[0]!;
    const mask = this.main.tokenizer.mask_token ?? "[MASK]";
    const inputs: Record<string, unknown> = {
      "question-answering": { question: "what", context: "hello" },
      "sentence-similarity": { source_sentence: "hello", sentences: ["hello"] },
      "fill-mask": `hello ${mask}`,
    };
    const parameters: Record<string, Record<string, unknown>> = {
      "text-generation": { max_new_tokens: 1 },
      "zero-shot-classification": { candidate_labels: ["hello"] },
      "fill-mask": { top_k: 1 },
    };
    await this.run({
      task,
      inputs: inputs[task] ?? "hello",
      parameters: parameters[task] ?? {},
      signal: new AbortController().signal,
    });
    this.warmedUp = true;
  }

  countTokens(text: string): number {
    return this.main.tokenizer.encode(text).length;
  }

  countPromptTokens(task: string, inputs: unknown): number {
    if (task !== "text-generation") return Number.NaN;
    const prompt = this.prompt(inputs);
    return this.main.tokenizer.encode(prompt.text, { add_special_tokens: !prompt.chat }).length;
  }

  private tokenize(texts: string[], extra: Record<string, unknown> = {}): TokenizerOutput {
    return this.main.tokenizer(texts, {
      padding: true,
      truncation: true,
      ...(this.maxInputTokens ? { max_length: this.maxInputTokens } : {}),
      ...extra,
    });
  }

  /** One model call over padded texts, with the per-token logits and the token ids and mask of each row. */
  private async tokenLogits(texts: string[]): Promise<{
    length: number;
    width: number;
    data: Float32Array;
    ids: bigint[][];
    mask: bigint[][];
  }> {
    const encoded = this.tokenize(texts);
    const { logits } = await this.main.model(encoded);
    const [, length, width] = logits!.dims as [number, number, number];
    return {
      length,
      width,
      data: logits!.data as Float32Array,
      ids: encoded.input_ids.tolist() as bigint[][],
      mask: encoded.attention_mask.tolist() as bigint[][],
    };
  }

  async run(call: InferenceCall): Promise<unknown> {
    if (this.tasks.includes(call.task) && isBatchableTask(call.task)) {
      const [output] = await this.runBatch([call]);
      if (output instanceof Error) throw output;
      return output;
    }
    if (call.task === "text-generation" && this.tasks.includes(call.task)) return this.generate(call);
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${this.key} cannot do ${call.task}`);
  }

  /**
   * Calls share one task and parameters; every text (or text pair) of every call goes through the model
   * at once. A call whose input the model cannot take gets an Error as its output; the others still run.
   */
  async runBatch(calls: readonly InferenceCall[]): Promise<unknown[]> {
    const first = calls[0];
    if (!first) return [];
    if (first.task === "question-answering") return this.answerQuestions(calls);
    if (first.task === "zero-shot-classification") return this.classifyZeroShot(calls);
    const texts: string[] = [];
    const spans = calls.map((call) => {
      const start = texts.length;
      texts.push(...callTexts(call));
      return { start, end: texts.length };
    });
    let results: unknown[];
    switch (first.task) {
      case "text-classification":
        results = await this.classify(texts, first.parameters);
        break;
      case "token-classification":
        results = await this.tagTokens(texts, first.parameters);
        break;
      case "feature-extraction":
        results = await this.embed(texts, first.parameters);
        break;
      case "sentence-similarity":
        results = await this.embed(texts, { pooling: "mean", normalize: true });
        break;
      case "fill-mask":
        results = await this.fillMasks(texts, first.parameters);
        break;
      default:
        throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${first.task} cannot be batched`);
    }
    return calls.map((call, index) => {
      const { start, end } = spans[index]!;
      const own = results.slice(start, end);
      const failure = own.find((result) => result instanceof Error);
      if (failure) return failure;
      if (call.task === "sentence-similarity") {
        const [source, ...others] = own as number[][];
        return others.map((vector) => vector.reduce((sum, value, i) => sum + value * source![i]!, 0));
      }
      return Array.isArray(call.inputs) ? own : own[0];
    });
  }

  private async classify(texts: string[], parameters: Record<string, unknown>): Promise<unknown[]> {
    const { logits } = await this.main.model(this.tokenize(texts));
    const config = this.main.model.config;
    const labelOf = (index: number) => config.id2label?.[index] ?? `LABEL_${index}`;
    return rows(logits!).map((row) => {
      const method =
        (parameters.function_to_apply as string | undefined) ??
        (config.problem_type === "multi_label_classification" || row.length === 1 ? "sigmoid" : "softmax");
      const scores = method === "softmax" ? softmax(row) : method === "sigmoid" ? row.map(sigmoid) : row;
      const ranked = scores
        .map((score, index) => ({ label: labelOf(index), score }))
        .sort((a, b) => b.score - a.score);
      return ranked.slice(0, (parameters.top_k as number | undefined) ?? ranked.length);
    });
  }

  private async tagTokens(texts: string[], parameters: Record<string, unknown>): Promise<unknown[]> {
    const { length, width: labels, data, ids, mask } = await this.tokenLogits(texts);
    const special = new Set(this.main.tokenizer.all_special_ids.map(Number));
    const config = this.main.model.config;
    const ignore = (parameters.ignore_labels as string[] | undefined) ?? ["O"];
    const aggregate = (parameters.aggregation_strategy as string | undefined) !== "none";
    return texts.map((text, row) => {
      const positions: number[] = [];
      for (let position = 0; position < length; position++) {
        const id = Number(ids[row]![position]);
        if (mask[row]![position] && !special.has(id)) positions.push(position);
      }
      const spans = tokenOffsets(
        text,
        positions.map((position) => this.tokenText(Number(ids[row]![position]))),
        this.markers,
      );
      let cursor = 0;
      const tokens: TokenEntity[] = positions.map((position, index) => {
        // A token that cannot be placed takes no characters, where the previous one ended.
        const span = spans[index] ?? { start: cursor, end: cursor };
        cursor = span.end;
        const offset = (row * length + position) * labels;
        const scores = softmax(Array.from(data.subarray(offset, offset + labels)));
        const best = scores.indexOf(Math.max(...scores));
        return {
          entity: config.id2label?.[best] ?? `LABEL_${best}`,
          score: scores[best]!,
          index: position,
          word: text.slice(span.start, span.end),
          start: span.start,
          end: span.end,
          continues: spans[index] !== null && !startsWord(text, span.start),
        };
      });
      if (!aggregate) {
        return tokens
          .filter((token) => !ignore.includes(token.entity))
          .map(({ entity, score, index, word, start, end }) => ({ entity, score, index, word, start, end }));
      }
      return groupEntities(tokens, text, ignore);
    });
  }

  private tokenText(id: number): string {
    return this.main.tokenizer._tokenizer?.id_to_token?.(id) ?? this.main.tokenizer.decode([id]);
  }

  /**
   * Token vectors from the model, pooled here rather than by transformers.js's feature-extraction pipeline:
   * its mean pooling walks the hidden states column by column converting every int64 mask value to a
   * number, about 2.5 ms per 128-token BERT-base text on the event loop (50 ms for a batch of 16), ten
   * times what a row-by-row sum costs. Same results: mean over the unmasked tokens, [CLS], or every token.
   */
  private async embed(texts: string[], parameters: Record<string, unknown>): Promise<unknown[]> {
    const encoded = this.tokenize(texts);
    const outputs = await this.main.model(encoded);
    const states = outputs.last_hidden_state ?? outputs.logits ?? outputs.token_embeddings;
    if (!states) throw new HangarError("HANGAR_ERR_INTERNAL", `${this.key} gave no token vectors`);
    const [count, length, width] = states.dims as [number, number, number];
    const data = states.data as Float32Array;
    const mask = encoded.attention_mask.data as ArrayLike<number | bigint>;
    const pooling = (parameters.pooling as string | undefined) ?? "mean";
    const normalize = (parameters.normalize as boolean | undefined) ?? false;
    const finish = (vector: Float32Array): number[] => Array.from(normalize ? unitLength(vector) : vector);
    return Array.from({ length: count }, (_, row) => {
      const kept: number[] = [];
      for (let position = 0; position < length; position++) {
        if (Number(mask[row * length + position]) !== 0) kept.push(position);
      }
      const tokenVector = (position: number) => {
        const start = (row * length + position) * width;
        return data.slice(start, start + width);
      };
      if (pooling === "none") return kept.map((position) => finish(tokenVector(position)));
      if (pooling === "cls") return finish(tokenVector(0));
      const sums = new Float64Array(width);
      for (const position of kept) {
        const start = (row * length + position) * width;
        for (let i = 0; i < width; i++) sums[i]! += data[start + i]!;
      }
      const mean = new Float32Array(width);
      for (let i = 0; i < width; i++) mean[i] = sums[i]! / kept.length;
      return finish(mean);
    });
  }

  /**
   * Fill-mask as transformers.js's pipeline does it (softmax over the vocabulary at the first mask token,
   * the best `top_k` tokens, the text with each put in), for every text at once. A text without the mask
   * token gets an Error, so it fails alone.
   */
  private async fillMasks(texts: string[], parameters: Record<string, unknown>): Promise<unknown[]> {
    const tokenizer = this.main.tokenizer;
    const maskId = tokenizer.mask_token_id;
    if (maskId === undefined || maskId === null) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${this.key} has no mask token`);
    }
    const { length, width: vocabulary, data, ids, mask } = await this.tokenLogits(texts);
    const topK = (parameters.top_k as number | undefined) ?? 5;
    return texts.map((_, row) => {
      const rowIds = ids[row]!;
      const position = rowIds.findIndex((id) => Number(id) === maskId);
      if (position < 0) {
        return new HangarError(
          "HANGAR_ERR_BAD_REQUEST",
          `"inputs" must contain the mask token ${tokenizer.mask_token ?? ""}`.trimEnd(),
        );
      }
      const offset = (row * length + position) * vocabulary;
      const scores = softmax(Array.from(data.subarray(offset, offset + vocabulary)));
      return bestIndices(scores, topK).map((token) => {
        const filled = rowIds.map((id, index) => (index === position ? BigInt(token) : id));
        return {
          score: scores[token]!,
          token,
          token_str: tokenizer.decode([token]),
          sequence: tokenizer.decode(
            filled.filter((_, index) => Number(mask[row]![index]) !== 0),
            { skip_special_tokens: true },
          ),
        };
      });
    });
  }

  /**
   * Extractive QA for every (question, context) pair at once: one model call, then the best spans of each
   * row's context tokens (see `bestAnswers`), cut from the context at the tokens' character offsets.
   */
  private async answerQuestions(calls: readonly InferenceCall[]): Promise<unknown[]> {
    const pairs = calls.map((call) => call.inputs as { question: string; context: string });
    const encoded = this.tokenize(
      pairs.map((pair) => pair.question),
      { text_pair: pairs.map((pair) => pair.context) },
    );
    const outputs = await this.main.model(encoded);
    const startRows = rows(outputs.start_logits!);
    const endRows = rows(outputs.end_logits!);
    const ids = encoded.input_ids.tolist() as bigint[][];
    const mask = encoded.attention_mask.tolist() as bigint[][];
    const tokenizer = this.main.tokenizer;
    const special = new Set(tokenizer.all_special_ids.map(Number));
    return calls.map((call, row) => {
      const rowIds = ids[row]!.map(Number);
      const real = (index: number) => Number(mask[row]![index]) !== 0;
      // Padding may sit on either side; the pipeline's "position 0" is the first real token.
      const first = rowIds.findIndex((_, index) => real(index));
      const separator = rowIds.findIndex((id, index) => real(index) && id === tokenizer.sep_token_id);
      const positions = rowIds
        .map((_, index) => index)
        .filter((index) => index > first && real(index) && index > separator && !special.has(rowIds[index]!));
      const { context } = pairs[row]!;
      const spans = tokenOffsets(
        context,
        positions.map((position) => this.tokenText(rowIds[position]!)),
        this.markers,
      );
      const topK = (call.parameters.top_k as number | undefined) ?? 1;
      const answers = bestAnswers({
        context,
        startLogits: startRows[row]!,
        endLogits: endRows[row]!,
        contextTokens: positions.map((position, index) => ({ position, span: spans[index]! })),
        noAnswerPosition: first,
        count: topK,
      });
      if (topK > 1) return answers;
      return answers[0] ?? { answer: "", score: 0, start: 0, end: 0 };
    });
  }

  /**
   * Zero-shot classification as transformers.js's pipeline scores it (the entailment logit of each
   * (text, "This example is {label}.") pair, softmaxed over the labels, or entailment against contradiction
   * per label with `multi_label`), but with every pair of every call in one model call instead of one call
   * per pair.
   */
  private async classifyZeroShot(calls: readonly InferenceCall[]): Promise<unknown[]> {
    const premises: string[] = [];
    const hypotheses: string[] = [];
    const requests = calls.map((call) => {
      const labels = call.parameters.candidate_labels as string[];
      const template = (call.parameters.hypothesis_template as string | undefined) ?? "This example is {}.";
      const start = premises.length;
      for (const label of labels) {
        premises.push(call.inputs as string);
        hypotheses.push(template.replace("{}", label));
      }
      const eachOnItsOwn = call.parameters.multi_label === true || labels.length === 1;
      return { labels, start, eachOnItsOwn };
    });
    const { logits } = await this.main.model(this.tokenize(premises, { text_pair: hypotheses }));
    const pairLogits = rows(logits!);
    return requests.map(({ labels, start, eachOnItsOwn }) => {
      const own = pairLogits.slice(start, start + labels.length);
      const scores = eachOnItsOwn
        ? own.map((row) => softmax([row[this.contradictionId]!, row[this.entailmentId]!])[1]!)
        : softmax(own.map((row) => row[this.entailmentId]!));
      return scores
        .map((score, index) => ({ label: labels[index]!, score }))
        .sort((a, b) => b.score - a.score);
    });
  }

  /** The prompt as the model sees it: the chat template applied to messages, or the text itself. */
  private prompt(inputs: unknown): { text: string; chat: boolean } {
    if (typeof inputs === "string") return { text: inputs, chat: false };
    const tokenizer = this.main.tokenizer;
    if (!tokenizer.chat_template) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `${this.key} has no chat template in tokenizer_config.json: send a prompt string instead of messages`,
      );
    }
    const text = tokenizer.apply_chat_template(inputs as ChatMessage[], {
      tokenize: false,
      add_generation_prompt: true,
    });
    return { text, chat: true };
  }

  async generate(call: InferenceCall): Promise<unknown> {
    let text = "";
    let completionTokens = 0;
    let finishReason = "length";
    for await (const chunk of this.stream(call)) {
      text += chunk.text;
      if (chunk.tokenId !== undefined) completionTokens++;
      if (chunk.finishReason) finishReason = chunk.finishReason;
    }
    const prompt = this.prompt(call.inputs);
    const full = call.parameters.return_full_text === true && !prompt.chat;
    return {
      generated_text: full ? prompt.text + text : text,
      finish_reason: finishReason,
      usage: {
        prompt_tokens: this.countPromptTokens(call.task, call.inputs),
        completion_tokens: completionTokens,
      },
    };
  }

  /**
   * Generates token by token. Each chunk carries one token and the text it adds (decoding the whole
   * continuation each time, so multi-byte characters and word-piece joins come out right). Aborting the
   * call's signal stops the model at the next token; stop sequences end the text where they start.
   */
  stream(call: InferenceCall): AsyncIterable<StreamChunk> {
    const tokenizer = this.main.tokenizer;
    const prompt = this.prompt(call.inputs);
    const encoded = tokenizer(prompt.text, { add_special_tokens: !prompt.chat });
    const maxNewTokens = (call.parameters.max_new_tokens as number | undefined) ?? DEFAULT_MAX_NEW_TOKENS;
    const stops = (call.parameters.stop as string[] | undefined) ?? [];
    const criteria = new this.library.InterruptableStoppingCriteria();
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
    const streamer = new (class extends this.library.BaseStreamer {
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
      [this.main.model.config.eos_token_id].flat().filter((id) => typeof id === "number") as number[],
    );
    const generation = this.main.model
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

  async dispose(): Promise<void> {
    await this.main.dispose();
  }
}

function pickDefined(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => values[name] !== undefined).map((n) => [n, values[n]]));
}

/** Indices of the `count` highest scores, highest first; equal scores keep their order (lower index first). */
function bestIndices(scores: readonly number[], count: number): number[] {
  const best: number[] = [];
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index]!;
    if (best.length === count && score <= scores[best[count - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]!]! < score) at--;
    best.splice(at, 0, index);
    if (best.length > count) best.pop();
  }
  return best;
}

/**
 * The `count` best spans (start <= end, both among `positions`, ascending) by start score times end score,
 * best first; equal scores keep the order start by start, end by end, as the pipeline's stable sort does.
 */
function callTexts(call: InferenceCall): string[] {
  if (call.task === "sentence-similarity") {
    const inputs = call.inputs as { source_sentence: string; sentences: string[] };
    return [inputs.source_sentence, ...inputs.sentences];
  }
  return Array.isArray(call.inputs) ? (call.inputs as string[]) : [call.inputs as string];
}

/** BIO groups: B- starts an entity, I- of the same type and word pieces continue it. */
function groupEntities(tokens: TokenEntity[], text: string, ignore: string[]): unknown[] {
  const groups: Array<{ tag: string; scores: number[]; start: number; end: number }> = [];
  let open: { tag: string; scores: number[]; start: number; end: number } | undefined;
  for (const token of tokens) {
    const { prefix, tag } = entityTag(token.entity);
    if (token.continues && open) {
      open.scores.push(token.score);
      open.end = token.end;
      continue;
    }
    if (ignore.includes(token.entity)) {
      open = undefined;
      continue;
    }
    if (open && open.tag === tag && prefix !== "B" && prefix !== "S") {
      open.scores.push(token.score);
      open.end = token.end;
    } else {
      open = { tag, scores: [token.score], start: token.start, end: token.end };
      groups.push(open);
    }
    if (prefix === "E" || prefix === "S") open = undefined;
  }
  return groups.map((group) => ({
    entity_group: group.tag,
    score: group.scores.reduce((sum, score) => sum + score, 0) / group.scores.length,
    word: text.slice(group.start, group.end),
    start: group.start,
    end: group.end,
  }));
}

/** Text models in the Hugging Face layout (`config.json`, tokenizer files, `onnx/model.onnx`) via transformers.js. */
export const transformersLoader: ModelLoader = {
  name: "transformers.js",
  tasksFor: tasksOf,
  async load(source: ModelSource, options: LoadOptions): Promise<LoadedModel> {
    const tasks = tasksOf(source);
    const weights = weightFile(source);
    if (tasks.length === 0 || !weights) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `transformers.js cannot load ${source.repo.id}`);
    }
    const library = await loadTransformers();
    configureTransformers(library);
    const withdraw = serveSource(source);
    let loaded: AnyPipeline | undefined;
    // transformers.js hands these to onnxruntime's InferenceSession.create for each session of the model.
    const sessionOptions: InferenceSession.SessionOptions = {
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      // onnxruntime's intra-op threads busy-wait between operators by default. In a server they spin on
      // the cores that the event loop (JSON, HTTP, pooling) and other models need: on a loaded 2-core
      // machine BERT-base took 346 ms per request with spinning, 235 ms without (bench:inference probes).
      extra: { session: { intra_op: { allow_spinning: "0" } } },
    };
    try {
      loaded = (await library.pipeline(PIPELINE_OF_TASK[tasks[0]!] as "text-classification", source.repo.id, {
        revision: source.commit.oid,
        dtype: weights.dtype,
        session_options: sessionOptions,
      })) as unknown as AnyPipeline;
      const size = (path: string) => source.files.find((file) => file.path === path)?.size ?? 0;
      const memory = Math.round(size(weights.path) * MEMORY_FACTOR + size("tokenizer.json"));
      const model = new TransformersModel(library, source, tasks, loaded, memory, sessionOptions);
      await model.warmUp();
      return model;
    } catch (error) {
      await loaded?.dispose().catch(() => {});
      if (HangarError.isInstance(error)) throw error;
      throw new HangarError(
        "HANGAR_ERR_MODEL_LOAD_FAILED",
        `Model ${source.repo.id} at ${source.commit.oid.slice(0, 12)} could not be loaded: ${(error as Error).message ?? error}`,
        { cause: error },
      );
    } finally {
      withdraw();
    }
  },
};
