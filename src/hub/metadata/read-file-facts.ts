import type { ModelFileFacts } from "../../core/types.ts";
import type { BlobStore } from "../../store/blob-store.ts";
import { type BlobSource, storedBlobSource } from "./blob-source.ts";
import { readGgufHeader } from "./read-gguf.ts";
import { readOnnxModel } from "./read-onnx.ts";
import { parseSafetensorsIndex, readSafetensorsHeader } from "./read-safetensors.ts";

/** Text files read whole and parsed inside the commit (card and config). */
export const METADATA_DOCUMENTS = ["README.md", "config.json"] as const;

/** Documents are parsed only up to this size; larger ones are not cards or configs anyone writes. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 ** 2;

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
      facts.safetensorsIndex = parseSafetensorsIndex(path, await readSmallJson(source));
    } else if (path.endsWith(".gguf")) {
      facts.gguf = await readGgufHeader(source, name);
    } else if (path.endsWith(".onnx")) {
      const { warnings, ...onnx } = await readOnnxModel(source, path);
      facts.onnx = onnx;
      if (warnings.length > 0) facts.warnings = warnings;
    } else if (path === "adapter_config.json") {
      const adapter = JSON.parse((await readSmallJson(source)).toString("utf8")) as Record<string, unknown>;
      facts.adapter = {
        baseModel:
          typeof adapter.base_model_name_or_path === "string" ? adapter.base_model_name_or_path : null,
        peftType: typeof adapter.peft_type === "string" ? adapter.peft_type : null,
      };
    }
  } catch (error) {
    facts.warnings = [`${path} could not be read for metadata: ${reason(error)}`];
  }
  return facts;
}

/** What a commit's new files contribute to its metadata, read before the commit's transaction. */
export interface ChangedMetadata {
  /** Card and config contents. */
  documents: Map<string, Buffer>;
  /** Facts of changed model files, by path. */
  files: Map<string, ModelFileFacts>;
}

export function emptyChangedMetadata(): ChangedMetadata {
  return { documents: new Map(), files: new Map() };
}

/** Reads the metadata one put file carries into `changed` (nothing for files that carry none). */
export async function collectChangedMetadata(
  blobs: BlobStore,
  path: string,
  file: { sha256: string; size: number },
  changed: ChangedMetadata,
): Promise<void> {
  if ((METADATA_DOCUMENTS as readonly string[]).includes(path)) {
    if (file.size <= MAX_DOCUMENT_BYTES) changed.documents.set(path, await blobs.read(file.sha256));
    return;
  }
  if (!hasFileFacts(path)) return;
  changed.files.set(
    path,
    await readFileFacts(storedBlobSource(blobs, file.sha256, file.size), path, file.sha256),
  );
}
