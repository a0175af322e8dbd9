import { intValue, Machine, SCALAR } from "./pickle-machine.ts";
import type { Value } from "./pickle-state.ts";
import { type NumberStepper, stepperOf } from "./pickle-wasm.ts";

/** Bytes of a FRAME opcode: the byte and a u64 length. */
const FRAME_BYTES = 9;

/** Bytes a run's opcode needs in the buffer to run, by opcode: a number's, FRAME's, 1 for any other. */
const WHOLE = Uint8Array.from({ length: 256 }, (_, op) => (op === 0x95 ? FRAME_BYTES : numberBytes(op) || 1));
/** The most any of them needs: before `end - LONGEST` every one is whole without checking. */
const LONGEST = 9;

/**
 * Bytes of the number opcode `op` (BININT1, BININT2, BININT, BINFLOAT, NONE, NEWTRUE, NEWFALSE), 0 for any
 * other: the loop below branches on it, so a list of one kind of number (or a cycle of a few) costs a
 * predicted branch and an add per number, where a table of lengths would make each step wait for a load.
 */
export function numberBytes(op: number): number {
  if (op === 0x4b) return 2;
  if (op === 0x4d) return 3;
  if (op === 0x47) return 9;
  if (op === 0x4a) return 5;
  if (op === 0x4e || op === 0x88 || op === 0x89) return 1;
  return 0;
}

/** Numbers stepped over by the last `stepNumbers`. */
let stepped = 0;

/**
 * Steps over number opcodes from `buf[pos]` while each starts at or before `last` (where `LONGEST` bytes are
 * left at least); returns where it stopped (counting them in `stepped`). Four at a time with one bound check.
 * The same loop as pickle-wasm.ts's, for buffers outside WebAssembly memory.
 */
function stepNumbers(buf: Uint8Array, pos: number, last: number): number {
  let count = 0;
  const lastUnrolled = last - 3 * LONGEST;
  while (pos <= lastUnrolled) {
    let bytes = numberBytes(buf[pos]!);
    if (bytes === 0) break;
    pos += bytes;
    bytes = numberBytes(buf[pos]!);
    if (bytes === 0) {
      count += 1;
      break;
    }
    pos += bytes;
    bytes = numberBytes(buf[pos]!);
    if (bytes === 0) {
      count += 2;
      break;
    }
    pos += bytes;
    bytes = numberBytes(buf[pos]!);
    if (bytes === 0) {
      count += 3;
      break;
    }
    pos += bytes;
    count += 4;
  }
  for (; pos <= last; count++) {
    const bytes = numberBytes(buf[pos]!);
    if (bytes === 0) break;
    pos += bytes;
  }
  stepped = count;
  return pos;
}

/** The value the number opcode `op` at `buf[pos]` pushes. */
function numberValue(buf: Uint8Array, pos: number, op: number): Value {
  if (op === 0x4b) return intValue(buf[pos + 1]!);
  if (op === 0x4d) return intValue(buf[pos + 1]! | (buf[pos + 2]! << 8));
  if (op === 0x4a)
    return intValue(buf[pos + 1]! | (buf[pos + 2]! << 8) | (buf[pos + 3]! << 16) | (buf[pos + 4]! << 24));
  return SCALAR;
}

/**
 * The pickle machine with a fast path for runs of numbers: lists of floats, token ids or sizes are most of
 * the opcodes of a large pickle, and nothing of them matters to what the pickle imports unless they end up in
 * a tuple, a dict, the memo or the stream's result. A run of number opcodes (BININT1, BININT2, BININT,
 * BINFLOAT, NONE, NEWTRUE, NEWFALSE) with the MARKs, FRAMEs, APPENDs and POPs among them is stepped through
 * without reading the numbers: only the stack pointer moves. Consecutive numbers are stepped over by one loop
 * (`stepNumbers`, or its WebAssembly form in pickle-wasm.ts when the buffer is a file chunk read into
 * WebAssembly memory), and each such stretch is remembered as where it starts on the stack and in the buffer.
 *
 * Only the run sees numbers there: whenever it stops (before another opcode, or at the end of the buffer),
 * the numbers still on the stack are decoded again from their stretches and written into `stack` as the values
 * their opcodes push, so the rest of the walk sees the stack it always has. Most never get there: an APPENDS
 * consumes them within the run. The happy path only: an APPENDS whose items are not all numbers of this run,
 * or anything that would underflow or hit a limit, stops the run, and the opcode walk handles it (and fails
 * it) exactly as before.
 */
