import type { CommitMetadata, Repo, TreeFile } from "../../core/types.ts";
import type { StoredCommit } from "../../store/commits-table.ts";

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
  /** A local filesystem path holding the file's bytes (the blob), for runtimes that open files themselves. */
  localPath(path: string): string;
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
}

/** A model loaded in memory, ready to run. */
export interface LoadedModel {
  /** `namespace/name@commit` */
  readonly key: string;
  /** Tasks (`@huggingface/tasks` ids) this model can do. */
  readonly tasks: readonly string[];
  /** Estimated resident memory, for the pool's budget. */
  readonly memoryBytes: number;
  run(call: InferenceCall): Promise<unknown>;
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
