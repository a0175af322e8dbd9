import { skipJoblibArray } from "./joblib-frame.ts";
import { linesOf, MAX_NAME_STRING, SCALAR } from "./pickle-machine.ts";
import { DONE, JOBLIB, LINES, Operands, SKIP, u32 } from "./pickle-operands.ts";
import { structural } from "./pickle-ops.ts";
import { type PickleState, report, type StreamResult, type Value } from "./pickle-state.ts";
import { type Cursor, EndOfData } from "./source.ts";

export { newPickleState, PickleError, type PickleState, type Value } from "./pickle-state.ts";
export { escapeDecode, numpyItemSize } from "./pickle-strings.ts";

/**
 * The opcode walk over one buffer: runs of numbers go to `numberRun` (pickle-runs.ts), length-prefixed and
 * line operands to `operand` and `linesInBuffer` (pickle-operands.ts), the memo here, the opcodes without
 * operands to `structural` (pickle-ops.ts); the machine's state and effects are in pickle-machine.ts.
 */
class Walk extends Operands {
  result: Value = SCALAR;
  lineOpcode = 0;
  lineAt = 0;

  /**
   * Runs opcodes from `c.buf` at `c.pos` for as long as their operands are in the buffer (synchronously: no
   * allocation for the common opcodes, bulk payloads skipped by length), then says why it stopped.
   */
  run(c: Cursor): number {
    const buf = c.buf;
    const end = buf.length;
    const base = c.base;
    const state = this.state;
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
        case 0x4b: // BININT1
        case 0x4d: // BININT2
        case 0x4a: // BININT
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
        case 0x28: // MARK
          // A run of numbers (pickle-runs.ts), from this opcode on: it counts its opcodes, this one too.
          state.opcodes = opcodes - 1;
          status = this.numberRun(buf, pos, base);
          opcodes = state.opcodes;
          pos = this.runEnd;
          if (status > 0) {
            // Needs more bytes for the number opcode at `pos`, not counted yet (the epilogue uncounts one).
            start = pos;
            opcodes++;
            break walk;
          }
          continue;
        case 0x8c: // SHORT_BINUNICODE
        case 0x55: // SHORT_BINSTRING
        case 0x58: // BINUNICODE
        case 0x54: // BINSTRING
        case 0x8d: // BINUNICODE8
        case 0x43: // SHORT_BINBYTES
        case 0x42: // BINBYTES
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
        case 0x8a: // LONG1
        case 0x8b: // LONG4
          status = this.operand(op, buf, pos, base);
          if (status > 0) break walk;
          pos = this.operandEnd;
          if (status === SKIP) break walk;
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
            pos = this.operandEnd;
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
