import { PIPELINE_DATA, type PipelineType, SKUS } from "@huggingface/tasks";
import { LOCAL_TASKS } from "../../core/local-tasks.ts";
import type { CommitMetadata, ModelFacts } from "../../core/types.ts";
import { commercialUseOf } from "./licenses.ts";

/**
 * Memory to load a model for inference ≈ parameters × bytes per parameter × MEMORY_OVERHEAD. The 20% on
 * top of the weights covers activations, a short-context KV cache and runtime buffers; it is the usual
 * rule of thumb, not a measurement. For GGUF files the file size stands in for parameters × bytes.
 */
export const MEMORY_OVERHEAD = 1.2;

/** Bytes per parameter of the precisions memory is estimated for. */
export const BYTES_PER_PARAMETER: Record<string, number> = { F32: 4, F16: 2, INT8: 1, INT4: 0.5 };

const FORMAT_PATTERNS: Array<[format: string, pattern: RegExp]> = [
  ["safetensors", /\.safetensors$/],
  ["gguf", /\.gguf$/],
  ["onnx", /\.onnx$/],
  ["pytorch", /(^|\/)pytorch_model[^/]*\.bin$|\.pt$|\.pth$/],
  ["tf", /(^|\/)tf_model[^/]*\.h5$/],
  ["jax", /(^|\/)flax_model[^/]*\.msgpack$/],
  ["tflite", /\.tflite$/],
  ["coreml", /\.mlmodel$|\.mlpackage\//],
  ["openvino", /(^|\/)openvino_model\.xml$/],
];

const WEIGHT_FILE =
  /\.(safetensors|gguf|onnx|onnx_data|bin|pt|pth|ckpt|h5|msgpack|tflite|mlmodel|npz|nemo|pkl|joblib)$|\.onnx\.data$|\.mlpackage\//;

/** Quantised repos say so in their names or files even when the card does not. */
const QUANTIZED_NAME = /(gptq|awq|exl2|bnb|[-_.](int4|int8|4bit|8bit)\b|quantized)/i;

const ARXIV_LINK = /arxiv\.org\/(?:abs|pdf)\/(\d{4}\.\d{4,5})/g;

export interface TreeEntry {
  path: string;
  size: number;
}

function isPipelineType(task: string | null | undefined): task is PipelineType {
  return typeof task === "string" && Object.hasOwn(PIPELINE_DATA, task);
}

interface Device {
  name: string;
  memoryBytes: number;
}

/** Every SKU of `@huggingface/tasks` with a memory size, at its largest memory option. */
const DEVICES: Device[] = (() => {
  const devices: Device[] = [];
  for (const [kind, vendors] of Object.entries(SKUS)) {
    for (const [vendor, models] of Object.entries(
      vendors as Record<string, Record<string, { memory?: number[] }>>,
    )) {
      for (const [model, spec] of Object.entries(models)) {
        if (!spec.memory || spec.memory.length === 0) continue;
        const label = vendor === "-" || model.startsWith(vendor) ? model : `${vendor} ${model}`;
        devices.push({
          name: kind === "CPU" ? `${label} (CPU)` : label,
          memoryBytes: Math.max(...spec.memory) * 1024 ** 3,
        });
      }
    }
  }
  return devices.sort((a, b) => a.memoryBytes - b.memoryBytes || (a.name < b.name ? -1 : 1));
})();

/** Estimated bytes to load a model of `parameters` parameters, by precision (empty when unknown). */
export function memoryForParameters(parameters: number | null): Record<string, number> {
  const memory: Record<string, number> = {};
  if (parameters === null) return memory;
  for (const [dtype, bytes] of Object.entries(BYTES_PER_PARAMETER)) {
    memory[dtype] = Math.ceil(parameters * bytes * MEMORY_OVERHEAD);
  }
  return memory;
}

/** For each precision of a memory estimate, the devices that hold it. */
export function devicesThatFitEach(memory: Record<string, number>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(memory).map(([precision, bytes]) => [precision, devicesThatFit(bytes)]),
  );
}

