import { GGMLFileQuantizationType, gguf, parseGGUFQuantLabel } from "@huggingface/gguf";
import type { GgufFileFacts } from "../../core/types.ts";
import type { BlobSource } from "./blob-source.ts";
import { metadataWorker } from "./metadata-worker.ts";

/** The first read of a GGUF file; most headers (vocabularies included) fit, the rest are read again larger. */
const FIRST_HEADER_READ = 4 * 1024 ** 2;

/** `@huggingface/gguf` reads at most 50 MB of a header; a header needing more is not read at all. */
export const MAX_GGUF_HEADER_BYTES = 50 * 1000 ** 2;

/** Thrown by the range reader when the parser asks for bytes past the prefix it was given. */
const PAST_THE_PREFIX = "GGUF header continues past the bytes read";

/**
 * `gguf()` reads through `fetch` with Range requests (or a local path). Serving those ranges from the bytes
 * read keeps the parser on header-only reads; the URL is a placeholder that never leaves this thread.
 */
function prefixFetch(prefix: Uint8Array, size: number): typeof fetch {
  return (async (_input: unknown, init?: { headers?: Record<string, string> }) => {
    const range = /bytes=(\d+)-(\d+)/.exec(init?.headers?.Range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = Math.min(range ? Number(range[2]) + 1 : size, size);
    if (end > prefix.byteLength && prefix.byteLength < size) throw new Error(PAST_THE_PREFIX);
    const bytes = start < end ? prefix.subarray(start, end) : new Uint8Array(0);
    return new Response(bytes, {
      status: 206,
      headers: { "content-range": `bytes ${start}-${start + bytes.byteLength - 1}/${size}` },
    });
  }) as typeof fetch;
}

function parseWithCount(fetchRange: typeof fetch) {
  return gguf("http://hangar.invalid/blob.gguf", { fetch: fetchRange, computeParametersCount: true });
}

function numberOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "bigint") return Number(value);
  return null;
}

/**
 * Facts of a GGUF header from the first bytes of the file (`prefix`, of a file of `size` bytes), or
 * `needsMoreBytes` when the header runs past them. Runs on the metadata worker: parsing a vocabulary of
 * 150,000 tokens is real work.
 */
export async function parseGgufHeader(input: {
  prefix: Uint8Array;
  size: number;
  fileName: string;
}): Promise<{ facts: GgufFileFacts } | { needsMoreBytes: true }> {
  let parsed: Awaited<ReturnType<typeof parseWithCount>>;
  try {
    parsed = await parseWithCount(prefixFetch(input.prefix, input.size));
  } catch (error) {
    if (error instanceof Error && error.message.includes(PAST_THE_PREFIX)) return { needsMoreBytes: true };
    throw error;
  }
  const metadata = parsed.metadata as Record<string, unknown>;
  const architecture =
    typeof metadata["general.architecture"] === "string" ? metadata["general.architecture"] : null;
  const fileType = numberOf(metadata["general.file_type"]);
  const typeName = fileType === null ? undefined : GGMLFileQuantizationType[fileType];
  return {
    facts: {
      architecture,
      quantization: typeName ?? parseGGUFQuantLabel(input.fileName) ?? null,
      contextLength: architecture ? numberOf(metadata[`${architecture}.context_length`]) : null,
      parameters: parsed.parameterCount,
      tensorCount: parsed.tensorInfos.length,
      name: typeof metadata["general.name"] === "string" ? metadata["general.name"] : null,
      version: Number(metadata.version),
      hasChatTemplate: typeof metadata["tokenizer.chat_template"] === "string",
    },
  };
}

/**
 * Architecture, quantisation, context length and parameter count of a GGUF file, from its header: the first
 * 4 MiB are read, and more (up to 50 MB, as `@huggingface/gguf` allows) only when the header needs them.
 */
export async function readGgufHeader(source: BlobSource, fileName: string): Promise<GgufFileFacts> {
  const limit = Math.min(source.size, MAX_GGUF_HEADER_BYTES);
  let length = Math.min(limit, FIRST_HEADER_READ);
  for (;;) {
    const prefix = await source.read(0, length);
    const result = await metadataWorker.run("parseGgufHeader", { prefix, size: source.size, fileName });
    if ("facts" in result) return result.facts;
    if (length >= limit) throw new Error(`the header is over ${MAX_GGUF_HEADER_BYTES} bytes`);
    length = Math.min(limit, length * 4);
  }
}
