import type { CommitMetadata, TreeFile } from "../../core/types.ts";
import { parseModelCard } from "./parse-model-card.ts";

/** Files whose content feeds commit metadata. */
export const METADATA_FILES = ["README.md", "config.json"] as const;

/**
 * Metadata of a commit from the contents of its metadata files. `changed` holds the contents of metadata
 * files added or replaced by the commit; files it did not touch keep the parent's metadata.
 */
export function extractMetadata(params: {
  files: ReadonlyMap<string, TreeFile>;
  changed: ReadonlyMap<string, Buffer>;
  parent: CommitMetadata;
}): CommitMetadata {
  const { files, changed, parent } = params;
  const metadata: CommitMetadata = {};
  const warnings: string[] = [];

  const readme = changed.get("README.md");
  if (readme !== undefined) {
    const card = parseModelCard(readme.toString("utf8"));
    metadata.cardData = card.data;
    metadata.cardText = card.text;
    warnings.push(...card.warnings);
  } else if (files.has("README.md")) {
    if (parent.cardData) metadata.cardData = parent.cardData;
    if (parent.cardText !== undefined) metadata.cardText = parent.cardText;
    warnings.push(...(parent.warnings ?? []).filter((warning) => warning.startsWith("README.md")));
  }

  const config = changed.get("config.json");
  if (config !== undefined) {
    try {
      const parsed: unknown = JSON.parse(config.toString("utf8"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        metadata.config = parsed as Record<string, unknown>;
      } else {
        warnings.push("config.json is not a JSON object; it was ignored");
      }
    } catch (error) {
      warnings.push(`config.json is not valid JSON and was ignored: ${(error as Error).message}`);
    }
  } else if (files.has("config.json")) {
    if (parent.config) metadata.config = parent.config;
    warnings.push(...(parent.warnings ?? []).filter((warning) => warning.startsWith("config.json")));
  }

  if (warnings.length > 0) metadata.warnings = warnings;
  return metadata;
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}

export interface DerivedRepoFields {
  pipelineTag: string | null;
  libraryName: string | null;
  tags: string[];
}

/** The listing fields the Hub derives from a repo's files: task, library and tags that `filter` matches. */
export function deriveRepoFields(metadata: CommitMetadata, paths: Iterable<string>): DerivedRepoFields {
  const card = metadata.cardData ?? {};
  const config = metadata.config;
  const pathList = [...paths];
  let libraryName = typeof card.library_name === "string" ? card.library_name : null;
  if (!libraryName && config && (config.architectures || config.model_type)) libraryName = "transformers";
  const pipelineTag = typeof card.pipeline_tag === "string" ? card.pipeline_tag : null;

  const tags = new Set<string>();
  if (libraryName) tags.add(libraryName);
  if (pathList.some((path) => path.endsWith(".safetensors"))) tags.add("safetensors");
  if (pathList.some((path) => path.endsWith(".onnx"))) tags.add("onnx");
  if (pathList.some((path) => path.endsWith(".gguf"))) tags.add("gguf");
  if (typeof config?.model_type === "string") tags.add(config.model_type);
  if (pipelineTag) tags.add(pipelineTag);
  for (const tag of stringList(card.tags)) tags.add(tag);
  for (const language of stringList(card.language)) tags.add(language);
  for (const dataset of stringList(card.datasets)) tags.add(`dataset:${dataset}`);
  for (const base of stringList(card.base_model)) tags.add(`base_model:${base}`);
  for (const license of stringList(card.license)) tags.add(`license:${license}`);
  return { pipelineTag, libraryName, tags: [...tags] };
}
