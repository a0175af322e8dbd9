import { skipJoblibArray } from "./joblib-frame.ts";
import {
  BYTES,
  decodeText,
  intValue,
  linesOf,
  MAX_NAME_STRING,
  Machine,
  SCALAR,
  UNKNOWN_STR,
} from "./pickle-machine.ts";
import { structural } from "./pickle-ops.ts";
import { type PickleState, report, type StreamResult, type Value } from "./pickle-state.ts";
import { littleEndianSigned } from "./pickle-strings.ts";
import { type Cursor, EndOfData } from "./source.ts";

export { newPickleState, PickleError, type PickleState, type Value } from "./pickle-state.ts";
export { escapeDecode, numpyItemSize } from "./pickle-strings.ts";

/** What `run` stopped for; a positive status is a number of bytes needed from `c.pos` (the opcode's start). */
const DONE = 0;
/** A payload continues past the buffer: skip `walk.skipLeft` more bytes. */
const SKIP = -1;
/** A line operand is not all in the buffer: the opcode at `c.pos - 1` reads its lines asynchronously. */
const LINES = -2;
/** A joblib array's bytes follow the BUILD just run. */
const JOBLIB = -3;

const u32 = (buf: Uint8Array, p: number): number =>
  (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16)) + buf[p + 3]! * 0x1000000;

class Walk extends Machine {
  result: Value = SCALAR;
  skipLeft = 0;
  lineOpcode = 0;
  lineAt = 0;

  /** A little-endian u64 length; beyond 2^53 is malformed. */
  private u64(buf: Uint8Array, p: number, base: number): number {
    const high = u32(buf, p + 4);
    if (high >= 0x200000) this.fail("length beyond 2^53", base + p + 8);
    return high * 0x100000000 + u32(buf, p);
  }

  /**
   * Pushes a length-prefixed payload of `length` bytes at `from` and returns where the next opcode starts:
   * the payload is skipped in the buffer, or as far as the buffer goes with `skipLeft` set to the rest.
   */
  private payload(buf: Uint8Array, from: number, length: number, value: Value, base: number): number {
    this.push(value, base + from + length);
    if (buf.length - from >= length) return from + length;
    this.skipLeft = length - (buf.length - from);
    return buf.length;
  }

  /** A string operand: decoded when it could be a name, skipped by length when longer; -1 when not all here. */
  private text(buf: Uint8Array, from: number, length: number, base: number): number {
    if (length > MAX_NAME_STRING) return this.payload(buf, from, length, UNKNOWN_STR, base);
    if (buf.length - from < length) return -1;
    this.push({ k: "str", v: decodeText(buf, from, from + length) }, base + from + length);
    return from + length;
  }