export class NumberRuns extends Machine {
  /**
   * The stretches of numbers of the current run, in stack order: the one at `k` pushed stack entries from
   * `stretchSp[k]` (until the next one's start) with its opcodes from `buf[stretchPos[k]]`.
   */
  private readonly stretchSp: number[] = [];
  private readonly stretchPos: number[] = [];
  /** The memory of the last run's buffer and its WebAssembly stepper, if it has one (pickle-wasm.ts). */
  private memory: ArrayBufferLike | undefined;
  private stepper: NumberStepper | undefined;
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
    const maxStack = this.limits.maxStack;
    const stretchSp = this.stretchSp;
    const stretchPos = this.stretchPos;
    let stretches = 0;
    let opcodes = state.opcodes;
    let sp = this.sp;
    let floor = this.floor;
    // Entries below this are in `stack`; the run never pops below it.
    const from = sp;
    let need = 0;
    const sure = end - LONGEST;
    if (buf.buffer !== this.memory) {
      this.memory = buf.buffer;
      this.stepper = stepperOf(buf);
    }
    const stepper = this.stepper;
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
      switch (op) {
        case 0x4b: // BININT1
        case 0x4d: // BININT2
        case 0x4a: // BININT
        case 0x47: // BINFLOAT
        case 0x4e: // NONE
        case 0x88: // NEWTRUE
        case 0x89: {
          // NEWFALSE: these and the ones right after them, as many as the stack has room for and the budget
          // allows; a stretch ending at a number opcode cut off by the buffer's end ends the run above.
          if (sp >= maxStack) {
            // Past maxStack, push fails as the walk always has.
            this.sp = sp;
            this.push(SCALAR, base + pos + WHOLE[op]!);
          }
          while (stretches > 0 && stretchSp[stretches - 1]! >= sp) stretches--;
          stretchSp[stretches] = sp;
          stretchPos[stretches] = pos;
          stretches++;
          if (pos > sure) {
            // Whole (checked above), but past where stepNumbers steps.
            pos += numberBytes(op);
            sp++;
            opcodes++;
            continue;
          }
          // As many as the stack has room for and the budget allows: every number opcode is a byte at least,
          // so none starts past `last` once that many are stepped over.
          const last = Math.min(sure, pos + Math.min(maxStack - sp, maxOpcodes - opcodes) - 1);
          if (stepper !== undefined) {
            // In place in WebAssembly memory.
            const offset = buf.byteOffset;
            pos = stepper.step(offset + pos, offset + last) - offset;
            const count = stepper.count.value;
            sp += count;
            opcodes += count;
            continue;
          }
          pos = stepNumbers(buf, pos, last);
          sp += stepped;
          opcodes += stepped;
          continue;
        }
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
    }
    this.sp = sp;
    this.floor = floor;
    this.runEnd = pos;
    state.opcodes = opcodes;
    this.materialize(buf, sp, stretches);
    return need;
  }

  /** Writes the numbers of the run still on the stack (below `sp`) into `stack`, from their stretches. */
  private materialize(buf: Uint8Array, sp: number, stretches: number): void {
    const stack = this.stack;
    for (let k = 0; k < stretches; k++) {
      const first = this.stretchSp[k]!;
      if (first >= sp) break;
      const last = k + 1 < stretches ? Math.min(this.stretchSp[k + 1]!, sp) : sp;
      let pos = this.stretchPos[k]!;
      for (let i = first; i < last; i++) {
        const op = buf[pos]!;
        stack[i] = numberValue(buf, pos, op);
        pos += numberBytes(op);
      }
    }
  }
}
