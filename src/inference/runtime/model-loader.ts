import type { InferenceSession } from "onnxruntime-node";
import type { StoredCommit } from "../../core/catalog-types.ts";
import type { CommitMetadata, Repo, TreeFile } from "../../core/types.ts";

/**
 * A model as the runtime sees it: one repo at one commit, with its files and the metadata extracted at commit
 * time. Loaders read files through it, so every model comes from Hangar's own hub, never from outside.
 */
export interface ModelSource {
  repo: Repo;
  commit: StoredCommit;
  files: readonly TreeFile[];
  metadata: CommitMetadata;
  /** The bytes of a file of the commit. */
  readFile(path: string): Promise<Buffer>;
  /**
   * A local filesystem path holding the file's bytes (the blob, or a verified local copy of it when blobs
   * are not on this filesystem), for runtimes that open files themselves.
   */
  localPath(path: string): Promise<string>;
}

/** `namespace/name@commit`: a loaded model's key, the one the pool shares loads and unloads by. */
export function modelKey(source: ModelSource): string {
  return `${source.repo.id}@${source.commit.oid}`;
}

/** One call of a loaded model. */
export interface InferenceCall {
  task: string;
  inputs: unknown;
  parameters: Record<string, unknown>;
  /** Aborted when the client goes away or the request times out. */
  signal: AbortSignal;
}

/** A piece of streamed output (token generation). */
export interface StreamChunk {
  text: string;
  tokenId?: number;
  /** Set on the chunk that ends generation early: a stop sequence or the end-of-sequence token. */
  finishReason?: "stop" | "length";
}

/** How a loaded model's onnxruntime sessions were set up: what stats and tests can check. */
export interface ModelRuntimeInfo {
  /** The options the model's sessions were created with (`InferenceSession.create`), as the loader passed them. */
  readonly sessionOptions: Readonly<InferenceSession.SessionOptions>;
  /** Whether the loader made one short run at load, so the first request does not pay for lazy set-up. */
  readonly warmedUp: boolean;
}

/** A model loaded in memory, ready to run. */
export interface LoadedModel {
  /** `modelKey(source)`: `namespace/name@commit` */
  readonly key: string;
  /** Tasks (`@huggingface/tasks` ids) this model can do. */
  readonly tasks: readonly string[];
  /** Estimated resident memory, for the pool's budget. */
  readonly memoryBytes: number;
  run(call: InferenceCall): Promise<unknown>;
  /**
   * Runs several calls of one task with the same parameters as one batch (dynamic batching of encoder
   * tasks); resolves with one output per call, in order. An output that is an `Error` fails only its own
   * call (one bad input does not fail the requests it shared a batch with). Models without it run calls
   * one by one.
   */
  runBatch?(calls: readonly InferenceCall[]): Promise<unknown[]>;
  /** Session options and warm-up, for stats. */
  readonly runtime?: ModelRuntimeInfo;
  /** Longest input in tokens the model accepts, when it has a limit. */
  readonly maxInputTokens?: number;
  /** Tokens in a text, for metering and length checks (text models). */
  countTokens?(text: string): number;
  /**
   * Tokens the model itself sees for a call's inputs (a chat template applied to messages), when that differs
   * from counting the texts; used for length checks and usage.
   */
  countPromptTokens?(task: string, inputs: unknown): number;
  /** Token streaming, for generation tasks. */
  stream?(call: InferenceCall): AsyncIterable<StreamChunk>;
  dispose(): Promise<void>;
}

export interface LoadOptions {
  /** Threads for the ONNX session (intra-op). */
  threads?: number;
}

/** Knows how to load one family of models (transformers.js pipelines, Silero VAD, PaddleOCR...). */
export interface ModelLoader {
  readonly name: string;
  /** The tasks this loader would serve for the model, or none when it cannot load it. */
  tasksFor(source: ModelSource): string[];
  load(source: ModelSource, options: LoadOptions): Promise<LoadedModel>;
}
