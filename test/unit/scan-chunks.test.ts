import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type ScanResult, scanFile, scanSource } from "../../src/governance/scan/index.ts";
import { openFileSource } from "../../src/governance/scan/source.ts";
import { checkTwoSeekingCursors, chunkedSource, patternBytes } from "../helpers/chunked-source.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { type CorpusFile, SCAN_CORPUS } from "../helpers/scan-corpus.ts";
import { OS_SYSTEM } from "../helpers/scan-corpus-pickle.ts";

const scanChunked = (bytes: Uint8Array, name: string, sizes: number[], limits?: CorpusFile["limits"]) =>
  scanSource(chunkedSource(bytes, sizes), { name, ...(limits ? { limits } : {}) });

const summary = (result: ScanResult) => ({
  format: result.format,
  verdict: result.verdict,
  findings: result.findings,
});

/** Whole-buffer findings are the reference; on-disk-only corpus files (with siblings) are scanned elsewhere. */
const IN_MEMORY = SCAN_CORPUS.filter((file) => file.siblings === undefined);

/** `os.system` reached through names stored in one frame and fetched from the memo in the next. */
function acrossFrames(): Uint8Array {
  const first = pickle(
    op.su("os"),
    op.memoize,
    op.su("system"),
    op.memoize,
    op.su("decoy"),
    op.longBinput(70_000),
    op.pop,
    op.pop,
    op.pop,
  );
  const second = pickle(
    op.binget(0),
    op.binget(1),
    op.stackGlobal,
    op.longBinget(70_000),
    op.tuple1,
    op.reduce,
    op.stop,
  );
  return pickle(op.proto(4), op.frame(first.length), first, op.frame(second.length), second);
}

const MB = 1024 * 1024;

/** Opcodes that do nothing in total (bytes pushed, then popped) filling exactly `length` bytes (> 47). */
function filler(length: number): number[][] {
  const parts: number[][] = [];
  let left = length;
  while (left > 300) {
    parts.push(op.shortBinbytes(new Uint8Array(250)), op.pop);
    left -= 253;
  }
  if (left > 258) {
    parts.push(op.shortBinbytes(new Uint8Array(97)), op.pop);
    left -= 100;
  }
  parts.push(op.shortBinbytes(new Uint8Array(left - 3)), op.pop);
  return parts;
}

/**
 * A 3 MB pickle whose names straddle the 1 MB read chunks of a file: "system" across the first boundary,
 * "os" with its opcode byte last before the second, a GLOBAL's lines across the third; the first two are
 * memoized and fetched for a STACK_GLOBAL at the end.
 */
function straddling(): Uint8Array {
  const parts: Array<number[] | Uint8Array> = [op.proto(4)];
  let length = 2;
  const at = (offset: number, ...opcodes: number[][]) => {
    for (const part of filler(offset - length)) parts.push(part);
    for (const part of opcodes) parts.push(part);
    length = offset + opcodes.reduce((sum, part) => sum + part.length, 0);
  };
  at(MB - 3, op.su("system"), op.memoize);
  at(2 * MB - 1, op.su("os"), op.memoize);
  at(3 * MB - 6, op.global("subprocess", "Popen"), op.pop);
  parts.push(op.binget(1), op.binget(0), op.stackGlobal, op.pop, op.none, op.stop);
  return pickle(...parts);
}

