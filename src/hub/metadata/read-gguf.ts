import { GGMLFileQuantizationType, gguf, parseGGUFQuantLabel } from "@huggingface/gguf";
import type { GgufFileFacts } from "../../core/types.ts";
import type { BlobSource } from "./blob-source.ts";

/**
 * `gguf()` reads through `fetch` with Range requests (or a local path). Serving those ranges from a
 * BlobSource keeps the parser on the same header-only reads as every other extractor; the URL is a
 * placeholder that never leaves this process.
 */
function rangeFetch(source: BlobSource): typeof fetch {
  return (async (_input: unknown, init?: { headers?: Record<string, string> }) => {
    const range = /bytes=(\d+)-(\d+)/.exec(init?.headers?.Range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range ? Number(range[2]) + 1 : source.size;
    const bytes =
      start < source.size ? await source.read(start, Math.min(end, source.size)) : Buffer.alloc(0);
    return new Response(bytes, {
      status: 206,
      headers: { "content-range": `bytes ${start}-${start + bytes.byteLength - 1}/${source.size}` },
    });
  }) as typeof fetch;
}

function numberOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "bigint") return Number(value);
  return null;
}

/** Architecture, quantisation, context length and parameter count of a GGUF file, from its header. */
export async function readGgufHeader(source: BlobSource, fileName: string): Promise<GgufFileFacts> {
  const parsed = await gguf("http://hangar.invalid/blob.gguf", {
    fetch: rangeFetch(source),
    computeParametersCount: true,
  });
  const metadata = parsed.metadata as Record<string, unknown>;
  const architecture =
    typeof metadata["general.architecture"] === "string" ? metadata["general.architecture"] : null;
  const fileType = numberOf(metadata["general.file_type"]);
  const typeName = fileType === null ? undefined : GGMLFileQuantizationType[fileType];
  return {
    architecture,
    quantization: typeName ?? parseGGUFQuantLabel(fileName) ?? null,
    contextLength: architecture ? numberOf(metadata[`${architecture}.context_length`]) : null,
    parameters: parsed.parameterCount,
    tensorCount: parsed.tensorInfos.length,
    name: typeof metadata["general.name"] === "string" ? metadata["general.name"] : null,
    version: Number(metadata.version),
    hasChatTemplate: typeof metadata["tokenizer.chat_template"] === "string",
  };
}
