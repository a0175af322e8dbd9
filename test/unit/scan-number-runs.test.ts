import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type ScanResult, scanFile, scanSource } from "../../src/governance/scan/index.ts";
import { numberBytes } from "../../src/governance/scan/pickle-runs.ts";
import { NUMBER_OPCODES, stepperMemory } from "../../src/governance/scan/pickle-wasm.ts";
import type { ByteSource } from "../../src/governance/scan/source.ts";
import type { ScanLimits } from "../../src/governance/scan/types.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { chunkedSource, joblibArray } from "../helpers/scan-builders.ts";

/**
 * The walk steps through runs of number opcodes in a fast loop that keeps the numbers out of the stack
 * (pickle-runs.ts; in WebAssembly for chunks read into its memory, pickle-wasm.ts). These files put every
 * kind of edge of such a run where it can go wrong, and each is scanned whole and split into two chunks at
 * every byte (a run then stops and resumes mid-opcode), the chunks in plain and in WebAssembly memory.
 */

/** `count` numbers cycling through every number opcode, as a list or tuple of mixed values pickles. */
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

const POP_MARK = [0x31];

/** `count` numbers of one kind, each such list as a function, as real lists of ids, sizes or floats are. */
const SAME_KIND = [
  (count: number) => Array.from({ length: count }, (_, i) => op.binint1(i & 0xff)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binint2((i * 251) & 0xffff)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binint(i * 7919 - 50_000)),
  (count: number) => Array.from({ length: count }, (_, i) => op.binfloat(i / 7)),
  (count: number) => Array.from({ length: count }, () => op.none),
];

type Seen = Array<[string, string | undefined, number | undefined]>;
const seen = (result: ScanResult): Seen =>
  result.findings.map((finding) => [finding.rule, finding.message, finding.offset]);