  /**
   * Runs opcodes from `c.buf` at `c.pos` for as long as their operands are in the buffer (synchronously: no
   * allocation for the common opcodes, bulk payloads skipped by length), then says why it stopped.
   */
  run(c: Cursor): number {
    const buf = c.buf;
    const end = buf.length;
    const base = c.base;
    const stack = this.stack;
    const state = this.state;
    const maxStack = this.limits.maxStack;
    const maxOpcodes = state.opcodeBudget;
    let opcodes = state.opcodes;
    let pos = c.pos;
    let start = pos;
    let status = DONE;
    walk: for (;;) {
      start = pos;
      if (pos >= end) {
        status = 1;
        opcodes++;
        break;
      }
      if (++opcodes > maxOpcodes) this.limit(`more than ${maxOpcodes} opcodes`, base + pos);
      const op = buf[pos]!;
      const room = end - pos;
      switch (op) {
        case 0x47: // BINFLOAT
          if (room < 9) {
            status = 9;
            break walk;
          }
          pos += 9;
          if (this.sp >= maxStack) this.push(SCALAR, base + pos);
          stack[this.sp++] = SCALAR;
          continue;
        case 0x4b: // BININT1
          if (room < 2) {
            status = 2;
            break walk;
          }
          pos += 2;
          if (this.sp >= maxStack) this.push(SCALAR, base + pos);
          stack[this.sp++] = intValue(buf[pos - 1]!);
          continue;
        case 0x4d: // BININT2
          if (room < 3) {
            status = 3;
            break walk;
          }
          pos += 3;
          this.push(intValue(buf[pos - 2]! | (buf[pos - 1]! << 8)), base + pos);
          continue;
        case 0x4a: // BININT
          if (room < 5) {
            status = 5;
            break walk;
          }
          pos += 5;
          this.push(intValue(u32(buf, pos - 4) | 0), base + pos);
          continue;
        case 0x8c: // SHORT_BINUNICODE
        case 0x55: // SHORT_BINSTRING
          if (room < 2) {
            status = 2;
            break walk;
          }
          {
            const next = this.text(buf, pos + 2, buf[pos + 1]!, base);
            if (next < 0) {
              status = pos + 2 + buf[pos + 1]! - start;
              break walk;
            }
            pos = next;
            if (this.skipLeft > 0) {
              status = SKIP;
              break walk;
            }
            continue;
          }
        case 0x58: // BINUNICODE
        case 0x54: {
          // BINSTRING
          if (room < 5) {
            status = 5;
            break walk;
          }
          const n = op === 0x54 ? u32(buf, pos + 1) | 0 : u32(buf, pos + 1);
          if (n < 0) this.fail("negative BINSTRING length", base + start);
          const next = this.text(buf, pos + 5, n, base);
          if (next < 0) {
            status = pos + 5 + n - start;
            break walk;
          }
          pos = next;
          if (this.skipLeft > 0) {
            status = SKIP;
            break walk;
          }
          continue;
        }
        case 0x8d: // BINUNICODE8
          if (room < 9) {
            status = 9;
            break walk;
          }
          {
            const n = this.u64(buf, pos + 1, base);
            const next = this.text(buf, pos + 9, n, base);
            if (next < 0) {
              status = pos + 9 + n - start;
              break walk;
            }
            pos = next;
            if (this.skipLeft > 0) {
              status = SKIP;
              break walk;
            }
            continue;
          }
        case 0x43: // SHORT_BINBYTES
          if (room < 2) {
            status = 2;
            break walk;
          }
          pos = this.payload(buf, pos + 2, buf[pos + 1]!, BYTES, base);
          if (this.skipLeft > 0) {
            status = SKIP;
            break walk;
          }
          continue;
        case 0x42: // BINBYTES
          if (room < 5) {
            status = 5;
            break walk;
          }
          pos = this.payload(buf, pos + 5, u32(buf, pos + 1), BYTES, base);
          if (this.skipLeft > 0) {
            status = SKIP;
            break walk;
          }
          continue;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          if (room < 9) {
            status = 9;
            break walk;
          }
          pos = this.payload(buf, pos + 9, this.u64(buf, pos + 1, base), BYTES, base);
          if (this.skipLeft > 0) {
            status = SKIP;
            break walk;
          }
          continue;
        case 0x94: // MEMOIZE
          pos++;
          this.putMemo(this.memoCount, base + pos);
          continue;
        case 0x71: // BINPUT
          if (room < 2) {
            status = 2;
            break walk;
          }
          pos += 2;
          this.putMemo(buf[pos - 1]!, base + pos);
          continue;
        case 0x72: // LONG_BINPUT
          if (room < 5) {
            status = 5;
            break walk;
          }
          pos += 5;
          this.putMemo(u32(buf, pos - 4), base + pos);
          continue;
        case 0x68: // BINGET
          if (room < 2) {
            status = 2;
            break walk;
          }
          pos += 2;
          this.getMemo(buf[pos - 1]!, base + pos);
          continue;
        case 0x6a: // LONG_BINGET
          if (room < 5) {
            status = 5;
            break walk;
          }
          pos += 5;
          this.getMemo(u32(buf, pos - 4), base + pos);
          continue;
        case 0x28: // MARK
          pos++;
          this.mark();
          continue;
        case 0x61: // APPEND
          pos++;
          this.append(base + pos);
          continue;
        case 0x65: // APPENDS
        case 0x90: // ADDITEMS
          pos++;
          this.appendMarked(base + pos);
          continue;
        case 0x73: // SETITEM
          pos++;
          this.setItem(base + pos);
          continue;
        case 0x75: // SETITEMS
          pos++;
          this.setItemsMarked(base + pos);
          continue;
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          pos++;
          this.push(SCALAR, base + pos);
          continue;
        case 0x95: // FRAME: a hint to the loader's buffering; the walk streams anyway
          if (room < 9) {
            status = 9;
            break walk;
          }
          this.u64(buf, pos + 1, base);
          pos += 9;
          continue;
        case 0x80: {
          // PROTO
          if (room < 2) {
            status = 2;
            break walk;
          }
          const version = buf[pos + 1]!;
          pos += 2;
          if (version > 5) this.fail(`unsupported protocol ${version}`, base + start);
          continue;
        }
        case 0x8a: {
          // LONG1
          const n = room < 2 ? 0 : buf[pos + 1]!;
          if (room < 2 + n) {
            status = 2 + n;
            break walk;
          }
          pos += 2 + n;
          this.push({ k: "int", v: littleEndianSigned(buf.subarray(pos - n, pos)) }, base + pos);
          continue;
        }
        case 0x8b: {
          // LONG4
          if (room < 5) {
            status = 5;
            break walk;
          }
          const n = u32(buf, pos + 1) | 0;
          if (n < 0) this.fail("negative LONG4 length", base + start);
          if (n > 4096) {
            pos = this.payload(buf, pos + 5, n, SCALAR, base);
            if (this.skipLeft > 0) {
              status = SKIP;
              break walk;
            }
            continue;
          }
          if (room < 5 + n) {
            status = 5 + n;
            break walk;
          }
          pos += 5 + n;
          this.push({ k: "int", v: littleEndianSigned(buf.subarray(pos - n, pos)) }, base + pos);
          continue;
        }
        case 0x82:
        case 0x83:
        case 0x84: {
          // EXT1/2/4: an import through the copyreg extension registry
          const width = op === 0x82 ? 1 : op === 0x83 ? 2 : 4;
          if (room < 1 + width) {
            status = 1 + width;
            break walk;
          }
          pos += 1 + width;
          this.importsHere++;
          report(state, `ext@${base + start}`, {
            rule: "pickle.import.extension",
            severity: "suspicious",
            message: "EXT imports whatever the loader's extension registry maps the code to",
            offset: base + start,
          });
          this.push({ k: "global", full: undefined }, base + pos);
          continue;
        }
        case 0x2e: // STOP
          pos++;
          this.result = this.pop(base + pos);
          break walk;
        default:
          pos++;
          if (linesOf(op) > 0) {
            if (!this.linesInBuffer(buf, pos, op, base + start)) {
              this.lineOpcode = op;
              this.lineAt = base + start;
              status = LINES;
              break walk;
            }
            pos = this.lineEnd;
            continue;
          }
          if (structural(this, op, base + start, base + pos)) {
            status = JOBLIB;
            break walk;
          }
      }
    }
    if (status > 0) {
      opcodes--;
      c.pos = start;
    } else c.pos = pos;
    state.opcodes = opcodes;
    return status;
  }

