/**
 * The number runs' inner loop (pickle-runs.ts `stepNumbers`) as a WebAssembly function, for buffers that live
 * in a WebAssembly memory: the file chunks `openFileSource` reads into (source.ts `newRing`), so no byte is
 * copied for it. WebAssembly loads carry no bounds check and its code stays as compiled, which makes a step
 * (a load, the compares that pick the opcode's length, an add) about 1.6 times faster than the same loop in
 * JavaScript, and it has SIMD: a list of one kind of number is stepped 16 bytes at a time (`sameKind`). The
 * module is a few hundred bytes encoded here when this file loads: nothing is generated ahead.
 *
 * `step(pos, last)`: from the number opcode at `pos` (an address in the memory), steps over BININT1, BININT2,
 * BININT, BINFLOAT, NONE, NEWTRUE and NEWFALSE while each starts at or before `last` (the caller makes sure
 * `LONGEST` bytes follow that, and bounds the count by it: every number opcode is a byte at least), first as
 * many of the first one's kind as follow it, then four at a time with one bound check; returns where it
 * stopped, the count in the exported global `count`. It must agree with `stepNumbers` on what a number is:
 * `NUMBER_OPCODES` lists the same opcodes in the same order.
 */

/** Number opcodes and their bytes, in the order the loop tries them (the JavaScript loop's order). */
export const NUMBER_OPCODES: ReadonlyArray<readonly [opcode: number, bytes: number]> = [
  [0x4b, 2], // BININT1
  [0x4d, 3], // BININT2
  [0x47, 9], // BINFLOAT
  [0x4a, 5], // BININT
  [0x4e, 1], // NONE
  [0x88, 1], // NEWTRUE
  [0x89, 1], // NEWFALSE
];
/** The most bytes a number opcode has. */
const LONGEST = 9;
/** Steps between bound checks. */
const UNROLL = 4;

const PAGE = 64 * 1024;

/** Opcodes of the WebAssembly binary format used below. */
const I32 = 0x7f;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const GLOBAL_SET = 0x24;
const LOAD8_U = 0x2d;
const CONST = 0x41;
const EQ = 0x46;
const GT_S = 0x4a;
const ADD = 0x6a;
const SUB = 0x6b;
const AND = 0x71;
const NE = 0x47;
const IF = 0x04;
/** -1 as the signed LEB128 operand of `i32.const`. */
const MINUS_ONE = 0x7f;
/** SIMD instructions: this prefix, then their number as LEB128. */
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const I8X16_SPLAT = 0x0f;
const I8X16_EQ = 0x23;
const I8X16_BITMASK = 0x64;
/** Bytes of a SIMD vector. */
const VECTOR = 16;

/** Unsigned LEB128: sizes, counts and indexes. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? low : low | 0x80);
  } while (n !== 0);
  return out;
}

/** `i32.const n` (n >= 0): its operand is signed LEB128, so a last byte with bit 6 set takes one more. */
function i32(n: number): number[] {
  const out = [CONST];
  for (;;) {
    const low = n & 0x7f;
    n >>>= 7;
    if (n === 0 && (low & 0x40) === 0) return [...out, low];
    out.push(low | 0x80);
  }
}
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const name = (text: string) => [...leb(text.length), ...Buffer.from(text, "latin1")];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];

// Locals of `step`: its two parameters, then the count, the unrolled loop's bound, the opcode, and the vector
// loop's mask of opcode bits, bytes and opcodes per step, and bound.
const POS = 0;
const LAST = 1;
const COUNT = 2;
const LAST_UNROLLED = 3;
const OP = 4;
const MASK = 5;
const ADVANCE = 6;
const PER_VECTOR = 7;
const VECTOR_LAST = 8;

const addTo = (local: number, n: number) => [LOCAL_GET, local, ...i32(n), ADD, LOCAL_SET, local];

/**
 * One step: the opcode at `pos` picks a block by its length (nested blocks, one per distinct length), whose
 * end adds the length to `pos`; any other opcode runs `onOther` and branches out `exitDepth` levels (counted
 * from where the step is placed).
 */
function oneStep(exitDepth: number, onOther: number[]): number[] {
  const lengths = [...new Set(NUMBER_OPCODES.map(([, bytes]) => bytes))];
  const code: number[] = [BLOCK, VOID];
  for (let i = 0; i < lengths.length; i++) code.push(BLOCK, VOID);
  // Innermost: the opcode, compared in order; branch depth `i` ends the block of the i-th length.
  code.push(LOCAL_GET, POS, LOAD8_U, 0, 0, LOCAL_SET, OP);
  for (const [opcode, bytes] of NUMBER_OPCODES)
    code.push(LOCAL_GET, OP, ...i32(opcode), EQ, BR_IF, lengths.indexOf(bytes));
  code.push(...onOther, BR, ...leb(exitDepth + lengths.length + 1));
  // After the block of length i: add it, then leave the step's outer block (lengths.length - 1 - i further in).
  for (const [i, bytes] of lengths.entries())
    code.push(END, ...addTo(POS, bytes), BR, lengths.length - 1 - i);
  code.push(END);
  return code;
}

