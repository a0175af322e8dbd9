import { dictGet, PickleError, type PickleState, strOf, type Value } from "./pickle-state.ts";
import { numpyItemSize } from "./pickle-strings.ts";
import type { Cursor } from "./source.ts";

/**
 * joblib writes each numpy array's bytes right after the wrapper's BUILD, inside the pickle stream: an
 * alignment byte and padding, then the raw data (or, for object arrays, a nested pickle).
 */
export async function skipJoblibArray(
  c: Cursor,
  state: PickleState,
  wrapperState: Value,
  at: number,
  walk: (c: Cursor, state: PickleState) => Promise<unknown>,
): Promise<void> {
  const dtype = dictGet(wrapperState, "dtype");
  const shape = dictGet(wrapperState, "shape");
  const descr = dtype?.k === "obj" && dtype.args.k === "tuple" ? strOf(dtype.args.items[0]) : undefined;
  if (descr === undefined || shape?.k !== "tuple") {
    throw new PickleError("joblib array wrapper without a readable dtype and shape", at);
  }
  if (descr.includes("O")) {
    await walk(c, state);
    return;
  }
  const itemSize = numpyItemSize(descr);
  let count = 1n;
  for (const dim of shape.items) {
    if (dim.k !== "int" || dim.v < 0n)
      throw new PickleError("joblib array shape is not a tuple of sizes", at);
    count *= dim.v;
  }
  if (itemSize === undefined) throw new PickleError(`joblib array dtype ${descr} has no known size`, at);
  const total = count * BigInt(itemSize);
  if (total > BigInt(Number.MAX_SAFE_INTEGER))
    throw new PickleError("joblib array larger than 2^53 bytes", at);
  if (dictGet(wrapperState, "numpy_array_alignment_bytes")?.k === "int") {
    const padding = await c.u8();
    await c.skip(padding);
  }
  await c.skip(Number(total));
}