/** Scans `bytes` whole and in two chunks split at every byte: the same findings each time, returned. */
async function scanEverySplit(bytes: Uint8Array, limits?: Partial<ScanLimits>): Promise<ScanResult> {
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

const imports = (result: ScanResult) => result.findings.map((finding) => [finding.rule, finding.import]);

describe("runs of numbers in the pickle walk", () => {
  test("the JavaScript and the WebAssembly loops step over the same opcodes by the same lengths", () => {
    // Were they to differ, one loop would stop where the other expects it to go on.
    const wasm = new Map(NUMBER_OPCODES);
    for (let opcode = 0; opcode < 256; opcode++)
      assert.equal(numberBytes(opcode), wasm.get(opcode) ?? 0, `opcode 0x${opcode.toString(16)}`);
  });

  test("a name built on the stack after a run of numbers is resolved by STACK_GLOBAL", async () => {
    const bytes = pickle(
      op.proto(4),
      op.emptyList,
      op.mark,
      ...numbers(50),
      op.appends,
      op.pop,
      op.su("os"),
      op.su("system"),
      op.stackGlobal,
      op.stop,
    );
    const result = await scanEverySplit(bytes);
    assert.equal(result.verdict, "unsafe");
    assert.deepEqual(imports(result), [["pickle.import.denied", "os.system"]]);
    assert.equal(result.findings[0]!.offset, bytes.length - 2, "the STACK_GLOBAL's offset");
  });

  test("names pushed before a run are still there once its numbers are popped, appended or dropped to a MARK", async () => {
    const bytes = pickle(
      op.proto(4),
      op.su("os"),
      op.su("system"),
      op.mark,
      ...numbers(20),
      op.mark,
      ...numbers(5),
      POP_MARK,
      ...numbers(3),
      POP_MARK,
      ...numbers(2),
      op.pop,
      op.pop,
      op.stackGlobal,
      op.stop,
    );
    const result = await scanEverySplit(bytes);
    assert.deepEqual(imports(result), [["pickle.import.denied", "os.system"]]);
  });

  test("a name memoized before a run and fetched after it resolves; a number memoized in a run is not a name", async () => {
    const fetched = pickle(
      op.proto(4),
      op.su("builtins"),
      op.memoize,
      op.pop,
      op.emptyList,
      op.mark,
      ...numbers(30),
      op.appends,
      op.pop,
      op.binget(0),
      op.su("eval"),
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(fetched)), [["pickle.import.denied", "builtins.eval"]]);
    // A number memoized from the middle of a run, then used as a module name: unresolved, so unsafe.
    const number = pickle(
      op.proto(4),
      op.mark,
      ...numbers(9),
      op.memoize,
      ...numbers(4),
      POP_MARK,
      op.binget(0),
      op.su("system"),
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(number)), [["pickle.import.unresolved", undefined]]);
  });

  test("numbers pushed after a run pops names pushed before it take their place: no stale name resurfaces", async () => {
    // POPs past the run's own numbers, then numbers where "os" and "system" were.
    const popped = pickle(
      op.proto(4),
      op.su("os"),
      op.su("system"),
      ...numbers(1),
      op.pop,
      op.pop,
      op.pop,
      ...numbers(2),
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(popped)), [["pickle.import.unresolved", undefined]]);
    // The same through a POP_MARK whose MARK is below the names.
    const dropped = pickle(
      op.proto(4),
      op.mark,
      op.su("os"),
      op.su("system"),
      ...numbers(1),
      POP_MARK,
      ...numbers(2),
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(dropped)), [["pickle.import.unresolved", undefined]]);
    // An APPEND of "system" (to a string, which drops it), then a number in its place.
    const appended = pickle(
      op.proto(4),
      op.su("os"),
      op.su("system"),
      ...numbers(1),
      op.pop,
      op.append,
      ...numbers(1),
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(appended)), [["pickle.import.unresolved", undefined]]);
  });

  test("a POP right after a MARK in a run pops the MARK (as CPython 3 does), not the number under it", async () => {
    const bytes = pickle(
      op.proto(4),
      op.su("os"),
      op.su("system"),
      ...numbers(1),
      op.mark,
      op.pop,
      op.pop,
      op.stackGlobal,
      op.stop,
    );
    assert.deepEqual(imports(await scanEverySplit(bytes)), [["pickle.import.denied", "os.system"]]);
  });

  test("a number opcode cut off at the end of the data is a stream without STOP", async () => {
    for (const cut of [[0x4a, 1, 2], [0x4d, 1], [0x4b], [0x47, 1, 2, 3, 4, 5, 6, 7], [0x95, 1, 0, 0]]) {
      const bytes = pickle(op.proto(4), op.emptyList, op.mark, ...numbers(10), cut);
      const result = await scanEverySplit(bytes);
      assert.equal(result.verdict, "unsafe");
      assert.deepEqual(seen(result), [
        ["pickle.no-stop", "the pickle stream ends without STOP", bytes.length],
      ]);
    }
  });

  test("MARKs inside a run nest: a POP_MARK drops the inner numbers, the APPENDS takes the outer ones", async () => {
    const bytes = pickle(
      op.proto(4),
      op.emptyList,
      op.mark,
      ...numbers(4),
      op.mark,
      ...numbers(3),
      POP_MARK,
      ...numbers(2),
      op.appends,
      op.stop,
    );
    const result = await scanEverySplit(bytes);
    assert.equal(result.verdict, "safe");
    assert.deepEqual(result.findings, []);
  });

  test("an APPENDS, APPEND or POP a run cannot take is malformed where the walk always said so", async () => {
    const malformed = (why: string, at: number) => [
      ["pickle.malformed", `the pickle stream is malformed: ${why}`, at],
    ];
    // No list below the MARK (the MARK is at the bottom of the stack).
    const noList = pickle(op.proto(4), op.mark, ...numbers(3), op.appends, op.stop);
    assert.deepEqual(seen(await scanEverySplit(noList)), malformed("stack underflow", noList.length - 1));
    // A second APPENDS with no MARK left.
    const noMark = pickle(op.proto(4), op.emptyList, op.mark, ...numbers(3), op.appends, op.appends, op.stop);
    assert.deepEqual(seen(await scanEverySplit(noMark)), malformed("no MARK to pop to", noMark.length - 1));
    // The list is below another MARK: not reachable from the inner one.
    const hidden = pickle(op.proto(4), op.emptyList, op.mark, op.mark, ...numbers(3), op.appends, op.stop);
    assert.deepEqual(seen(await scanEverySplit(hidden)), malformed("stack underflow", hidden.length - 1));
    // APPEND with nothing to append to, POP past the bottom of the stack.
    const append = pickle(op.proto(4), ...numbers(1), op.append, op.stop);
    assert.deepEqual(seen(await scanEverySplit(append)), malformed("stack underflow", append.length - 1));
    const pop = pickle(op.proto(4), ...numbers(2), op.pop, op.pop, op.pop, op.stop);
    assert.deepEqual(seen(await scanEverySplit(pop)), malformed("no MARK to pop to", pop.length - 1));
    // A FRAME inside a run whose length is past 2^53.
    const frame = pickle(op.proto(4), op.mark, ...numbers(3), [0x95, 0, 0, 0, 0, 0, 0, 0x20, 0], op.stop);
    assert.deepEqual(seen(await scanEverySplit(frame)), malformed("length beyond 2^53", frame.length - 1));
  });

  test("FRAMEs inside a run are stepped over", async () => {
    const bytes = pickle(
      op.proto(4),
      op.frame(40),
      op.emptyList,
      op.mark,
      ...numbers(5),
      op.frame(40),
      ...numbers(5),
      op.appends,
      op.stop,
    );
    const result = await scanEverySplit(bytes);
    assert.equal(result.verdict, "safe");
  });

  test("a run deeper than maxStack stops at the limit, at the number that passes it", async () => {
    // Mixed numbers, and lists of one kind of number only, as real lists of token ids or floats are.
    for (const items of [numbers, ...SAME_KIND]) {
      const bytes = pickle(op.proto(4), op.emptyList, op.mark, ...items(300), op.appends, op.stop);
      const result = await scanEverySplit(bytes, { maxStack: 100 });
      assert.equal(result.verdict, "suspicious");
      // PROTO (2 bytes), EMPTY_LIST, MARK, then 99 numbers fit beside the list; the 100th is one too many.
      const end = 4 + pickle(...items(100)).length;
      assert.deepEqual(seen(result), [
        [
          "pickle.limit",
          "stopped at a resource limit (stack deeper than 100); the rest of the file was not inspected",
          end,
        ],
      ]);
    }
  });

  test("lists of one kind of number are stepped over whole, the names around them kept", async () => {
    for (const items of SAME_KIND) {
      const bytes = pickle(
        op.proto(4),
        op.su("os"),
        op.emptyList,
        op.mark,
        ...items(120),
        op.appends,
        op.emptyList,
        ...items(1),
        op.append,
        op.append,
        op.pop,
        op.mark,
        ...items(60),
        POP_MARK,
        op.su("system"),
        op.stackGlobal,
        op.stop,
      );
      const result = await scanEverySplit(bytes);
      assert.deepEqual(imports(result), [["pickle.import.denied", "os.system"]]);
    }
  });

  test("numbers a run leaves on the stack after popping some of them keep the values of the opcodes still there", async () => {
    // All in one run: 2 and 77, then 5 and 9 above a MARK, dropped by POP_MARK, then 77 popped and 300 pushed
    // where it was: the shape is (2, 300), which 600 items fill exactly.
    const shape = [
      op.binint1(2),
      op.binint2(77),
      op.mark,
      op.binint(5),
      op.binint1(9),
      POP_MARK,
      op.pop,
      op.binint2(300),
    ];
    const ok = joblibArray({ shape, items: 600 });
    for (const sizes of [[ok.length], [1], [3], [7, 1, 5]])
      assert.equal((await scanSource(chunkedSource(ok, sizes), { name: "model.joblib" })).verdict, "safe");
    // Any other count breaks the stream: one item fewer, or as many as shapes with the dropped numbers ask for.
    for (const items of [599, 2 * 77, 5 * 9]) {
      const result = await scanFile(joblibArray({ shape, items }), { name: "model.joblib" });
      assert.notEqual(result.verdict, "safe", `${items} items`);
    }
  });

  test("a run left on the stack by TUPLE and REDUCE: the arguments of a call are counted as the walk counts them", async () => {
    // A denied call whose arguments are a run of numbers, left on the stack, then made a tuple.
    const bytes = pickle(
      op.proto(4),
      op.global("os", "system"),
      op.mark,
      ...numbers(40),
      op.tuple,
      op.reduce,
      op.mark,
      ...numbers(3),
      op.tuple3,
      op.stop,
    );
    const result = await scanEverySplit(bytes);
    assert.equal(result.verdict, "unsafe");
    assert.deepEqual(imports(result), [["pickle.import.denied", "os.system"]]);
    // TUPLE3 takes three numbers above the MARK; the MARK is left, and STOP pops the tuple: a valid stream.
    assert.equal(result.findings.length, 1);
  });

  test("a file read into WebAssembly memory in 1 MB chunks: lists of every kind across the boundaries, and the stack limit past the first chunk", async () => {
    const [binint1, binint2, binint, binfloat, none] = SAME_KIND;
    // As one part each: too many to pass as arguments.
    const flat = (items: number[][]) => Uint8Array.from(items.flat());
    const list = (items: number[][]) => [op.emptyList, op.mark, flat(items), op.appends, op.pop];
    const head = pickle(
      op.proto(4),
      op.su("os"),
      ...list(binint1!(100_000)),
      ...list(binint2!(100_000)),
      ...list(binint!(100_000)),
      op.emptyList,
      op.mark,
    );
    const floats = flat(binfloat!(200_000));
    const bytes = pickle(
      head,
      floats,
      op.appends,
      op.pop,
      ...list(none!(50_000)),
      ...list(numbers(50_000)),
      op.su("system"),
      op.stackGlobal,
      op.stop,
    );
    const dir = await mkdtemp(join(tmpdir(), "hangar-scan-runs-"));
    try {
      const path = join(dir, "lists.pkl");
      await writeFile(path, bytes);
      const result = await scanFile(path);
      assert.deepEqual(imports(result), [["pickle.import.denied", "os.system"]]);
      assert.deepEqual(result.findings, (await scanFile(bytes, { name: path })).findings);
      // "os" and the float list are on the stack: the float that makes it 150,000 deep is one too many.
      const limits = { maxStack: 150_000 };
      const limited = await scanFile(path, { limits });
      assert.deepEqual(seen(limited), [
        [
          "pickle.limit",
          "stopped at a resource limit (stack deeper than 150000); the rest of the file was not inspected",
          head.length + 149_999 * 9,
        ],
      ]);
      assert.ok(head.length + 149_999 * 9 > 2 * 1024 * 1024, "past the first two chunks");
      assert.deepEqual(limited.findings, (await scanFile(bytes, { name: path, limits })).findings);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("numbers left on the stack keep their values: a joblib array's shape from every number opcode", async () => {
    const shape = [op.binint1(2), op.binint2(300), op.binint(1), op.binint1(1)];
    const items = 2 * 300;
    const ok = joblibArray({ shape, items });
    for (const sizes of [[ok.length], [1], [3], [7, 1, 5]])
      assert.equal((await scanSource(chunkedSource(ok, sizes), { name: "model.joblib" })).verdict, "safe");
    // One item fewer than the shape says: the data runs into the rest of the stream, which is then garbage.
    const short = joblibArray({ shape, items: items - 1 });
    assert.notEqual((await scanFile(short, { name: "model.joblib" })).verdict, "safe");
    // None is not a size.
    const none = joblibArray({ shape: [op.binint1(2), op.none], items: 2 });
    const result = await scanFile(none, { name: "model.joblib" });
    assert.equal(result.verdict, "unsafe");
    assert.match(result.findings[0]!.message, /joblib array shape is not a tuple of sizes/);
  });
});
