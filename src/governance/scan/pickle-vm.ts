import { skipJoblibArray } from "./joblib-frame.ts";
import {
  PickleError,
  type PickleState,
  persistent,
  recordImport,
  report,
  type StreamResult,
  strOf,
  type Value,
} from "./pickle-state.ts";
import { escapeDecode, littleEndianSigned, rawUnicodeDecode } from "./pickle-strings.ts";
import { type Cursor, EndOfData } from "./source.ts";

export { newPickleState, PickleError, type PickleState, type Value } from "./pickle-state.ts";
export { escapeDecode, numpyItemSize } from "./pickle-strings.ts";

/** Items kept per container; more are counted by the stack but not remembered. */
const KEEP_ITEMS = 4096;
/** Strings longer than this are never module or class names and are not decoded. */
const MAX_NAME_STRING = 64 * 1024;

const SCALAR: Value = { k: "scalar" };
/** BININT1 values, shared (they are never mutated). */
const SMALL_INTS: Value[] = Array.from({ length: 256 }, (_, n) => ({ k: "int", v: BigInt(n) }));

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/**
 * Walks one pickle stream from the cursor to its STOP. Throws PickleError (malformed stream), EndOfData (no
 * STOP) or returns the value STOP would return. Findings go to `state.ctx`.
 */
