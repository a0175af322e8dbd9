import type { ByteSource } from "../../src/governance/scan/source.ts";

/**
 * The bytes as a source whose sequential chunks have the given sizes (cycled): the scanner must find the
 * same things wherever the chunk boundaries fall (inside an opcode, a length, a name, a line).
 */
export function chunkedSource(bytes: Uint8Array, sizes: number[]): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    async *chunks(offset, end = bytes.length) {
      for (let at = offset, i = 0; at < end; i++) {
        const size = sizes[i % sizes.length]!;
        yield bytes.subarray(at, Math.min(end, at + size));
        at += size;
      }
    },
  };
}
