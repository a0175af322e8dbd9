import { BYTES, decodeText, linesOf, MAX_NAME_STRING, SCALAR, UNKNOWN_STR } from "./pickle-machine.ts";
import { NumberRuns } from "./pickle-runs.ts";
import type { Value } from "./pickle-state.ts";
import { littleEndianSigned } from "./pickle-strings.ts";

/** What the walk over a buffer stopped for; a positive status is a number of bytes needed from the opcode. */
export const DONE = 0;
/** A payload continues past the buffer: skip `skipLeft` more bytes. */
export const SKIP = -1;
/** A line operand is not all in the buffer: the opcode at `c.pos - 1` reads its lines asynchronously. */
export const LINES = -2;
/** A joblib array's bytes follow the BUILD just run. */
export const JOBLIB = -3;

export const u32 = (buf: Uint8Array, p: number): number =>
  (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16)) + buf[p + 3]! * 0x1000000;

/**
 * The opcodes whose operand is a length and that many bytes (strings, bytes, big ints) or text lines:
 * strings short enough to be names are decoded, everything longer is skipped by length without being read.
 */
export class Operands extends NumberRuns {
  skipLeft = 0;
  /** Where the last `operand` or `linesInBuffer` ended: the next opcode. */
  operandEnd = 0;

  /** A little-endian u64 length; beyond 2^53 is malformed. */
  u64(buf: Uint8Array, p: number, base: number): number {
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

  /** A big int operand of `length` bytes at `from` (all in the buffer). */
  private long(buf: Uint8Array, from: number, length: number, base: number): number {
    const next = from + length;
    this.push({ k: "int", v: littleEndianSigned(buf.subarray(from, next)) }, base + next);
    return next;
  }

  /**
   * Runs the length-prefixed opcode `op` at `buf[pos]`: DONE (the next opcode at `operandEnd`), SKIP (its
   * payload runs past the buffer, `operandEnd` is the buffer's end), or the bytes it needs from `pos`.
   */
  operand(op: number, buf: Uint8Array, pos: number, base: number): number {
    const room = buf.length - pos;
    let next: number;
    switch (op) {
      case 0x8c: // SHORT_BINUNICODE
      case 0x55: {
        // SHORT_BINSTRING
        if (room < 2) return 2;
        const n = buf[pos + 1]!;
        next = this.text(buf, pos + 2, n, base);
        if (next < 0) return 2 + n;
        break;
      }
      case 0x58: // BINUNICODE
      case 0x54: {
        // BINSTRING
        if (room < 5) return 5;
        const n = op === 0x54 ? u32(buf, pos + 1) | 0 : u32(buf, pos + 1);
        if (n < 0) this.fail("negative BINSTRING length", base + pos);
        next = this.text(buf, pos + 5, n, base);
        if (next < 0) return 5 + n;
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        if (room < 9) return 9;
        const n = this.u64(buf, pos + 1, base);
        next = this.text(buf, pos + 9, n, base);
        if (next < 0) return 9 + n;
        break;
      }
      case 0x43: // SHORT_BINBYTES
        if (room < 2) return 2;
        next = this.payload(buf, pos + 2, buf[pos + 1]!, BYTES, base);
        break;
      case 0x42: // BINBYTES
        if (room < 5) return 5;
        next = this.payload(buf, pos + 5, u32(buf, pos + 1), BYTES, base);
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        if (room < 9) return 9;
        next = this.payload(buf, pos + 9, this.u64(buf, pos + 1, base), BYTES, base);
        break;
      case 0x8a: {
        // LONG1
        const n = room < 2 ? 0 : buf[pos + 1]!;
        if (room < 2 + n) return 2 + n;
        next = this.long(buf, pos + 2, n, base);
        break;
      }
      case 0x8b: {
        // LONG4: a number too long to matter is skipped like a payload
        if (room < 5) return 5;
        const n = u32(buf, pos + 1) | 0;
        if (n < 0) this.fail("negative LONG4 length", base + pos);
        if (n > 4096) next = this.payload(buf, pos + 5, n, SCALAR, base);
        else if (room < 5 + n) return 5 + n;
        else next = this.long(buf, pos + 5, n, base);
        break;
      }
      default:
        this.fail(`opcode 0x${op.toString(16)} has no length-prefixed operand`, base + pos);
    }
    this.operandEnd = next;
    return this.skipLeft > 0 ? SKIP : DONE;
  }

  /**
   * Runs a line opcode when its lines (no longer than a name) are all in `buf` from `from`, the byte after
   * the opcode at `at`; the next opcode is at `operandEnd`. False (nothing run) when they are not.
   */
  linesInBuffer(buf: Uint8Array, from: number, op: number, at: number): boolean {
    const firstEnd = buf.indexOf(0x0a, from);
    if (firstEnd < 0 || firstEnd - from > MAX_NAME_STRING) return false;
    let secondEnd = -1;
    if (linesOf(op) === 2) {
      secondEnd = buf.indexOf(0x0a, firstEnd + 1);
      if (secondEnd < 0 || secondEnd - firstEnd - 1 > MAX_NAME_STRING) return false;
    }
    const first = buf.subarray(from, firstEnd);
    const second = secondEnd < 0 ? undefined : buf.subarray(firstEnd + 1, secondEnd);
    this.operandEnd = (secondEnd < 0 ? firstEnd : secondEnd) + 1;
    const base = at - (from - 1);
    this.lineOp(op, first, second, at, base + this.operandEnd);
    return true;
  }
}
