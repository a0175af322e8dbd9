import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { imports, numbers, POP_MARK, SAME_KIND, scanEverySplit } from "../helpers/scan-number-runs.ts";

/** Names pushed, built or memoized around a run of numbers resolve as if every number had been pushed. */

describe("runs of numbers in the pickle walk: the names around them", () => {
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
});
