import { type ByteSource, readerSource } from "../../governance/scan/source.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";

/** A stored blob as the scanner reads it: bounded range reads, on any blob engine. */
export function blobSource(blobs: BlobStorage, sha256: string, size: number): ByteSource {
  return readerSource(size, async (offset, length) => {
    const end = Math.min(size, offset + Math.max(0, length));
    if (end <= offset) return new Uint8Array(0);
    return blobs.readRange(sha256, offset, end);
  });
}
