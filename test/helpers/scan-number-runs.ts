import assert from "node:assert/strict";
import { type ScanResult, scanFile, scanSource } from "../../src/governance/scan/index.ts";
import { stepperMemory } from "../../src/governance/scan/pickle-wasm.ts";
import type { ByteSource } from "../../src/governance/scan/source.ts";
import type { ScanLimits } from "../../src/governance/scan/types.ts";
import { chunkedSource } from "./chunked-source.ts";
import { op } from "./pickle-asm.ts";

/**
 * The walk steps through runs of number opcodes in a fast loop that keeps the numbers out of the stack
 * (pickle-runs.ts; in WebAssembly for chunks read into its memory, pickle-wasm.ts). These files put every
 * kind of edge of such a run where it can go wrong, and each is scanned whole and split into two chunks at
 * every byte (a run then stops and resumes mid-opcode), the chunks in plain and in WebAssembly memory.
 */

export /** `count` numbers cycling through every number opcode, as a list or tuple of mixed values pickles. */
function numbers(count: number): number[][] {
  const kinds = [
    (i: number) => op.binint1(i & 0xff),
    (i: number) => op.binint2((i * 7) & 0xffff),
    (i: number) => op.binint(-i - 1),
    (i: number) => op.binfloat(i / 3),
    () => op.none,
    () => op.newTrue,
    () => op.newFalse,
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!(i));
}

export const POP_MARK = [0x31];

/** `count` numbers of one kind, each such list as a function, as real lists of ids, sizes or floats are. */
export const SAME_KIND = [
  (count: number) => Array.from({ length: count }, (_, i) => op.binint1(i & 0xff)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binint2((i * 251) & 0xffff)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binint(i * 7919 - 50_000)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binfloat(i / 7)),
  (count: number) => Array.from({ length: count }, () => op.none),
];

export type Seen = Array<[string, string | undefined, number | undefined]>;
export const seen = (result: ScanResult): Seen =>
  result.findings.map((finding) => [finding.rule, finding.message, finding.offset]);

/** Scans `bytes` whole and in two chunks split at every byte: the same findings each time, returned. */
export async function scanEverySplit(bytes: Uint8Array, limits?: Partial<ScanLimits>): Promise<ScanResult> {
  const options = { name: "model.pkl", ...(limits ? { limits } : {}) };
  const whole = await scanFile(bytes, options);
  for (let split = 1; split < bytes.length; split++) {
    const chunks = chunkedSource(bytes, [split, bytes.length]);
    for (const [source, how] of [
      [chunks, "in memory"],
      [inStepperMemory(chunks), "in WebAssembly memory"],
    ] as const) {
      const chunked = await scanSource(source, options);
      assert.deepEqual(seen(chunked), seen(whole), `split at ${split}, ${how}`);
      assert.equal(chunked.verdict, whole.verdict, `split at ${split}, ${how}`);
    }
  }
  return whole;
}

/**
 * The chunks of `source` copied into WebAssembly memories (a few bytes in), where `openFileSource` reads a
 * file's chunks: the walk steps over their numbers in WebAssembly (pickle-wasm.ts).
 */
function inStepperMemory(source: ByteSource): ByteSource {
  return {
    ...source,
    async *chunks(offset, end) {
      for await (const chunk of source.chunks(offset, end)) {
        const memory = stepperMemory(chunk.length + 3);
        assert.ok(memory !== undefined, "a WebAssembly memory");
        const copy = Buffer.from(memory, 3, chunk.length);
        copy.set(chunk);
        yield copy;
      }
    },
  };
}

export const imports = (result: ScanResult) =>
  result.findings.map((finding) => [finding.rule, finding.import]);
