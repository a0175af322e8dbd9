import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { scanFile, scanSource } from "../../src/governance/scan/index.ts";
import { numberBytes } from "../../src/governance/scan/pickle-runs.ts";
import { NUMBER_OPCODES } from "../../src/governance/scan/pickle-wasm.ts";
import { chunkedSource } from "../helpers/chunked-source.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { joblibArray } from "../helpers/scan-builders-containers.ts";
import { imports, numbers, POP_MARK, SAME_KIND, scanEverySplit, seen } from "../helpers/scan-number-runs.ts";

/**
 * The numbers a run leaves on the stack keep their values, and the WebAssembly loop steps over a run as the
 * JavaScript one does.
 */

describe("runs of numbers in the pickle walk: the values they leave and the WebAssembly loop", () => {
  test("the JavaScript and the WebAssembly loops step over the same opcodes by the same lengths", () => {
    // Were they to differ, one loop would stop where the other expects it to go on.
    const wasm = new Map(NUMBER_OPCODES);
    for (let opcode = 0; opcode < 256; opcode++)
      assert.equal(numberBytes(opcode), wasm.get(opcode) ?? 0, `opcode 0x${opcode.toString(16)}`);
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