  /** Where the last `linesInBuffer` ended. */
  private lineEnd = 0;

  /** Runs a line opcode when its lines (no longer than a name) are all in `buf` from `from`. */
  private linesInBuffer(buf: Uint8Array, from: number, op: number, at: number): boolean {
    const firstEnd = buf.indexOf(0x0a, from);
    if (firstEnd < 0 || firstEnd - from > MAX_NAME_STRING) return false;
    let secondEnd = -1;
    if (linesOf(op) === 2) {
      secondEnd = buf.indexOf(0x0a, firstEnd + 1);
      if (secondEnd < 0 || secondEnd - firstEnd - 1 > MAX_NAME_STRING) return false;
    }
    const first = buf.subarray(from, firstEnd);
    const second = secondEnd < 0 ? undefined : buf.subarray(firstEnd + 1, secondEnd);
    this.lineEnd = (secondEnd < 0 ? firstEnd : secondEnd) + 1;
    const base = at - (from - 1);
    this.lineOp(op, first, second, at, base + this.lineEnd);
    return true;
  }
}

/**
 * Walks one pickle stream from the cursor to its STOP. Throws PickleError (malformed stream), EndOfData (no
 * STOP) or returns the value STOP would return. Findings go to `state.ctx`.
 */
export async function walkPickleStream(c: Cursor, state: PickleState): Promise<StreamResult> {
  const walk = new Walk(state);
  for (;;) {
    const status = walk.run(c);
    if (status === DONE) {
      state.retained -= walk.memoBytes;
      return { value: walk.result, imports: walk.importsHere };
    }
    if (status > 0) {
      if (!(await c.ensure(status))) throw new EndOfData(c.offset + c.available);
    } else if (status === SKIP) {
      const left = walk.skipLeft;
      walk.skipLeft = 0;
      await c.skip(left);
    } else if (status === LINES) {
      // The opcode byte is consumed; its line(s) cross the buffer's end or are longer than a name.
      const op = walk.lineOpcode;
      const first = await line(c);
      const second = linesOf(op) === 2 ? await line(c) : undefined;
      walk.lineOp(op, first, second, walk.lineAt, c.offset);
    } else if (status === JOBLIB) {
      await skipJoblibArray(c, state, walk.joblibState, walk.joblibAt, walkPickleStream);
    }
  }
}

/** A text operand; undefined (skipped, never held) when longer than any name or number needs. */
async function line(c: Cursor): Promise<Uint8Array | undefined> {
  const bytes = await c.line(MAX_NAME_STRING);
  if (bytes !== null) return bytes;
  await c.skipLine();
  return undefined;
}
