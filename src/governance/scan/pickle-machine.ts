import {
  ENTRY_BYTES,
  PickleError,
  type PickleState,
  persistent,
  recordImport,
  report,
  retain,
  type Value,
} from "./pickle-state.ts";
import { escapeDecode, rawUnicodeDecode } from "./pickle-strings.ts";
import type { ScanLimits } from "./types.ts";

/** Strings longer than this are never module or class names and are not decoded. */
export const MAX_NAME_STRING = 64 * 1024;
/**
 * Strings longer than this are remembered by the memo as a string of unknown text: no module or class name
 * is this long, and an import built from one is unresolved (unsafe) anyway. Keeps text-heavy pickles (every
 * string memoized) within the memo's memory budget.
 */
export const MAX_MEMO_STRING = 1024;

/** Values that carry nothing the scan needs, shared (values are never mutated, except objects' state). */
export const SCALAR: Value = { k: "scalar" };
export const BYTES: Value = { k: "bytes" };
export const UNKNOWN_STR: Value = { k: "str", v: undefined };
export const EMPTY_TUPLE: Value = { k: "tuple", items: [] };

/** Int values 0..65535, made on first use and shared: BININT1/BININT2 runs allocate nothing. */
const SMALL_INTS: Value[] = new Array(65536);
export function intValue(n: number): Value {
  if (n >= 0 && n < 65536) {
    let value = SMALL_INTS[n];
    if (value === undefined) {
      value = { k: "int", v: BigInt(n) };
      SMALL_INTS[n] = value;
    }
    return value;
  }
  return { k: "int", v: BigInt(n) };
}

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string })
  .latin1Slice;

/** `buf[start, end)` decoded as UTF-8 (as TextDecoder does); ASCII, the usual case, without a copy. */
export function decodeText(buf: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return utf8.decode(buf.subarray(start, end));
  return latin1Slice.call(buf, start, end);
}

/**
 * Whether a list or set remembers an item: numbers and byte payloads are never read back out of one (only
 * strings, tuples and objects are: legacy storage keys, joblib and numpy state), and remembering them made
 * long numeric lists cost most of the walk.
 */
const remembered = (item: Value): boolean => item.k !== "scalar" && item.k !== "int" && item.k !== "bytes";

/**
 * The pickle machine's stack, marks and memo for one stream, and the opcodes' effects on them. The opcode
 * loop (pickle-vm.ts) reads operands; everything here is synchronous. The stack is `stack[0, sp)`: the array
 * only grows, so long runs of pushes and pops do not reallocate it. `floor` is the top mark (0 without one):
 * popping below it is an underflow. MARK and runs of numbers are pickle-runs.ts's.
 */
export class Machine {
  readonly stack: Value[] = [];
  sp = 0;
  readonly marks: number[] = [];
  floor = 0;
  /** Sparse by index; `memoCount` entries are set (MEMOIZE stores at that index, as CPython's `len(memo)`). */
  readonly memo: Array<Value | undefined> = [];
  memoCount = 0;
  importsHere = 0;
  /** Set by a BUILD of joblib's array wrapper: its state, and the BUILD's offset. */
  joblibState: Value = SCALAR;
  joblibAt = 0;
  readonly limits: ScanLimits;
  /** Items a container keeps (KEEP_ITEMS; a legacy file's storage key list keeps one per storage). */
  readonly keepItems: number;
  /** Estimated bytes this stream's memo holds (charged to `state.retained`, given back at its STOP). */
  memoBytes = 0;

  constructor(readonly state: PickleState) {
    this.limits = state.ctx.limits;
    this.keepItems = state.keepItems;
  }

  fail(message: string, at: number): never {
    throw new PickleError(message, at);
  }

  limit(message: string, at: number): never {
    this.state.limited = true;
    throw new PickleError(message, at);
  }

  push(value: Value, here: number): void {
    if (this.sp >= this.limits.maxStack) this.limit(`stack deeper than ${this.limits.maxStack}`, here);
    this.stack[this.sp++] = value;
  }

  pop(here: number): Value {
    if (this.sp <= this.floor) this.fail("stack underflow", here);
    return this.stack[--this.sp]!;
  }

  top(here: number): Value {
    if (this.sp <= this.floor) this.fail("stack underflow", here);
    return this.stack[this.sp - 1]!;
  }

