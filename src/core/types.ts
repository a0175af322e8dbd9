/** Domain types shared by every layer. Wire shapes (`Api*`) live with the server, not here. */

export const REPO_TYPES = ["model", "dataset", "space"] as const;
export type RepoType = (typeof REPO_TYPES)[number];

export type GatedMode = false | "auto" | "manual";
export type TokenRole = "read" | "write" | "admin";
export type RefKind = "branch" | "tag" | "pr";

export interface RepoRef {
  type: RepoType;
  namespace: string;
  name: string;
}

export interface Repo extends RepoRef {
  /** Internal row id; never shown to clients as the repo id. */
  pk: number;
  /** `namespace/name` */
  id: string;
  private: boolean;
  gated: GatedMode;
  disabled: boolean;
  createdAt: string;
  lastModified: string;
  /** Head commit of the default branch, null for an empty repo. */
  sha: string | null;
  downloads: number;
  likes: number;
  trendingScore: number;
  pipelineTag: string | null;
  libraryName: string | null;
  tags: string[];
  /** Bytes of the files at the head of the default branch. */
  usedStorage: number;
  /** Where the entry comes from: a local repo, or an upstream-only catalog entry without files. */
  origin: "local" | "upstream";
}

export interface CommitInfo {
  oid: string;
  parents: string[];
  author: string;
  date: string;
  title: string;
  message: string;
}

export interface TreeFile {
  path: string;
  /** git blob id: sha1 of `blob <size>\0<bytes>` (of the pointer file for LFS files). */
  gitOid: string;
  size: number;
  sha256: string;
  lfs: boolean;
  /** The commit in which the file last changed. */
  lastCommit: string;
}

/** Metadata extracted from a commit's files at commit time, stored with the commit. */
export interface CommitMetadata {
  /** README YAML front matter as written (Hub `cardData`). */
  cardData?: Record<string, unknown>;
  cardText?: string;
  /** config.json as written (Hub `config`). */
  config?: Record<string, unknown>;
  warnings?: string[];
  /** The card's known fields, normalised (lists are lists, `model-index` flattened). */
  card?: ModelCardFacts;
  /** What config.json says about the model, normalised. */
  configFacts?: ModelConfigFacts;
  /** Hub `transformersInfo`. */
  transformersInfo?: TransformersInfo;
  /** Hub `safetensors`: parameter counts over every safetensors weight file of the tree (shards summed). */
  safetensors?: SafetensorsSummary;
  /** Hub `gguf` (for the first GGUF file, as the Hub does), plus every GGUF file of the tree. */
  gguf?: GgufSummary;
  /** Every ONNX file of the tree. */
  onnx?: OnnxFileFacts[];
  /** Facts read from the model files of the tree, by path; unchanged files keep their parent's facts. */
  files?: Record<string, ModelFileFacts>;
  /** What Hangar derives from all of the above. */
  model?: ModelFacts;
}

/** One evaluation result of a card's `model-index`, flattened. */
export interface EvalResult {
  /** The model-index entry name (usually the model). */
  model: string | null;
  /** Task type, e.g. `text-classification`. */
  task: string;
  taskName: string | null;
  /** Dataset type (a dataset id), e.g. `glue`. */
  dataset: string;
  datasetName: string | null;
  datasetConfig: string | null;
  datasetSplit: string | null;
  /** Metric type, e.g. `accuracy`. */
  metric: string;
  metricName: string | null;
  value: number | string;
  /** Whether the Hub verified the result; null when the card does not say. */
  verified: boolean | null;
  source: { name: string | null; url: string | null } | null;
}

export interface ModelCardFacts {
  license: string | null;
  licenseName: string | null;
  licenseLink: string | null;
  languages: string[];
  tags: string[];
  datasets: string[];
  metrics: string[];
  baseModels: string[];
  /** `base_model_relation` as written: adapter, merge, quantized or finetune. */
  baseModelRelation: string | null;
  pipelineTag: string | null;
  libraryName: string | null;
  evalResults: EvalResult[];
  /** The card's `widget` examples as written. */
  widget: unknown[];
  /** `extra_gated_*` fields as written, keys kept (`extra_gated_prompt`...). */
  gating: Record<string, unknown>;
}

export interface ModelConfigFacts {
  modelType: string | null;
  architectures: string[];
  /** Label names by class index (`id2label`), when the model classifies. */
  id2label: Record<string, string> | null;
  /** Longest input in positions (`max_position_embeddings`, `n_positions`, `max_seq_len`...). */
  maxPositions: number | null;
  /** config.json has `auto_map`: the model needs its own code. */
  customCode: boolean;
  /** `quantization_config.quant_method`, e.g. bitsandbytes, gptq, awq. */
  quantMethod: string | null;
}

