import type { InferenceSession } from "onnxruntime-node";
import { HangarError } from "../../core/errors.ts";
import { isBatchableTask, PIPELINE_OF_TASK } from "../../core/local-tasks.ts";
import {
  answerQuestions,
  callTexts,
  classify,
  classifyZeroShot,
  embed,
  fillMasks,
  tagTokens,
} from "./encoder-tasks.ts";
import { promptOf, streamTokens } from "./generate-tokens.ts";
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
import { type TokenMarkers, tokenMarkers } from "./token-offsets.ts";
import { tasksOf, weightFile } from "./transformers-tasks.ts";
import type {
  AnyPipeline,
  TokenizerOutput,
  TransformersModelParts,
  TransformersModule,
} from "./transformers-types.ts";

let transformersModule: Promise<TransformersModule> | undefined;

/** transformers.js and onnxruntime load on the first model load, not with every Hangar (CLI commands stay fast). */
function loadTransformers(): Promise<TransformersModule> {
  transformersModule ??= import("@huggingface/transformers");
  return transformersModule;
}

/** Memory a session takes beyond its weight bytes (graph, arenas, tokenizer), as a factor. */
const MEMORY_FACTOR = 1.5;

class TransformersModel implements LoadedModel, TransformersModelParts {
  readonly key: string;
  readonly tasks: readonly string[];
  readonly memoryBytes: number;
  readonly maxInputTokens: number | undefined;
  readonly main: AnyPipeline;
  /** Logit indices of an NLI model's entailment and contradiction labels, for zero-shot classification. */
  readonly entailmentId: number;
  readonly contradictionId: number;
  /** How the tokenizer marks word pieces and spaces, to place tokens in the text (QA, token classification). */
  readonly markers: TokenMarkers;
  private warmedUp = false;

  constructor(
    readonly library: TransformersModule,
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
    const prompt = promptOf(this, inputs);
    return this.main.tokenizer.encode(prompt.text, { add_special_tokens: !prompt.chat }).length;
  }

  tokenize(texts: string[], extra: Record<string, unknown> = {}): TokenizerOutput {
    return this.main.tokenizer(texts, {
      padding: true,
      truncation: true,
      ...(this.maxInputTokens ? { max_length: this.maxInputTokens } : {}),
      ...extra,
    });
  }

  /** One model call over padded texts, with the per-token logits and the token ids and mask of each row. */
  async tokenLogits(texts: string[]): Promise<{
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
    if (first.task === "question-answering") return answerQuestions(this, calls);
    if (first.task === "zero-shot-classification") return classifyZeroShot(this, calls);
    const texts: string[] = [];
    const spans = calls.map((call) => {
      const start = texts.length;
      texts.push(...callTexts(call));
      return { start, end: texts.length };
    });
    let results: unknown[];
    switch (first.task) {
      case "text-classification":
        results = await classify(this, texts, first.parameters);
        break;
      case "token-classification":
        results = await tagTokens(this, texts, first.parameters);
        break;
      case "feature-extraction":
        results = await embed(this, texts, first.parameters);
        break;
      case "sentence-similarity":
        results = await embed(this, texts, { pooling: "mean", normalize: true });
        break;
      case "fill-mask":
        results = await fillMasks(this, texts, first.parameters);
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

  tokenText(id: number): string {
    return this.main.tokenizer._tokenizer?.id_to_token?.(id) ?? this.main.tokenizer.decode([id]);
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
    const prompt = promptOf(this, call.inputs);
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

  /** Generates token by token (see `streamTokens`). */
  stream(call: InferenceCall): AsyncIterable<StreamChunk> {
    return streamTokens(this, call);
  }

  async dispose(): Promise<void> {
    await this.main.dispose();
  }
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
