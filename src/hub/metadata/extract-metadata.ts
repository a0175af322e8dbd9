import { RE_GGUF_SHARD_FILE } from "@huggingface/gguf";
import type {
  CommitMetadata,
  GgufSummary,
  ModelFileFacts,
  OnnxFileFacts,
  SafetensorsSummary,
  TreeFile,
} from "../../core/types.ts";
import { deriveModelFacts } from "./derive-model-facts.ts";
import { extractCardFacts } from "./extract-card-facts.ts";
import { deriveTransformersInfo, extractConfigFacts } from "./extract-config-facts.ts";
import { hasFileFacts, type MetadataDocument } from "./read-file-facts.ts";

/**
 * Metadata of a commit. `changed` holds the card and config, parsed, when the commit added or replaced
 * them, `fileFacts` what was read from the model files it added or replaced; files it did not touch keep
 * the parent's metadata. Runs inside the commit transaction, so it reads no blobs itself.
 */
export function extractMetadata(params: {
  files: ReadonlyMap<string, TreeFile>;
  changed: ReadonlyMap<string, MetadataDocument>;
  fileFacts?: ReadonlyMap<string, ModelFileFacts>;
  parent: CommitMetadata;
}): CommitMetadata {
  const { files, changed, parent } = params;
  const metadata: CommitMetadata = {};
  const warnings: string[] = [];

  const readme = changed.get("README.md");
  if (readme !== undefined) {
    metadata.cardData = readme.data ?? {};
    metadata.cardText = readme.text ?? "";
    warnings.push(...readme.warnings);
  } else if (files.has("README.md")) {
    if (parent.cardData) metadata.cardData = parent.cardData;
    if (parent.cardText !== undefined) metadata.cardText = parent.cardText;
    warnings.push(...(parent.warnings ?? []).filter((warning) => warning.startsWith("README.md")));
  }
  if (metadata.cardData) metadata.card = extractCardFacts(metadata.cardData, warnings);

  const config = changed.get("config.json");
  if (config !== undefined) {
    if (config.data) metadata.config = config.data;
    warnings.push(...config.warnings);
  } else if (files.has("config.json")) {
    if (parent.config) metadata.config = parent.config;
    warnings.push(...(parent.warnings ?? []).filter((warning) => warning.startsWith("config.json")));
  }
  if (metadata.config) {
    metadata.configFacts = extractConfigFacts(metadata.config);
    const info = deriveTransformersInfo(metadata.configFacts, metadata.config, new Set(files.keys()));
    if (info) metadata.transformersInfo = info;
  }

  const fileFacts = currentFileFacts(files, params.fileFacts, parent);
  if (Object.keys(fileFacts).length > 0) metadata.files = fileFacts;
  for (const facts of Object.values(fileFacts)) warnings.push(...(facts.warnings ?? []));

  const safetensors = summariseSafetensors(fileFacts, warnings);
  if (safetensors) metadata.safetensors = safetensors;
  const gguf = summariseGguf(fileFacts);
  if (gguf) metadata.gguf = gguf;
  const onnx = listOnnx(fileFacts, files);
  if (onnx.length > 0) metadata.onnx = onnx;

  metadata.model = deriveModelFacts(metadata, [...files.values()]);
  if (warnings.length > 0) metadata.warnings = [...new Set(warnings)];
  return metadata;
}

/** Facts of every model file in the tree: freshly read for changed files, the parent's for the others. */
function currentFileFacts(
  files: ReadonlyMap<string, TreeFile>,
  changed: ReadonlyMap<string, ModelFileFacts> | undefined,
  parent: CommitMetadata,
): Record<string, ModelFileFacts> {
  const facts: Record<string, ModelFileFacts> = {};
  for (const [path, file] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!hasFileFacts(path)) continue;
    const fresh = changed?.get(path);
    const inherited = parent.files?.[path];
    // A file committed before facts were extracted has none until it is committed again.
    const found =
      fresh?.sha256 === file.sha256 ? fresh : inherited?.sha256 === file.sha256 ? inherited : undefined;
    if (found) facts[path] = found;
  }
  return facts;
}

/**
 * Parameter counts over the safetensors weights of the tree. With `*.safetensors.index.json` files the
 * weights are the shards they name (root indexes first, as transformers loads them); otherwise the
 * root-level safetensors files, else every safetensors file.
 */
