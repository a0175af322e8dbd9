import type { BlobStorage } from "../../store/blob-store-types.ts";

/** Random access to one file's bytes, so extractors read headers without loading whole model files. */
export interface BlobSource {
  size: number;
  /** Bytes `start` (inclusive) to `end` (exclusive); fewer when the file ends first. */
  read(start: number, end: number): Promise<Buffer>;
}

export function storedBlobSource(blobs: BlobStorage, sha256: string, size: number): BlobSource {
  return { size, read: (start, end) => blobs.readRange(sha256, start, Math.min(end, size)) };
}

export function bufferSource(bytes: Uint8Array): BlobSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.byteLength,
    read: async (start, end) => buffer.subarray(start, Math.min(end, buffer.byteLength)),
  };
}