  /** Pops the top mark; returns where it was (the items above it are `stack[mark, sp)`). */
  private popMarkIndex(here: number): number {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail("no MARK to pop to", here);
    this.floor = this.marks.length === 0 ? 0 : this.marks[this.marks.length - 1]!;
    return mark!;
  }

  popMark(here: number): Value[] {
    const mark = this.popMarkIndex(here);
    const items = this.stack.slice(mark, this.sp);
    this.sp = mark;
    return items;
  }

  putMemo(index: number, here: number): void {
    if (index < 0) this.fail("negative memo index", here);
    const had = this.memo[index] !== undefined;
    let value = this.top(here);
    if (value.k === "str" && value.v !== undefined && value.v.length > MAX_MEMO_STRING) value = UNKNOWN_STR;
    if (!had) {
      const bytes = ENTRY_BYTES + (value.k === "str" && value.v !== undefined ? value.v.length : 0);
      this.memoBytes += bytes;
      retain(this.state, bytes, here);
      this.memoCount++;
    }
    this.memo[index] = value;
  }

  getMemo(index: number, here: number): void {
    const value = this.memo[index];
    if (value === undefined) this.fail(`memo key ${index} was never stored`, here);
    this.push(value!, here);
  }

  /** APPEND: the top item goes into the list or set below it. */
  append(here: number): void {
    if (this.sp - this.floor < 2) this.fail("stack underflow", here);
    const item = this.stack[--this.sp]!;
    const container = this.stack[this.sp - 1]!;
    if (
      (container.k === "list" || container.k === "set") &&
      container.items.length < this.keepItems &&
      remembered(item)
    )
      container.items.push(item);
  }

  /** APPENDS and ADDITEMS: the items above the mark go into the container below it, without copying them. */
  appendMarked(here: number): void {
    const stack = this.stack;
    const mark = this.popMarkIndex(here);
    if (mark === 0 || this.sp < mark) this.fail("stack underflow", here);
    if (mark - 1 < this.floor) this.fail("stack underflow", here);
    const container = stack[mark - 1]!;
    if (container.k === "list" || container.k === "set") {
      for (let i = mark; i < this.sp && container.items.length < this.keepItems; i++) {
        const item = stack[i]!;
        if (remembered(item)) container.items.push(item);
      }
    }
    this.sp = mark;
  }

  /** SETITEM: key and value go into the dict below them. */
  setItem(here: number): void {
    if (this.sp - this.floor < 3) this.fail("stack underflow", here);
    const stack = this.stack;
    const value = stack[--this.sp]!;
    const key = stack[--this.sp]!;
    const dict = stack[this.sp - 1]!;
    if (dict.k === "dict" && dict.entries.length < this.keepItems) dict.entries.push([key, value]);
  }

  /** SETITEMS: the pairs above the mark go into the dict below it, without copying them. */
  setItemsMarked(here: number): void {
    const stack = this.stack;
    const mark = this.popMarkIndex(here);
    if (mark <= this.floor || this.sp < mark) this.fail("stack underflow", here);
    if ((this.sp - mark) % 2 !== 0) this.fail("odd number of items for SETITEMS", here);
    const dict = stack[mark - 1]!;
    if (dict.k === "dict") {
      for (let i = mark; i < this.sp && dict.entries.length < this.keepItems; i += 2)
        dict.entries.push([stack[i]!, stack[i + 1]!]);
    }
    this.sp = mark;
  }

  /** DICT: a dict of the pairs above the mark. */
  dict(here: number): Value {
    const items = this.popMark(here);
    if (items.length % 2 !== 0) this.fail("odd number of items for SETITEMS", here);
    const dict: Value = { k: "dict", entries: [] };
    for (let i = 0; i < items.length && dict.entries.length < this.keepItems; i += 2)
      dict.entries.push([items[i]!, items[i + 1]!]);
    return dict;
  }

  /** TUPLE1..3. */
  tuple(n: number, here: number): Value {
    if (this.sp - this.floor < n) this.fail("stack underflow", here);
    this.sp -= n;
    return { k: "tuple", items: this.stack.slice(this.sp, this.sp + n) };
  }

