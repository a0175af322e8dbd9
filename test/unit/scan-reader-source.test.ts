// The scanner's source over range reads (blobs in an S3-compatible store are scanned through it): chunks
// land in the same WebAssembly-memory rings as a file's, so the pickle walk steps over numbers in place there
// too, and cursors seeking over one source each read their own bytes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scanSource } from "../../src/governance/scan/index.ts";
import { stepperOf } from "../../src/governance/scan/pickle-wasm.ts";
import { bytesSource, readerSource } from "../../src/governance/scan/source.ts";
import { checkTwoSeekingCursors, patternBytes } from "../helpers/chunked-source.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";

const MB = 1024 * 1024;

/** A source over `bytes` whose every read returns a new buffer, as a blob store's range read does. */
function rangeReads(bytes: Uint8Array): { source: ReturnType<typeof readerSource>; reads: () => number } {
  let reads = 0;
  const source = readerSource(bytes.length, async (offset, length) => {
    reads++;
    return Buffer.from(bytes.subarray(offset, Math.min(bytes.length, offset + length)));
  });
  return { source, reads: () => reads };
}

describe("a source over range reads", () => {
  test("recycled chunks are in WebAssembly memory and hold the bytes asked for; plain chunks are not", async () => {
    const bytes = new Uint8Array(3 * MB + 5).map((_, i) => i % 251);
    const { source } = rangeReads(bytes);
    let at = 0;
    for await (const chunk of source.chunks(0, bytes.length, true)) {
      if (chunk.length === MB) assert.ok(stepperOf(chunk), `chunk at ${at} is in a stepper memory`);
      assert.ok(
        chunk.every((byte, i) => byte === (at + i) % 251),
        `bytes at ${at}`,
      );
      at += chunk.length;
    }
    assert.equal(at, bytes.length);
    for await (const chunk of source.chunks(0, bytes.length)) assert.equal(stepperOf(chunk), undefined);
  });

  test("two cursors over one source, seeking in turn, each read their own bytes", async () => {
    await checkTwoSeekingCursors(rangeReads(patternBytes()).source);
  });

  test("a pickle of megabytes of numbers then an import: the same findings as from memory, in 1 MB reads", async () => {
    // One part of all the numbers (900,000 spread arguments would overflow the stack).
    const numbers: number[] = [];
    for (let i = 0; i < 900_000; i++) numbers.push(...(i % 2 ? op.binint1(i & 0xff) : op.binint(i * 7919)));
    const bytes = pickle(
      op.proto(4),
      op.emptyList,
      op.mark,
      numbers,
      op.appends,
      op.pop,
      op.su("os"),
      op.su("system"),
      op.stackGlobal,
      op.stop,
    );
    assert.ok(bytes.length > 2 * MB, "spans several chunks");
    const { source, reads } = rangeReads(bytes);
    const [fromReads, fromMemory] = await Promise.all([
      scanSource(source, { name: "numbers.pkl" }),
      scanSource(bytesSource(bytes), { name: "numbers.pkl" }),
    ]);
    assert.deepEqual(
      fromReads.findings.map((finding) => [finding.rule, finding.import, finding.offset]),
      [["pickle.import.denied", "os.system", bytes.length - 2]],
    );
    assert.deepEqual(fromReads.findings, fromMemory.findings);
    assert.equal(fromReads.verdict, fromMemory.verdict);
    assert.ok(reads() <= Math.ceil(bytes.length / MB) + 4, `bounded reads, not the whole blob: ${reads()}`);
  });
});
