import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { imports, numbers, POP_MARK, SAME_KIND, scanEverySplit, seen } from "../helpers/scan-number-runs.ts";

/** The stack operations inside a run, the streams a run makes malformed, and the stack limit in a run. */

describe("runs of numbers in the pickle walk: MARKs, POPs, FRAMEs, truncation and the stack limit", () => {
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
});