describe("scanner reads across chunk boundaries", () => {
  test("every corpus file gets the same findings whatever the chunk sizes", async () => {
    assert.ok(IN_MEMORY.length > 60, `${IN_MEMORY.length} files`);
    for (const file of IN_MEMORY) {
      const whole = summary(
        await scanFile(file.bytes, { name: file.name, ...(file.limits ? { limits: file.limits } : {}) }),
      );
      // Small chunks; and a small one before large ones (the next chunk is read on past a short stitch).
      for (const sizes of [[1], [2], [3], [7, 1, 5], [4093, 3], [1, 8191], [5, 4100]]) {
        const chunked = summary(await scanChunked(file.bytes, file.name, sizes, file.limits));
        assert.deepEqual(chunked, whole, `${file.name} (${file.why}) in chunks of ${sizes.join(",")}`);
      }
    }
  });

  test("an import name split anywhere between two chunks is still resolved", async () => {
    const globalLines = pickle(op.global("os", "system"), op.su("id"), op.tuple1, op.reduce, op.stop);
    const binstrings = pickle(op.proto(2), op.bu("os"), op.bu("system"), op.stackGlobal, op.stop);
    for (const bytes of [OS_SYSTEM, globalLines, binstrings]) {
      for (let split = 1; split < bytes.length; split++) {
        const result = await scanChunked(bytes, "model.pkl", [split, bytes.length]);
        assert.equal(result.verdict, "unsafe", `split at ${split}`);
        assert.deepEqual(
          result.findings.map((finding) => [finding.rule, finding.import]),
          [["pickle.import.denied", "os.system"]],
          `split at ${split}`,
        );
      }
    }
  });

  test("memo entries stored in one frame resolve names in the next, across any chunk boundary", async () => {
    const bytes = acrossFrames();
    const whole = await scanFile(bytes, { name: "framed.pkl" });
    assert.equal(whole.verdict, "unsafe");
    assert.deepEqual(
      whole.findings.map((finding) => [finding.rule, finding.import]),
      [["pickle.import.denied", "os.system"]],
    );
    for (let split = 1; split < bytes.length; split++) {
      const result = await scanChunked(bytes, "framed.pkl", [split, 5]);
      assert.deepEqual(summary(result), summary(whole), `split at ${split}`);
    }
  });

  test("a string operand that ends past the data is a stream without STOP, not a short name", async () => {
    const cut = OS_SYSTEM.subarray(0, 8); // PROTO, SHORT_BINUNICODE "os", SHORT_BINUNICODE of 6 bytes, 2 given
    for (const sizes of [[1], [3], [8]]) {
      const result = await scanChunked(cut, "model.pkl", sizes);
      assert.equal(result.verdict, "unsafe");
      assert.deepEqual(
        result.findings.map((finding) => finding.rule),
        ["pickle.no-stop"],
      );
    }
  });

  test("lists of numbers are walked, and the strings after them are still remembered", async () => {
    const numbers: number[][] = [];
    for (let i = 0; i < 5000; i++) numbers.push(i % 2 ? op.binint1(i & 0xff) : op.binfloat(i / 3));
    // A legacy-style list whose string items come after 5,000 numbers, then an import built from two of them.
    const bytes = pickle(
      op.proto(4),
      op.emptyList,
      op.memoize,
      op.mark,
      ...numbers,
      op.su("os"),
      op.memoize,
      op.su("system"),
      op.memoize,
      op.appends,
      op.binget(1),
      op.binget(2),
      op.stackGlobal,
      op.tuple2,
      op.stop,
    );
    for (const sizes of [[bytes.length], [4099, 1]]) {
      const result = await scanChunked(bytes, "numbers.pkl", sizes);
      assert.deepEqual(
        result.findings.map((finding) => [finding.rule, finding.import]),
        [["pickle.import.denied", "os.system"]],
      );
    }
  });

  test("a file read in recycled 1 MB buffers: names across every boundary resolve", async () => {
    const bytes = straddling();
    const dir = await mkdtemp(join(tmpdir(), "hangar-scan-chunks-"));
    try {
      const path = join(dir, "straddling.pkl");
      await writeFile(path, bytes);
      const result = await scanFile(path);
      assert.deepEqual(
        result.findings.map((finding) => [finding.import, finding.offset]),
        [
          ["subprocess.Popen", 3 * MB - 6],
          ["os.system", bytes.length - 4],
        ],
      );
      assert.deepEqual(result.findings, (await scanFile(bytes, { name: "straddling.pkl" })).findings);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("payloads seeked over (over 4 MB) between names: each seek reads on in the buffers the last one gave back", async () => {
    const payload = op.binbytes(new Uint8Array(5 * MB).fill(0x2e));
    const bytes = pickle(
      op.proto(4),
      ...[payload, op.pop, op.su("os"), op.memoize, op.pop],
      ...[payload, op.pop, op.su("system"), op.memoize, op.pop],
      ...[payload, op.pop, op.binget(0), op.binget(1), op.stackGlobal],
      op.stop,
    );
    const dir = await mkdtemp(join(tmpdir(), "hangar-scan-chunks-"));
    try {
      const path = join(dir, "payloads.pkl");
      await writeFile(path, bytes);
      const result = await scanFile(path);
      assert.deepEqual(
        result.findings.map((finding) => [finding.rule, finding.import, finding.offset]),
        [["pickle.import.denied", "os.system", bytes.length - 2]],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("two cursors over one file, seeking in turn, each read their own bytes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hangar-scan-chunks-"));
    await writeFile(join(dir, "data.bin"), patternBytes());
    const source = await openFileSource(join(dir, "data.bin"));
    try {
      await checkTwoSeekingCursors(source);
    } finally {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