/** The Hub's `transformersInfo`. */
export interface TransformersInfo {
  auto_model: string;
  pipeline_tag?: string;
  processor?: string;
  custom_class?: string;
}

export interface SafetensorsSummary {
  /** Parameters by dtype (`F32`, `BF16`, `I8`...). */
  parameters: Record<string, number>;
  total: number;
  /** Whether the weights come from a `*.safetensors.index.json` with shards. */
  sharded: boolean;
  /** The weight files counted. */
  files: string[];
}

export interface GgufFileFacts {
  /** `general.architecture`, e.g. `llama`. */
  architecture: string | null;
  /** The file's quantisation (`general.file_type` name, else from the file name), e.g. `Q4_K_M`. */
  quantization: string | null;
  /** `<arch>.context_length`. */
  contextLength: number | null;
  /** Sum of the tensor element counts. */
  parameters: number;
  tensorCount: number;
  /** `general.name`. */
  name: string | null;
  version: number;
  /** Set when the file carries a chat template (`tokenizer.chat_template`). */
  hasChatTemplate: boolean;
}

export interface GgufSummary {
  /** Hub fields: of the first GGUF file in path order (a shard set counts as one file, parameters summed). */
  total: number;
  architecture: string | null;
  context_length: number | null;
  quantization: string | null;
  /** Every GGUF file of the tree. */
  files: Array<{ path: string; size: number; quantization: string | null; parameters: number }>;
}

export interface OnnxTensorSpec {
  name: string;
  /** ONNX element type name, e.g. `float`, `int64`. */
  elementType: string;
  /** Dimensions: a number, a symbolic name (`batch_size`), or null when unknown. */
  shape: Array<number | string | null>;
}

export interface OnnxFileFacts {
  path: string;
  size: number;
  /** Whether the graph was decoded; large files are only measured (see `warnings`). */
  decoded: boolean;
  /** Opset of the default (`ai.onnx`) domain. */
  opset: number | null;
  /** Opsets by domain (`""` is ai.onnx). */
  opsets: Record<string, number>;
  irVersion: number | null;
  producer: string | null;
  inputs: OnnxTensorSpec[];
  outputs: OnnxTensorSpec[];
  /** Initializers stored in separate files (`location` in external_data) or a `.onnx_data` file beside it. */
  externalData: boolean;
  externalDataFiles: string[];
  /** Sum of the initializer element counts, when decoded. */
  parameters: number | null;
}

export interface ModelFileFacts {
  sha256: string;
  size: number;
  safetensors?: { parameters: Record<string, number>; total: number; tensorCount: number };
  /** The shard files a `*.safetensors.index.json` names. */
  safetensorsIndex?: { shards: string[]; totalSize: number | null };
  gguf?: GgufFileFacts;
  onnx?: Omit<OnnxFileFacts, "path" | "size">;
  /** `adapter_config.json` (PEFT): its base model. */
  adapter?: { baseModel: string | null; peftType: string | null };
  /** Problems found reading the file; prefixed with its path. */
  warnings?: string[];
}

export type CommercialUse = "yes" | "no" | "conditional";

export interface ModelFacts {
  /** Hub pipeline tag: the card's, else transformersInfo's, else inferred from files. */
  pipelineTag: string | null;
  /** Every task the model is known for (pipeline tag first). */
  tasks: string[];
  /** Modalities of the tasks (`nlp`, `cv`, `audio`, `multimodal`...), from `@huggingface/tasks`. */
  modalities: string[];
  library: string | null;
  /** Weight formats present: safetensors, gguf, onnx, pytorch... */
  formats: string[];
  languages: string[];
  license: string | null;
  /** Whether the licence allows commercial use; null when the licence is unknown. */
  commercialUse: CommercialUse | null;
  parameters: number | null;
  parametersSource: "safetensors" | "gguf" | "onnx" | "estimate" | null;
  /** Bytes of every file of the tree. */
  storageBytes: number;
  /** Bytes of the weight files. */
  weightBytes: number;
  /**
   * Estimated bytes to load the model for inference, by precision: parameters × bytes per parameter ×
   * MEMORY_OVERHEAD (1.2). `gguf` is the largest GGUF file × 1.2.
   */
  memory: Record<string, number>;
  /** Devices (`@huggingface/tasks` SKUS with a memory size) whose largest memory option holds `memory[dtype]`. */
  fitsOn: Record<string, string[]>;
  /** Whether Hangar can run the model locally, and why not when it cannot. */
  runsLocally: boolean;
  runsLocallyReason: string;
  lineage: {
    baseModels: string[];
    relation: "finetune" | "adapter" | "quantized" | "merge" | null;
    /** True when the relation was inferred from files rather than written in the card. */
    inferred: boolean;
  };
  /** The tags the Hub would give the repo. */
  tags: string[];
}

export const DEFAULT_BRANCH = "main";

/** Pointer text git-lfs writes in place of a large file. */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}
