import type { ModelFileFacts } from "../../core/types.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";
import { type BlobSource, storedBlobSource } from "./blob-source.ts";
import { metadataWorker } from "./metadata-worker.ts";
import { parseModelCard } from "./parse-model-card.ts";
import { readGgufHeader } from "./read-gguf.ts";
import { readOnnxModel } from "./read-onnx.ts";
import { readSafetensorsHeader } from "./read-safetensors.ts";

/**
 * A README is read up to this size (the Hub takes files of up to 10 MiB outside LFS); its metadata has its
 * own, smaller limit (`MAX_CARD_METADATA_BYTES`).
 */
export const MAX_DOCUMENT_BYTES = 16 * 1024 ** 2;

/**
 * config.json is read up to this size: label maps of 22,000 classes fit. It is parsed on the main thread and
 * served with every repo read, so the limit also bounds the work of each of those.
 */
export const MAX_CONFIG_BYTES = 2 * 1024 ** 2;

/** Index and adapter JSON files are read whole up to this size. */
const MAX_SMALL_JSON_BYTES = 64 * 1024 ** 2;

/** Whether a path holds facts read from the file itself (weights, indexes, adapters). */
export function hasFileFacts(path: string): boolean {
  return (
    path.endsWith(".safetensors") ||
    path.endsWith(".safetensors.index.json") ||
    path.endsWith(".gguf") ||
    path.endsWith(".onnx") ||
    path === "adapter_config.json"
  );
}

function reason(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? String(error)) : String(error);
}

async function readSmallJson(source: BlobSource): Promise<Buffer> {
  if (source.size > MAX_SMALL_JSON_BYTES) throw new Error(`is over ${MAX_SMALL_JSON_BYTES} bytes`);
  return source.read(0, source.size);
}

/**
 * Reads what a model file says about the model, from headers only where the format has one. A file that
 * cannot be read gets a warning, never a failed commit: a repo may hold anything.
 */
export async function readFileFacts(
  source: BlobSource,
  path: string,
  sha256: string,
): Promise<ModelFileFacts> {
  const facts: ModelFileFacts = { sha256, size: source.size };
  const name = path.slice(path.lastIndexOf("/") + 1);
  try {
    if (path.endsWith(".safetensors")) {
      facts.safetensors = await readSafetensorsHeader(source);
    } else if (path.endsWith(".safetensors.index.json")) {
      facts.safetensorsIndex = await metadataWorker.run("parseSafetensorsIndex", {
        indexPath: path,
        bytes: await readSmallJson(source),
      });
    } else if (path.endsWith(".gguf")) {
      facts.gguf = await readGgufHeader(source, name);
    } else if (path.endsWith(".onnx")) {
      const { warnings, ...onnx } = await readOnnxModel(source, path);
      facts.onnx = onnx;
      if (warnings.length > 0) facts.warnings = warnings;
    } else if (path === "adapter_config.json") {
      facts.adapter = await metadataWorker.run("readAdapterConfig", { bytes: await readSmallJson(source) });
    }
  } catch (error) {
    facts.warnings = [`${path} could not be read for metadata: ${reason(error)}`];
  }
  return facts;
}

/** A card or config as read for metadata: its data (null when unusable), the card's text, and problems. */
export interface MetadataDocument {
  data: Record<string, unknown> | null;
  /** README.md: the text after the front matter. */
  text?: string;
  warnings: string[];
}

/** What a commit's new files contribute to its metadata, read before the commit's transaction. */
export interface ChangedMetadata {
  /** Card and config, parsed. */
  documents: Map<string, MetadataDocument>;
  /** Facts of changed model files, by path. */
  files: Map<string, ModelFileFacts>;
}

export function emptyChangedMetadata(): ChangedMetadata {
  return { documents: new Map(), files: new Map() };
}

/** Reads the metadata one put file carries into `changed` (nothing for files that carry none). */
export async function collectChangedMetadata(
  blobs: BlobStorage,
  path: string,
  file: { sha256: string; size: number },
  changed: ChangedMetadata,
): Promise<void> {
  if (path === "README.md" || path === "config.json") {
    changed.documents.set(path, await readMetadataDocument(blobs, path, file));
    return;
  }
  if (!hasFileFacts(path)) return;
  changed.files.set(
    path,
    await readFileFacts(storedBlobSource(blobs, file.sha256, file.size), path, file.sha256),
  );
}

/** Parses a committed README (its card metadata on the metadata worker) or config.json, within their limits. */
async function readMetadataDocument(
  blobs: BlobStorage,
  path: "README.md" | "config.json",
  file: { sha256: string; size: number },
): Promise<MetadataDocument> {
  const limit = path === "README.md" ? MAX_DOCUMENT_BYTES : MAX_CONFIG_BYTES;
  if (file.size > limit) {
    return {
      data: null,
      ...(path === "README.md" ? { text: "" } : {}),
      warnings: [`${path} is ${file.size} bytes, over the limit of ${limit} bytes; it was not read`],
    };
  }
  const text = (await blobs.read(file.sha256)).toString("utf8");
  if (path === "README.md") return parseModelCard(text);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return { data: parsed as Record<string, unknown>, warnings: [] };
    }
    return { data: null, warnings: ["config.json is not a JSON object; it was ignored"] };
  } catch (error) {
    return {
      data: null,
      warnings: [`config.json is not valid JSON and was ignored: ${(error as Error).message}`],
    };
  }
}