export async function walkPickleStream(c: Cursor, state: PickleState): Promise<StreamResult> {
  const { limits } = state.ctx;
  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  let importsHere = 0;
  const fail = (message: string, at = c.offset): never => {
    throw new PickleError(message, at);
  };
  const pop = (): Value => {
    if (stack.length <= (marks.at(-1) ?? 0)) fail("stack underflow");
    return stack.pop()!;
  };
  const top = (): Value => {
    if (stack.length <= (marks.at(-1) ?? 0)) fail("stack underflow");
    return stack[stack.length - 1]!;
  };
  const popMark = (): Value[] => {
    const mark = marks.pop();
    if (mark === undefined) fail("no MARK to pop to");
    return stack.splice(mark!);
  };
  const push = (value: Value) => {
    if (stack.length >= limits.maxStack) {
      state.limited = true;
      fail(`stack deeper than ${limits.maxStack}`);
    }
    stack.push(value);
  };
  const putMemo = (index: number) => {
    if (index < 0) fail("negative memo index");
    if (memo.size >= limits.maxMemo && !memo.has(index)) {
      state.limited = true;
      fail(`memo larger than ${limits.maxMemo}`);
    }
    memo.set(index, top());
  };
  const getMemo = (index: number) => {
    const value = memo.get(index);
    if (value === undefined) fail(`memo key ${index} was never stored`);
    push(value!);
  };
  const fixed = (n: number): number => {
    if (c.available < n) throw new EndOfData(c.offset + c.available);
    const at = c.pos;
    c.pos += n;
    return at;
  };
  const u32 = (): number => {
    const b = c.buf;
    const p = fixed(4);
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  };
  const u64 = (): number => {
    const low = u32();
    const high = u32();
    if (high >= 0x200000) fail("length beyond 2^53");
    return high * 0x100000000 + low;
  };
  /** A text operand; undefined (skipped, never held) when longer than any name or number needs. */
  const line = async (): Promise<Uint8Array | undefined> => {
    const bytes = await c.line(MAX_NAME_STRING);
    if (bytes !== null) return bytes;
    await c.skipLine();
    return undefined;
  };
  const shortLine = async (what: string, at: number): Promise<string> => {
    const bytes = await line();
    if (bytes === undefined) fail(`${what} operand longer than ${MAX_NAME_STRING} bytes`, at);
    return latin1.decode(bytes!);
  };
  const text = async (length: number): Promise<Value> => {
    if (length > MAX_NAME_STRING) {
      await c.skip(length);
      return { k: "str", v: undefined };
    }
    return { k: "str", v: utf8.decode(await c.take(length)) };
  };
  const bytes = async (length: number): Promise<Value> => {
    await c.skip(length);
    return { k: "bytes", n: length };
  };
  const appendTo = (container: Value, items: Value[]) => {
    if (container.k === "list" || container.k === "set") {
      for (const item of items)
        if (item !== SCALAR && container.items.length < KEEP_ITEMS) container.items.push(item);
    }
  };
  /** APPENDS and ADDITEMS: the items above the mark go into the container below it, without copying them. */
  const appendMarked = () => {
    const mark = marks.pop();
    if (mark === undefined) fail("no MARK to pop to");
    if (mark! === 0 || stack.length < mark!) fail("stack underflow");
    const container = stack[mark! - 1]!;
    if (mark! - 1 < (marks.at(-1) ?? 0)) fail("stack underflow");
    if (container.k === "list" || container.k === "set") {
      for (let i = mark!; i < stack.length && container.items.length < KEEP_ITEMS; i++) {
        const item = stack[i]!;
        if (item !== SCALAR) container.items.push(item);
      }
    }
    stack.length = mark!;
  };
  const setItems = (container: Value, items: Value[]) => {
    if (items.length % 2 !== 0) fail("odd number of items for SETITEMS");
    if (container.k !== "dict") return;
    for (let i = 0; i < items.length; i += 2) {
      if (container.entries.length < KEEP_ITEMS) container.entries.push([items[i]!, items[i + 1]!]);
    }
  };
  const call = (cls: Value, args: Value, opcode: string, at: number): Value => {
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
  };
  const importLines = async (opcode: string, at: number): Promise<Value> => {
    const moduleBytes = await line();
    const nameBytes = await line();
    importsHere++;
    const decode = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : utf8.decode(bytes));
    return recordImport(state, decode(moduleBytes), decode(nameBytes), at, opcode);
  };

  for (;;) {
    if (c.available < 16) await c.ensure(16);
    if (c.available === 0) throw new EndOfData(c.offset);
    const at = c.offset;
    if (++state.opcodes > limits.maxOpcodes) {
      state.limited = true;
      fail(`more than ${limits.maxOpcodes} opcodes`);
    }
    const op = c.buf[c.pos++]!;
    // Fast path for the opcodes that dominate large pickles (floats and small ints in long lists).
    if (op === 0x47 || op === 0x4b) {
      const width = op === 0x47 ? 8 : 1;
      if (c.buf.length - c.pos < width) throw new EndOfData(c.offset);
      const value = op === 0x47 ? SCALAR : SMALL_INTS[c.buf[c.pos]!]!;
      c.pos += width;
      if (stack.length >= limits.maxStack) push(value);
      else stack.push(value);
      continue;
    }
    switch (op) {
      case 0x80: {
        // PROTO
        const version = c.buf[fixed(1)]!;
        if (version > 5) fail(`unsupported protocol ${version}`, at);
        break;
      }
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), imports: importsHere };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (stack.length > (marks.at(-1) ?? 0)) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x46: // FLOAT
        await line();
        push(SCALAR);
        break;
      case 0x49: {
        // INT (and TRUE/FALSE as I01/I00)
        const digits = (await shortLine("INT", at)).trim();
        if (!/^[+-]?\d+$/.test(digits))
          fail(`INT operand ${JSON.stringify(digits.slice(0, 40))} is not a number`, at);
        push({ k: "int", v: BigInt(digits) });
        break;
      }
      case 0x4c: {
        // LONG
        const digits = (await shortLine("LONG", at)).trim().replace(/L$/, "");
        if (!/^[+-]?\d+$/.test(digits)) fail("LONG operand is not a number", at);
        push({ k: "int", v: BigInt(digits) });
        break;
      }
      case 0x4a: // BININT
        push({ k: "int", v: BigInt(u32() | 0) });
        break;
      case 0x4d: {
        // BININT2
        const p = fixed(2);
        push({ k: "int", v: BigInt(c.buf[p]! | (c.buf[p + 1]! << 8)) });
        break;
      }
      case 0x8a: {
        // LONG1
        const n = c.buf[fixed(1)]!;
        push({ k: "int", v: littleEndianSigned(await c.take(n)) });
        break;
      }
      case 0x8b: {
        // LONG4
        const n = u32() | 0;
        if (n < 0) fail("negative LONG4 length", at);
        if (n > 4096) {
          await c.skip(n);
          push(SCALAR);
        } else push({ k: "int", v: littleEndianSigned(await c.take(n)) });
        break;
      }
      case 0x47: // BINFLOAT
        fixed(8);
        push(SCALAR);
        break;
      case 0x4e: // NONE
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        push(SCALAR);
        break;
      case 0x53: {
        // STRING: a quoted, backslash-escaped literal
        const raw = await line();
        if (raw === undefined) {
          push({ k: "str", v: undefined });
          break;
        }
        const quote = raw[0];
        if (raw.length < 2 || (quote !== 0x27 && quote !== 0x22) || raw[raw.length - 1] !== quote) {
          fail("STRING operand is not quoted", at);
        }
        push({ k: "str", v: escapeDecode(raw.subarray(1, raw.length - 1)) });
        break;
      }
      case 0x54: {
        // BINSTRING
        const n = u32() | 0;
        if (n < 0) fail("negative BINSTRING length", at);
        push(await text(n));
        break;
      }
      case 0x55: // SHORT_BINSTRING
        push(await text(c.buf[fixed(1)]!));
        break;
      case 0x56: {
        // UNICODE
        const raw = await line();
        push({ k: "str", v: raw === undefined ? undefined : rawUnicodeDecode(raw) });
        break;
      }
      case 0x58: // BINUNICODE
        push(await text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(await text(c.buf[fixed(1)]!));
        break;
      case 0x8d: // BINUNICODE8
        push(await text(u64()));
        break;
      case 0x42: // BINBYTES
        push(await bytes(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(await bytes(c.buf[fixed(1)]!));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(await bytes(u64()));
        break;
      case 0x97: // NEXT_BUFFER
        push({ k: "bytes", n: 0 });
        break;
      case 0x98: // READONLY_BUFFER
        top();
        break;
      case 0x29: // EMPTY_TUPLE
        push({ k: "tuple", items: [] });
        break;
      case 0x74: // TUPLE
        push({ k: "tuple", items: popMark() });
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const n = op - 0x84;
        const items: Value[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        push({ k: "tuple", items });
        break;
      }
      case 0x5d: // EMPTY_LIST
        push({ k: "list", items: [] });
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        push({ k: "list", items: items.slice(0, KEEP_ITEMS) });
        break;
      }
      case 0x7d: // EMPTY_DICT
        push({ k: "dict", entries: [] });
        break;
      case 0x64: {
        // DICT
        const dict: Value = { k: "dict", entries: [] };
        setItems(dict, popMark());
        push(dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        push({ k: "set", items: [] });
        break;
      case 0x91: // FROZENSET
        push({ k: "set", items: popMark().slice(0, KEEP_ITEMS) });
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        appendTo(top(), [item]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: // ADDITEMS
        appendMarked();
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x70: {
        // PUT
        const digits = await shortLine("PUT", at);
        if (!/^\d+$/.test(digits)) fail("PUT operand is not a number", at);
        putMemo(Number(digits));
        break;
      }
      case 0x71: // BINPUT
        putMemo(c.buf[fixed(1)]!);
        break;
      case 0x72: // LONG_BINPUT
        putMemo(u32());
        break;
      case 0x94: // MEMOIZE
        putMemo(memo.size);
        break;
      case 0x67: {
        // GET
        const digits = await shortLine("GET", at);
        if (!/^\d+$/.test(digits)) fail("GET operand is not a number", at);
        getMemo(Number(digits));
        break;
      }
      case 0x68: // BINGET
        getMemo(c.buf[fixed(1)]!);
        break;
      case 0x6a: // LONG_BINGET
        getMemo(u32());
        break;
      case 0x63: // GLOBAL
        push(await importLines("GLOBAL", at));
        break;
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        importsHere++;
        push(recordImport(state, strOf(module), strOf(name), at, "STACK_GLOBAL"));
        break;
      }
      case 0x69: {
        // INST: import and call with the items above the mark
        const cls = await importLines("INST", at);
        const args = popMark();
        push(call(cls, { k: "tuple", items: args }, "INST", at));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        if (items.length === 0) fail("OBJ without a class", at);
        push(call(items[0]!, { k: "tuple", items: items.slice(1) }, "OBJ", at));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        push(call(callable, args, "REDUCE", at));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        push(call(cls, args, "NEWOBJ", at));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        const args = pop();
        const cls = pop();
        push(call(cls, args, "NEWOBJ_EX", at));
        break;
      }
      case 0x62: {
        // BUILD
        const buildState = pop();
        const target = top();
        if (target.k === "global") {
          report(state, `build-global@${at}`, {
            rule: "pickle.build.global",
            severity: "unsafe",
            message: "BUILD sets attributes on an imported module-level object",
            offset: at,
          });
        }
        if (target.k === "obj") {
          target.state = buildState;
          if (target.cls.k === "global" && target.cls.full?.endsWith("numpy_pickle.NumpyArrayWrapper")) {
            await skipJoblibArray(c, state, buildState, at, walkPickleStream);
          }
        }
        break;
      }
      case 0x50: {
        // PERSID
        const raw = await line();
        const id: Value = { k: "str", v: raw === undefined ? undefined : latin1.decode(raw) };
        persistent(state, id, at);
        push({ k: "pid", id });
        break;
      }
      case 0x51: {
        // BINPERSID
        const id = pop();
        persistent(state, id, at);
        push({ k: "pid", id });
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84: {
        // EXT1/2/4: an import through the copyreg extension registry
        const width = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
        fixed(width);
        importsHere++;
        report(state, `ext@${at}`, {
          rule: "pickle.import.extension",
          severity: "suspicious",
          message: "EXT imports whatever the loader's extension registry maps the code to",
          offset: at,
        });
        push({ k: "global", full: undefined });
        break;
      }
      default:
        fail(`invalid opcode 0x${op.toString(16).padStart(2, "0")}`, at);
    }
  }
}