  call(cls: Value, args: Value, opcode: string, at: number): Value {
    const state = this.state;
    state.calls++;
    if (cls.k !== "global" && cls.k !== "obj") {
      report(state, `call-non-callable@${at}`, {
        rule: "pickle.call.non-callable",
        severity: "unsafe",
        message: `${opcode} calls a ${cls.k}, which no data pickle does`,
        offset: at,
      });
    } else if (cls.k === "obj") {
      report(state, `call-computed|${at}`, {
        rule: "pickle.call.computed",
        severity: "suspicious",
        message: `${opcode} calls the result of another call`,
        offset: at,
      });
    }
    return { k: "obj", cls, args };
  }

  import(module: string | undefined, name: string | undefined, at: number, opcode: string): Value {
    this.importsHere++;
    return recordImport(this.state, module, name, at, opcode);
  }

  /**
   * The opcodes with text-line operands (protocol 0), given their line(s) without the `\n`: undefined for a
   * line longer than MAX_NAME_STRING, which was skipped. `at` is the opcode's offset, `here` past its lines.
   */
  lineOp(
    op: number,
    first: Uint8Array | undefined,
    second: Uint8Array | undefined,
    at: number,
    here: number,
  ) {
    const short = (what: string): string => {
      if (first === undefined) this.fail(`${what} operand longer than ${MAX_NAME_STRING} bytes`, at);
      return latin1.decode(first);
    };
    switch (op) {
      case 0x46: // FLOAT
        this.push(SCALAR, here);
        return;
      case 0x49: {
        // INT (and TRUE/FALSE as I01/I00)
        const digits = short("INT").trim();
        if (!/^[+-]?\d+$/.test(digits))
          this.fail(`INT operand ${JSON.stringify(digits.slice(0, 40))} is not a number`, at);
        this.push({ k: "int", v: BigInt(digits) }, here);
        return;
      }
      case 0x4c: {
        // LONG
        const digits = short("LONG").trim().replace(/L$/, "");
        if (!/^[+-]?\d+$/.test(digits)) this.fail("LONG operand is not a number", at);
        this.push({ k: "int", v: BigInt(digits) }, here);
        return;
      }
      case 0x53: {
        // STRING: a quoted, backslash-escaped literal
        if (first === undefined) {
          this.push(UNKNOWN_STR, here);
          return;
        }
        const quote = first[0];
        if (first.length < 2 || (quote !== 0x27 && quote !== 0x22) || first[first.length - 1] !== quote)
          this.fail("STRING operand is not quoted", at);
        this.push({ k: "str", v: escapeDecode(first.subarray(1, first.length - 1)) }, here);
        return;
      }
      case 0x56: // UNICODE
        this.push(first === undefined ? UNKNOWN_STR : { k: "str", v: rawUnicodeDecode(first) }, here);
        return;
      case 0x70: {
        // PUT
        const digits = short("PUT");
        if (!/^\d+$/.test(digits)) this.fail("PUT operand is not a number", at);
        this.putMemo(Number(digits), here);
        return;
      }
      case 0x67: {
        // GET
        const digits = short("GET");
        if (!/^\d+$/.test(digits)) this.fail("GET operand is not a number", at);
        this.getMemo(Number(digits), here);
        return;
      }
      case 0x50: {
        // PERSID
        const id: Value = first === undefined ? UNKNOWN_STR : { k: "str", v: latin1.decode(first) };
        persistent(this.state, id, at);
        this.push({ k: "pid", id }, here);
        return;
      }
      case 0x63: // GLOBAL
      case 0x69: {
        // INST: import, then call with the items above the mark
        const opcode = op === 0x63 ? "GLOBAL" : "INST";
        const decode = (bytes: Uint8Array | undefined) =>
          bytes === undefined ? undefined : utf8.decode(bytes);
        const cls = this.import(decode(first), decode(second), at, opcode);
        if (op === 0x63) this.push(cls, here);
        else this.push(this.call(cls, { k: "tuple", items: this.popMark(here) }, "INST", at), here);
        return;
      }
      default:
        this.fail(`opcode 0x${op.toString(16)} has no line operand`, at);
    }
  }
}

/** Opcodes whose operands are lines, and how many. */
export function linesOf(op: number): number {
  switch (op) {
    case 0x46:
    case 0x49:
    case 0x4c:
    case 0x53:
    case 0x56:
    case 0x70:
    case 0x67:
    case 0x50:
      return 1;
    case 0x63:
    case 0x69:
      return 2;
    default:
      return 0;
  }
}
