import { intValue, Machine, SCALAR } from "./pickle-machine.ts";

/** Bytes of a FRAME opcode: the byte and a u64 length. */
const FRAME_BYTES = 9;

/** Bytes a run's opcode needs in the buffer to run, by opcode (1 for any it does not run). */
const WHOLE = new Uint8Array(256).fill(1);
WHOLE[0x47] = 9; // BINFLOAT
WHOLE[0x4b] = 2; // BININT1
WHOLE[0x4d] = 3; // BININT2
WHOLE[0x4a] = 5; // BININT
WHOLE[0x95] = FRAME_BYTES;
/** The most any of them needs: before `end - LONGEST` every one is whole without checking. */
const LONGEST = 9;

/** The number BINFLOAT (NaN: never read), BININT1, BININT2 or BININT `op` at `buf[pos]` pushes. */
function operand(buf: Uint8Array, pos: number, op: number): number {
  if (op === 0x4b) return buf[pos + 1]!;
  if (op === 0x4d) return buf[pos + 1]! | (buf[pos + 2]! << 8);
  if (op === 0x4a)
    return buf[pos + 1]! | (buf[pos + 2]! << 8) | (buf[pos + 3]! << 16) | (buf[pos + 4]! << 24);
  return Number.NaN;
}

/** Room for numbers held outside `stack` first allocated; doubled as needed, up to `maxStack`. */
const FIRST_NUMBERS = 1024;

/**
 * The pickle machine with a fast path for runs of numbers: lists of floats, token ids or sizes are most of
 * the opcodes of a large pickle, and nothing of them matters to what the pickle imports unless they end up in
 * a tuple, a dict, the memo or the stream's result. A run of number opcodes (BININT1, BININT2, BININT,
 * BINFLOAT, NONE, NEWTRUE, NEWFALSE) with the MARKs, FRAMEs, APPENDs and POPs among them is stepped through in
 * one tight loop that keeps each number as a double in a typed array (NaN for a float, None or a bool, which
 * the scan never reads) instead of an object on the stack: no allocation and no pointer stores per number.
 *
 * Only the run sees numbers there: whenever it stops (before another opcode, or at the end of the buffer),
 * the numbers still on the stack are written into `stack` as the values their opcodes push, so the rest of
 * the walk sees the stack it always has. Most never get there: an APPENDS consumes them within the run. The
 * happy path only: an APPENDS whose items are not all numbers of this run, or anything that would underflow
 * or hit a limit, stops the run, and the opcode walk handles it (and fails it) exactly as before.
 */
export class NumberRuns extends Machine {
  /** The numbers of the run: stack entry `i >= from` is `numbers[i]` while the run lasts. */
  private numbers: Float64Array = new Float64Array(0);
  /** Where the last run stopped: the next opcode, or the number opcode whose bytes are not all here. */
  runEnd = 0;