/**
 * Lists of one kind of number, 16 bytes at a time: when the opcode at `pos` is `op` of `bytes`, the opcodes
 * after it start at `pos + k * bytes`, and all of those within 16 bytes are `op` when a 16-byte compare with
 * `op` has every one of their bits set; then they are stepped over at once (8 BININT1s, 6 BININT2s, 4
 * BININTs, 2 BINFLOATs, 16 NONEs). The bytes between (operands) may be anything: their bits are not looked
 * at. Then the one-by-one loop goes on from where the first other opcode is.
 */
function sameKind(): number[] {
  // The bound stays -1 (no vector step) unless the opcode is a number: then the last start of a vector step
  // whose opcodes all start at or before `last`.
  const code: number[] = [
    LOCAL_GET,
    POS,
    LOAD8_U,
    0,
    0,
    LOCAL_SET,
    OP,
    CONST,
    MINUS_ONE,
    LOCAL_SET,
    VECTOR_LAST,
  ];
  for (const [opcode, bytes] of NUMBER_OPCODES) {
    const count = Math.floor((VECTOR - 1) / bytes) + 1;
    let mask = 0;
    for (let k = 0; k < count; k++) mask |= 1 << (k * bytes);
    code.push(LOCAL_GET, OP, ...i32(opcode), EQ, IF, VOID);
    code.push(...i32(mask), LOCAL_SET, MASK, ...i32(count * bytes), LOCAL_SET, ADVANCE);
    code.push(...i32(count), LOCAL_SET, PER_VECTOR);
    code.push(LOCAL_GET, LAST, ...i32((count - 1) * bytes), SUB, LOCAL_SET, VECTOR_LAST, END);
  }
  // block $other { loop $vector { ... } }
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(LOCAL_GET, POS, LOCAL_GET, VECTOR_LAST, GT_S, BR_IF, 1);
  code.push(LOCAL_GET, POS, SIMD, ...leb(V128_LOAD), 0, 0, LOCAL_GET, OP, SIMD, ...leb(I8X16_SPLAT));
  code.push(SIMD, ...leb(I8X16_EQ), SIMD, ...leb(I8X16_BITMASK), LOCAL_GET, MASK, AND, LOCAL_GET, MASK, NE);
  code.push(BR_IF, 1);
  code.push(LOCAL_GET, POS, LOCAL_GET, ADVANCE, ADD, LOCAL_SET, POS);
  code.push(LOCAL_GET, COUNT, LOCAL_GET, PER_VECTOR, ADD, LOCAL_SET, COUNT, BR, 0, END, END);
  return code;
}

function stepBody(): number[] {
  const code: number[] = [...sameKind()];
  code.push(LOCAL_GET, LAST, ...i32((UNROLL - 1) * LONGEST), SUB, LOCAL_SET, LAST_UNROLLED);
  // block $done { block $single { loop $unrolled { ... } } loop $one { ... } }
  code.push(BLOCK, VOID, BLOCK, VOID, LOOP, VOID);
  code.push(LOCAL_GET, POS, LOCAL_GET, LAST_UNROLLED, GT_S, BR_IF, 1);
  for (let k = 0; k < UNROLL; k++) code.push(...oneStep(2, addTo(COUNT, k)));
  code.push(...addTo(COUNT, UNROLL), BR, 0, END, END);
  code.push(LOOP, VOID, LOCAL_GET, POS, LOCAL_GET, LAST, GT_S, BR_IF, 1);
  code.push(...oneStep(1, []), ...addTo(COUNT, 1), BR, 0, END, END);
  code.push(LOCAL_GET, COUNT, GLOBAL_SET, 0, LOCAL_GET, POS);
  return code;
}

/** The module: imports its memory (`m.memory`, at least `pages`), exports `step` and the global `count`. */
function encodeModule(pages: number): Uint8Array {
  const body = [...vector([[7, I32]]), ...stepBody(), END];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[I32], [I32]]), ...vector([[I32]])]])),
    ...section(2, vector([[...name("m"), ...name("memory"), 0x02, 0x00, ...leb(pages)]])),
    ...section(3, vector([[0]])),
    ...section(6, vector([[I32, 1, ...i32(0), END]])),
    ...section(
      7,
      vector([
        [...name("step"), 0x00, 0],
        [...name("count"), 0x03, 0],
      ]),
    ),
    ...section(10, vector([[...leb(body.length), ...body]])),
  ]);
}

/** Steps over number opcodes in one memory; see the file's comment. */
export interface NumberStepper {
  step(pos: number, last: number): number;
  readonly count: { value: number };
}

/** The part of WebAssembly used here (Node has it; the TypeScript libraries this project loads do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: { m: { memory: object } }) => { exports: object };
};

const compiled = new WebAssembly.Module(encodeModule(1));

/** Steppers by the memory they read, for the walk to find the one a chunk's bytes are in. */
const steppers = new WeakMap<ArrayBufferLike, NumberStepper>();

/**
 * A WebAssembly memory of at least `bytes` (never grown: views of it stay valid) with its stepper; undefined
 * when the platform has no room for another memory (the walk's JavaScript loop then reads other buffers).
 */
export function stepperMemory(bytes: number): ArrayBuffer | undefined {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  try {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const exports = new WebAssembly.Instance(compiled, { m: { memory } }).exports;
    steppers.set(memory.buffer, exports as NumberStepper);
    return memory.buffer;
  } catch {
    return undefined;
  }
}

/** The stepper for `buf`'s bytes when they are in a stepper memory. */
export function stepperOf(buf: Uint8Array): NumberStepper | undefined {
  return steppers.get(buf.buffer);
}
