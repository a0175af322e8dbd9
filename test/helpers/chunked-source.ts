import assert from "node:assert/strict";
import { type ByteSource, Cursor } from "../../src/governance/scan/source.ts";

const MB = 1024 * 1024;

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

/** 24 MB whose byte i is i mod 251: any byte read from the wrong place or a reused buffer shows. */
export function patternBytes(): Uint8Array {
  return new Uint8Array(24 * MB).map((_, i) => i % 251);
}

/**
 * Two cursors over a source of `patternBytes`, seeking in turn: each seeks and reads a little, then both read
 * on from the chunks they hold and read ahead; every byte must be the one at its offset.
 */
export async function checkTwoSeekingCursors(source: ByteSource): Promise<void> {
  const cursors = [Cursor.over(source, 0), Cursor.over(source, 3 * MB + 7)];
  const check = async (cursor: Cursor, length: number, what: string) => {
    const at = cursor.offset;
    const got = await cursor.take(length);
    assert.equal(got.length, length);
    assert.ok(
      got.every((byte, i) => byte === (at + i) % 251),
      `${what}: bytes at ${at}`,
    );
  };
  for (let step = 0; step < 3; step++) {
    for (const [index, cursor] of cursors.entries()) {
      await cursor.skip(5 * MB + step);
      await check(cursor, 1000, `cursor ${index} after seek ${step}`);
    }
    for (const [index, cursor] of cursors.entries())
      await check(cursor, 1_500_000, `cursor ${index} reading on after seek ${step}`);
  }
}