/** Devices whose memory holds `bytes`, smallest memory first. */
export function devicesThatFit(bytes: number): string[] {
  return DEVICES.filter((device) => device.memoryBytes >= bytes).map((device) => device.name);
}

function libraryOf(metadata: CommitMetadata, paths: ReadonlySet<string>, formats: string[]): string | null {
  if (metadata.card?.libraryName) return metadata.card.libraryName;
  const cardLibrary = metadata.cardData?.library_name;
  if (typeof cardLibrary === "string") return cardLibrary;
  if (paths.has("config_sentence_transformers.json") || paths.has("modules.json"))
    return "sentence-transformers";
  if (paths.has("adapter_config.json")) return "peft";
  if (paths.has("model_index.json")) return "diffusers";
  const config = metadata.configFacts;
  if (config && (config.architectures.length > 0 || config.modelType)) return "transformers";
  if (formats.includes("gguf")) return "gguf";
  if (formats.includes("onnx")) return "onnx";
  return null;
}

function parametersOf(
  metadata: CommitMetadata,
  files: readonly TreeEntry[],
): { count: number | null; source: ModelFacts["parametersSource"] } {
  if (metadata.safetensors && metadata.safetensors.total > 0) {
    return { count: metadata.safetensors.total, source: "safetensors" };
  }
  if (metadata.gguf && metadata.gguf.total > 0) return { count: metadata.gguf.total, source: "gguf" };
  // ONNX variants of one model (fp32, quantized...) hold the same weights: the largest is the model.
  const onnxCounts = (metadata.onnx ?? []).map((file) => file.parameters ?? 0);
  if (onnxCounts.some((count) => count > 0)) return { count: Math.max(...onnxCounts), source: "onnx" };
  // PyTorch checkpoints: bytes over the bytes of the dtype the config declares (fp32 when it does not).
  const checkpointBytes = files
    .filter((file) => /(^|\/)pytorch_model[^/]*\.bin$/.test(file.path))
    .reduce((total, file) => total + file.size, 0);
  if (checkpointBytes > 0) {
    const dtype = metadata.config?.torch_dtype ?? metadata.config?.dtype;
    const bytesPerParameter = dtype === "float16" || dtype === "bfloat16" ? 2 : 4;
    return { count: Math.round(checkpointBytes / bytesPerParameter), source: "estimate" };
  }
  return { count: null, source: null };
}

function lineageOf(
  metadata: CommitMetadata,
  paths: ReadonlySet<string>,
  formats: string[],
): ModelFacts["lineage"] {
  const adapter = Object.values(metadata.files ?? {}).find((file) => file.adapter)?.adapter;
  const baseModels = metadata.card?.baseModels.length
    ? metadata.card.baseModels
    : adapter?.baseModel
      ? [adapter.baseModel]
      : [];
  if (baseModels.length === 0) return { baseModels, relation: null, inferred: false };
  const written = metadata.card?.baseModelRelation;
  if (written === "finetune" || written === "adapter" || written === "quantized" || written === "merge") {
    return { baseModels, relation: written, inferred: false };
  }
  let relation: ModelFacts["lineage"]["relation"] = "finetune";
  const tags = metadata.card?.tags ?? [];
  // Several bases make a merge even when the repo also ships a quantised copy of it.
  if (paths.has("adapter_config.json")) relation = "adapter";
  else if (baseModels.length > 1 || tags.includes("merge") || tags.includes("mergekit")) relation = "merge";
  else if (
    formats.includes("gguf") ||
    metadata.configFacts?.quantMethod ||
    [...paths].some((path) => QUANTIZED_NAME.test(path))
  ) {
    relation = "quantized";
  }
  return { baseModels, relation, inferred: true };
}

function runsLocallyOf(
  pipelineTag: string | null,
  formats: string[],
  metadata: CommitMetadata,
): { runsLocally: boolean; reason: string } {
  if (!formats.includes("onnx")) return { runsLocally: false, reason: "no ONNX file" };
  if (!pipelineTag) return { runsLocally: false, reason: "the task is unknown" };
  if (!LOCAL_TASKS.has(pipelineTag)) {
    return { runsLocally: false, reason: `the local runtime does not serve ${pipelineTag} yet` };
  }
  if (!metadata.configFacts?.modelType)
    return { runsLocally: false, reason: "config.json has no model_type" };
  return { runsLocally: true, reason: `ONNX model for ${pipelineTag}` };
}

