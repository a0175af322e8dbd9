/**
 * A tiny pickle assembler for hand-built scanner fixtures: each helper returns the bytes of one opcode with
 * its operand, `pickle(...)` joins them. Nothing here is ever unpickled.
 */
export type Part = number[] | Uint8Array | string;

const latin1 = (text: string) => Buffer.from(text, "latin1");
const utf8 = (text: string) => Buffer.from(text, "utf8");
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return [...b];
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return [...b];
};

export function pickle(...parts: Part[]): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === "string" ? latin1(part) : Buffer.from(part))));
}

export const hex = (text: string): Uint8Array => Buffer.from(text.replace(/\s+/g, ""), "hex");

export const op = {
  proto: (n: number) => [0x80, n],
  frame: (n: number) => [0x95, ...u64(n)],
  stop: [0x2e],
  mark: [0x28],
  pop: [0x30],
  dup: [0x32],
  none: [0x4e],
  newTrue: [0x88],
  newFalse: [0x89],
  emptyTuple: [0x29],
  tuple: [0x74],
  tuple1: [0x85],
  tuple2: [0x86],
  tuple3: [0x87],
  emptyList: [0x5d],
  emptyDict: [0x7d],
  list: [0x6c],
  dict: [0x64],
  append: [0x61],
  appends: [0x65],
  setitem: [0x73],
  setitems: [0x75],
  reduce: [0x52],
  build: [0x62],
  newobj: [0x81],
  obj: [0x6f],
  stackGlobal: [0x93],
  memoize: [0x94],
  binpersid: [0x51],
  binint1: (n: number) => [0x4b, n],
  binint2: (n: number) => [0x4d, n & 0xff, n >> 8],
  binint: (n: number) => [0x4a, ...u32(n >>> 0)],
  long1: (bytes: number[]) => [0x8a, bytes.length, ...bytes],
  binfloat: (x: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    return [0x47, ...b];
  },
  /** SHORT_BINUNICODE */
  su: (text: string) => [0x8c, utf8(text).length, ...utf8(text)],
  /** BINUNICODE */
  bu: (text: string) => [0x58, ...u32(utf8(text).length), ...utf8(text)],
  /** SHORT_BINSTRING */
  sbs: (text: string) => [0x55, latin1(text).length, ...latin1(text)],
  /** STRING with the operand written as given (quotes and escapes included) */
  string: (quoted: string) => [0x53, ...latin1(`${quoted}\n`)],
  /** UNICODE (raw-unicode-escape), operand written as given */
  unicode: (escaped: string) => [0x56, ...latin1(`${escaped}\n`)],
  shortBinbytes: (bytes: number[] | Uint8Array) => [0x43, bytes.length, ...bytes],
  binbytes: (bytes: number[] | Uint8Array) => [0x42, ...u32(bytes.length), ...bytes],
  bytearray8: (bytes: number[] | Uint8Array) => [0x96, ...u64(bytes.length), ...bytes],
  global: (module: string, name: string) => [0x63, ...latin1(`${module}\n${name}\n`)],
  inst: (module: string, name: string) => [0x69, ...latin1(`${module}\n${name}\n`)],
  put: (n: number) => [0x70, ...latin1(`${n}\n`)],
  get: (n: number) => [0x67, ...latin1(`${n}\n`)],
  binput: (n: number) => [0x71, n],
  binget: (n: number) => [0x68, n],
  longBinput: (n: number) => [0x72, ...u32(n)],
  longBinget: (n: number) => [0x6a, ...u32(n)],
  persid: (id: string) => [0x50, ...latin1(`${id}\n`)],
  ext1: (code: number) => [0x82, code],
};

/** `module.name(*args)` as protocol 4 writes it: STACK_GLOBAL then a tuple and REDUCE. */
export function call4(module: string, name: string, ...args: Part[]): Uint8Array {
  return pickle(op.su(module), op.su(name), op.stackGlobal, op.mark, ...args, op.tuple, op.reduce);
}

/** The legacy `torch.save` magic number, as pickle 1 of a legacy file. */
export const LEGACY_MAGIC = pickle(
  op.proto(2),
  op.long1([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]),
  op.stop,
);