  /**
   * Runs number opcodes from `buf[pos]` (one of them or MARK) while they last. Returns 0 when the run
   * stopped before another opcode at `runEnd`, or the bytes the number opcode at `runEnd` needs. Opcodes
   * run are counted in `state.opcodes`.
   */
  numberRun(buf: Uint8Array, pos: number, base: number): number {
    const end = buf.length;
    const marks = this.marks;
    const state = this.state;
    const maxOpcodes = state.opcodeBudget;
    let opcodes = state.opcodes;
    let numbers = this.numbers;
    let room = Math.min(numbers.length, this.limits.maxStack);
    let sp = this.sp;
    let floor = this.floor;
    // Entries below this are in `stack`; the run never pops below it.
    const from = sp;
    let need = 0;
    const sure = end - LONGEST;
    run: for (;;) {
      if (pos > sure) {
        // Near the buffer's end: the opcode may be cut off.
        if (pos >= end) {
          need = 1;
          break;
        }
        const whole = WHOLE[buf[pos]!]!;
        if (end - pos < whole) {
          need = whole;
          break;
        }
      }
      // The opcode walk says when the budget is spent.
      if (opcodes >= maxOpcodes) break;
      const op = buf[pos]!;
      let value: number;
      switch (op) {
        case 0x47: // BINFLOAT
        case 0x4b: // BININT1
        case 0x4d: // BININT2
        case 0x4a: {
          // BININT: these and the ones right after them in a loop of their own (a list of numbers is
          // thousands in a row), as many as there is room for and budget left; the rest go the common way.
          const stop = sp + Math.min(room - sp, maxOpcodes - opcodes);
          if (stop <= sp) {
            value = operand(buf, pos, op);
            pos += WHOLE[op]!;
            break;
          }
          const first = sp;
          let next: number = op;
          for (;;) {
            if (next === 0x47) {
              numbers[sp++] = Number.NaN;
              pos += 9;
            } else if (next === 0x4b) {
              numbers[sp++] = buf[pos + 1]!;
              pos += 2;
            } else if (next === 0x4d) {
              numbers[sp++] = buf[pos + 1]! | (buf[pos + 2]! << 8);
              pos += 3;
            } else if (next === 0x4a) {
              numbers[sp++] = operand(buf, pos, next);
              pos += 5;
            } else break;
            if (sp >= stop || pos > sure) break;
            next = buf[pos]!;
          }
          opcodes += sp - first;
          continue;
        }
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
          pos++;
          value = Number.NaN;
          break;
        case 0x28: // MARK
          pos++;
          opcodes++;
          marks.push(sp);
          floor = sp;
          continue;
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS: numbers are never kept by a list or set (see Machine.appendMarked); the container must
          // be below the mark and above the next one, as the walk checks.
          const count = marks.length;
          const mark = count === 0 ? -1 : marks[count - 1]!;
          const below = count > 1 ? marks[count - 2]! : 0;
          if (mark < from || mark - 1 < below) break run;
          pos++;
          opcodes++;
          marks.pop();
          floor = below;
          sp = mark;
          continue;
        }
        case 0x61: // APPEND
          if (sp - floor < 2 || sp - 1 < from) break run;
          pos++;
          opcodes++;
          sp--;
          continue;
        case 0x30: // POP
          if (sp <= floor || sp - 1 < from) break run;
          pos++;
          opcodes++;
          sp--;
          continue;
        case 0x31: {
          // POP_MARK
          const count = marks.length;
          if (count === 0 || marks[count - 1]! < from) break run;
          pos++;
          opcodes++;
          sp = marks.pop()!;
          floor = count > 1 ? marks[count - 2]! : 0;
          continue;
        }
        case 0x95: // FRAME: a hint to the loader's buffering
          // A length of 2^53 or more (its high u32 at least 0x200000) is malformed: the walk says so.
          if (buf[pos + 8]! !== 0 || buf[pos + 7]! >= 0x20) break run;
          pos += FRAME_BYTES;
          opcodes++;
          continue;
        default:
          break run;
      }
      opcodes++;
      if (sp >= room) {
        this.sp = sp;
        // Past maxStack, push fails as the walk always has.
        if (sp >= this.limits.maxStack) this.push(SCALAR, base + pos);
        numbers = this.grow(sp);
        room = Math.min(numbers.length, this.limits.maxStack);
      }
      numbers[sp++] = value;
    }
    this.sp = sp;
    this.floor = floor;
    this.runEnd = pos;
    state.opcodes = opcodes;
    this.materialize(from, sp);
    return need;
  }

  /** `numbers` with room for more than `sp` entries. */
  private grow(sp: number): Float64Array {
    const bigger = new Float64Array(Math.max(FIRST_NUMBERS, sp * 2));
    bigger.set(this.numbers.subarray(0, sp));
    this.numbers = bigger;
    return bigger;
  }

  /** Writes the numbers at `[from, to)` into `stack` as the values their opcodes push. */
  private materialize(from: number, to: number): void {
    const stack = this.stack;
    const numbers = this.numbers;
    for (let i = from; i < to; i++) {
      const n = numbers[i]!;
      stack[i] = Number.isNaN(n) ? SCALAR : intValue(n);
    }
  }
}