function summariseSafetensors(
  facts: Record<string, ModelFileFacts>,
  warnings: string[],
): SafetensorsSummary | null {
  const indexes = Object.entries(facts).filter(([, file]) => file.safetensorsIndex);
  const rootIndexes = indexes.filter(([path]) => !path.includes("/"));
  let weightFiles: string[];
  const sharded = indexes.length > 0;
  if (sharded) {
    const chosen = rootIndexes.length > 0 ? rootIndexes : indexes;
    weightFiles = [...new Set(chosen.flatMap(([, file]) => file.safetensorsIndex?.shards ?? []))].sort();
    for (const [path, file] of chosen) {
      const missing = (file.safetensorsIndex?.shards ?? []).filter((shard) => !facts[shard]?.safetensors);
      if (missing.length > 0) {
        warnings.push(
          `${path} names ${missing.length} shard(s) not readable in this commit: ${missing.slice(0, 3).join(", ")}`,
        );
      }
    }
  } else {
    const all = Object.keys(facts).filter((path) => facts[path]?.safetensors);
    const root = all.filter((path) => !path.includes("/"));
    weightFiles = root.length > 0 ? root : all;
  }
  const parameters: Record<string, number> = {};
  let total = 0;
  const counted: string[] = [];
  for (const path of weightFiles) {
    const header = facts[path]?.safetensors;
    if (!header) continue;
    counted.push(path);
    for (const [dtype, count] of Object.entries(header.parameters))
      parameters[dtype] = (parameters[dtype] ?? 0) + count;
    total += header.total;
  }
  return counted.length > 0 ? { parameters, total, sharded, files: counted } : null;
}

/** GGUF files of the tree; the Hub-facing fields describe the first model (shards of one model summed). */
function summariseGguf(facts: Record<string, ModelFileFacts>): GgufSummary | null {
  const ggufFiles = Object.entries(facts).filter(([, file]) => file.gguf);
  const [firstPath, first] = ggufFiles[0] ?? [];
  if (!firstPath || !first?.gguf) return null;
  const shardPrefix = RE_GGUF_SHARD_FILE.exec(firstPath)?.groups?.prefix;
  const firstModel = shardPrefix
    ? ggufFiles.filter(([path]) => RE_GGUF_SHARD_FILE.exec(path)?.groups?.prefix === shardPrefix)
    : [[firstPath, first] as const];
  return {
    total: firstModel.reduce((sum, [, file]) => sum + (file.gguf?.parameters ?? 0), 0),
    architecture: first.gguf.architecture,
    context_length: first.gguf.contextLength,
    quantization: first.gguf.quantization,
    files: ggufFiles.map(([path, file]) => ({
      path,
      size: file.size,
      quantization: file.gguf?.quantization ?? null,
      parameters: file.gguf?.parameters ?? 0,
    })),
  };
}

function listOnnx(
  facts: Record<string, ModelFileFacts>,
  files: ReadonlyMap<string, TreeFile>,
): OnnxFileFacts[] {
  const list: OnnxFileFacts[] = [];
  for (const [path, file] of Object.entries(facts)) {
    if (!file.onnx) continue;
    // Exporters write external weights beside the model as `<name>.onnx_data` or `<name>.onnx.data`.
    const besides = [`${path}_data`, `${path}.data`].filter((candidate) => files.has(candidate));
    const externalDataFiles = [...new Set([...file.onnx.externalDataFiles, ...besides])].sort();
    list.push({
      path,
      size: file.size,
      ...file.onnx,
      externalData: externalDataFiles.length > 0,
      externalDataFiles,
    });
  }
  return list;
}

export interface DerivedRepoFields {
  pipelineTag: string | null;
  libraryName: string | null;
  tags: string[];
}

/** The listing fields the Hub derives from a repo's files: task, library and tags that `filter` matches. */
export function deriveRepoFields(metadata: CommitMetadata, paths: Iterable<string>): DerivedRepoFields {
  let model = metadata.model;
  if (!model) {
    // Commits made before model facts existed: derive what their card and config allow.
    const withFacts: CommitMetadata = { ...metadata };
    if (metadata.cardData && !metadata.card) withFacts.card = extractCardFacts(metadata.cardData, []);
    if (metadata.config && !metadata.configFacts) withFacts.configFacts = extractConfigFacts(metadata.config);
    model = deriveModelFacts(
      withFacts,
      [...paths].map((path) => ({ path, size: 0 })),
    );
  }
  return { pipelineTag: model.pipelineTag, libraryName: model.library, tags: model.tags };
}