/** Everything Hangar derives about a model from a commit's extracted metadata and its file list. */
export function deriveModelFacts(metadata: CommitMetadata, files: readonly TreeEntry[]): ModelFacts {
  const paths = new Set(files.map((file) => file.path));
  const card = metadata.card;
  const formats = FORMAT_PATTERNS.filter(([, pattern]) => files.some((file) => pattern.test(file.path))).map(
    ([format]) => format,
  );
  const library = libraryOf(metadata, paths, formats);

  // A sentence-transformers model wraps a bare encoder (`BertModel` → feature-extraction); its task is similarity.
  let pipelineTag: string | null =
    card?.pipelineTag ??
    (library === "sentence-transformers" ? "sentence-similarity" : null) ??
    metadata.transformersInfo?.pipeline_tag ??
    null;
  if (!pipelineTag && formats.includes("gguf")) pipelineTag = "text-generation";
  const tasks = [
    ...new Set(
      [
        pipelineTag,
        metadata.transformersInfo?.pipeline_tag,
        ...(card?.evalResults ?? []).map((result) => result.task),
      ].filter(isPipelineType),
    ),
  ];
  const modalities = [...new Set(tasks.map((task) => PIPELINE_DATA[task].modality))];

  const { count: parameters, source: parametersSource } = parametersOf(metadata, files);
  const memory = memoryForParameters(parameters);
  for (const file of metadata.gguf?.files ?? []) {
    const key = `gguf:${file.quantization ?? file.path}`;
    memory[key] = Math.max(memory[key] ?? 0, Math.ceil(file.size * MEMORY_OVERHEAD));
  }
  const fitsOn = devicesThatFitEach(memory);

  const license = card?.license ?? null;
  const lineage = lineageOf(metadata, paths, formats);
  const { runsLocally, reason } = runsLocallyOf(pipelineTag, formats, metadata);
  const languages = card?.languages ?? [];

  const tags = new Set<string>();
  if (library) tags.add(library);
  for (const format of formats) tags.add(format);
  if (metadata.configFacts?.modelType) tags.add(metadata.configFacts.modelType);
  if (pipelineTag) tags.add(pipelineTag);
  for (const tag of card?.tags ?? []) tags.add(tag);
  if (metadata.configFacts?.customCode) tags.add("custom_code");
  if (metadata.configFacts?.quantMethod) tags.add(metadata.configFacts.quantMethod);
  if (
    metadata.gguf?.files.length &&
    Object.values(metadata.files ?? {}).some((file) => file.gguf?.hasChatTemplate)
  ) {
    tags.add("conversational");
  }
  for (const language of languages) tags.add(language);
  for (const dataset of card?.datasets ?? []) tags.add(`dataset:${dataset}`);
  for (const match of (metadata.cardText ?? "").matchAll(ARXIV_LINK)) tags.add(`arxiv:${match[1]}`);
  if (card?.evalResults.length) tags.add("model-index");
  for (const base of lineage.baseModels) {
    tags.add(`base_model:${base}`);
    if (lineage.relation) tags.add(`base_model:${lineage.relation}:${base}`);
  }
  if (license) tags.add(`license:${license}`);

  return {
    pipelineTag,
    tasks,
    modalities,
    library,
    formats,
    languages,
    license,
    commercialUse: commercialUseOf(license),
    parameters,
    parametersSource,
    storageBytes: files.reduce((total, file) => total + file.size, 0),
    weightBytes: files
      .filter((file) => WEIGHT_FILE.test(file.path))
      .reduce((total, file) => total + file.size, 0),
    memory,
    fitsOn,
    runsLocally,
    runsLocallyReason: reason,
    lineage,
    tags: [...tags],
  };
}
