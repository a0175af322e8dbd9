import type { ByteSource } from "../../governance/scan/source.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";

const CHUNK = 1024 * 1024;

/** A stored blob as the scanner reads it: bounded range reads, on any blob engine. */
export function blobSource(blobs: BlobStorage, sha256: string, size: number): ByteSource {
  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    const end = Math.min(size, offset + Math.max(0, length));
    if (end <= offset) return new Uint8Array(0);
    return blobs.readRange(sha256, offset, end);
  };
  return {
    size,
    read,
    async *chunks(offset, end = size) {
      for (let at = offset; at < end; at += CHUNK) {
        const chunk = await read(at, Math.min(CHUNK, end - at));
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
  };
}
