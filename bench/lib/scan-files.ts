// Files for `bench:scan`, written block by block (never held whole in memory): model-like pickles, a legacy
// `torch.save` checkpoint and a zip checkpoint, and the bare stepping loop that bounds the scanner's walk.
import { open } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { stepperOf } from "../../src/governance/scan/pickle-wasm.ts";
import { openFileSource } from "../../src/governance/scan/source.ts";
import { MB } from "./stats.ts";

/** Writes `head`, then blocks until `total` is reached (the tail counted), then `tail`; returns the size. */
export async function writeBlocks(
  path: string,
  head: Uint8Array,
  block: (index: number) => Uint8Array,
  total: number,
  tail: Uint8Array,
): Promise<number> {
  const handle = await open(path, "w");
  let written = 0;
  await handle.write(head);
  written += head.length;
  for (let index = 0; written + tail.length < total; index++) {
    const bytes = block(index);
    await handle.write(bytes);
    written += bytes.length;
  }
  await handle.write(tail);
  written += tail.length;
  await handle.close();
  return written;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const binint = (n: number) => Buffer.concat([Buffer.from([0x4a]), u32(n)]);
const unicode = (text: string) =>
  Buffer.concat([Buffer.from([0x58]), u32(Buffer.byteLength(text)), Buffer.from(text)]);
const global = (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`, "latin1");

/**
 * One block of a pickle dense with the smallest opcodes: an int key and a list of 1,000 numbers cycling
 * BININT1, BININT2 and BINFLOAT (4.7 bytes an opcode), as Python pickles lists of token ids or values.
 */
function denseBlock(index: number): Uint8Array {
  const items = Buffer.alloc(1000 * 5);
  let at = 0;
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) items.set([0x4b, i & 0xff], at);
    else if (i % 3 === 1) items.set([0x4d, i & 0xff, i >> 8], at);
    else {
      items[at] = 0x47;
      Buffer.from(items.buffer, items.byteOffset).writeDoubleBE(i / 7, at + 1);
    }
    at += i % 3 === 0 ? 2 : i % 3 === 1 ? 3 : 9;
  }
  return Buffer.concat([
    binint(index),
    Buffer.from([0x5d, 0x94, 0x28]),
    items.subarray(0, at),
    Buffer.from([0x65, 0x73]),
  ]);
}

export function makeDensePickle(path: string, bytes: number): Promise<number> {
  return writeBlocks(path, Buffer.from([0x80, 0x04, 0x7d, 0x94]), denseBlock, bytes, Buffer.from([0x2e]));
}

/** Bytes of each opcode of the dense pickle (all fixed-width), for the bare loop's other opcodes. */
const OPCODE_LENGTH = new Uint8Array(256);
for (const [op, length] of [
  [0x80, 2],
  [0x7d, 1],
  [0x94, 1],
  [0x4a, 5],
  [0x5d, 1],
  [0x28, 1],
  [0x4b, 2],
  [0x4d, 3],
  [0x47, 9],
  [0x65, 1],
  [0x73, 1],
  [0x2e, 1],
] as const)
  OPCODE_LENGTH[op] = length;

/**
 * Every byte of the file, read as the scanner reads a file (`openFileSource`: 1 MB reads into three recycled
 * buffers, one read ahead), handed to `each`; returns the bytes read.
 */
export async function readLikeScanner(path: string, each?: (chunk: Uint8Array) => void): Promise<number> {
  const source = await openFileSource(path);
  let bytes = 0;
  try {
    for await (const chunk of source.chunks(0, source.size, true)) {
      bytes += chunk.length;
      each?.(chunk);
    }
  } finally {
    await source.close();
  }
  return bytes;
}

/**
 * The ceiling of the scanner's walk of the dense pickle: read the file as the read baseline does and only step
 * from opcode to opcode, numbers with the scanner's own WebAssembly loop (pickle-wasm.ts, in place in the
 * chunks), the few other opcodes by a table of lengths (no stack, memo, checks or values). Returns the opcodes.
 */
export async function opcodeLoop(path: string): Promise<number> {
  const count = { opcodes: 0 };
  let carry = 0;
  await readLikeScanner(path, (chunk) => {
    carry = stepChunk(chunk, carry, count);
  });
  return count.opcodes;
}

/** Steps through one chunk from `pos`; returns how far the last opcode reaches into the next chunk. */
function stepChunk(buf: Uint8Array, pos: number, count: { opcodes: number }): number {
  const end = buf.length;
  const stepper = stepperOf(buf);
  const offset = buf.byteOffset;
  // Where every number opcode is whole, as the walk steps them.
  const last = end - 9;
  let opcodes = 0;
  while (pos < end) {
    const op = buf[pos]!;
    if (stepper !== undefined && pos <= last && (op === 0x4b || op === 0x4d || op === 0x47)) {
      pos = stepper.step(offset + pos, offset + last) - offset;
      opcodes += stepper.count.value;
    } else {
      pos += OPCODE_LENGTH[op]!;
      opcodes++;
    }
  }
  count.opcodes += opcodes;
  return pos - end;
}

/** Tensor sizes of a model-like checkpoint, by layer: two weights and two small vectors. */
const TENSOR_BYTES = [6 * MB, 2 * MB, 8 * 1024, 8 * 1024];

function tensorsUpTo(bytes: number): number[] {
  const sizes: number[] = [];
  for (let total = 0; total < bytes; ) {
    const size = TENSOR_BYTES[sizes.length % TENSOR_BYTES.length]!;
    sizes.push(size);
    total += size;
  }
  return sizes;
}

/** The state dict pickle `torch.save` writes (protocol 2): `_rebuild_tensor_v2` per tensor, storages by id. */
function stateDictPickle(sizes: number[], legacy: boolean): Buffer {
  const parts: Buffer[] = [
    Buffer.from([0x80, 0x02]),
    global("collections", "OrderedDict"),
    Buffer.from([0x29, 0x52, 0x28]),
  ];
  for (const [i, size] of sizes.entries()) {
    const numel = size / 4;
    parts.push(
      unicode(`model.layers.${i >> 2}.${["q", "k", "norm", "bias"][i % 4]}.weight`),
      global("torch._utils", "_rebuild_tensor_v2"),
      Buffer.from([0x28, 0x28]),
      unicode("storage"),
      global("torch", "FloatStorage"),
      unicode(String(i)),
      unicode("cpu"),
      binint(numel),
      legacy ? Buffer.from([0x4e, 0x74, 0x51]) : Buffer.from([0x74, 0x51]),
      Buffer.from([0x4b, 0x00]),
      binint(numel),
      Buffer.from([0x85, 0x4b, 0x01, 0x85, 0x89]),
      global("collections", "OrderedDict"),
      Buffer.from([0x29, 0x52, 0x74, 0x52]),
    );
  }
  parts.push(Buffer.from([0x75, 0x2e]));
  return Buffer.concat(parts);
}

/**
 * A legacy (pre-1.6) `torch.save` file of about `bytes`: magic, protocol, sys info, the state dict, the
 * storage keys, then each storage as a u64 element count and its data.
 */
export async function makeLegacyTorch(path: string, bytes: number): Promise<number> {
  const sizes = tensorsUpTo(bytes);
  const keys = Buffer.concat([
    Buffer.from([0x80, 0x02, 0x28]),
    ...sizes.map((_, i) => unicode(String(i))),
    Buffer.from([0x6c, 0x2e]),
  ]);
  const head = Buffer.concat([
    Buffer.from("80028a0a6cfc9c46f9206aa850192e", "hex"),
    Buffer.from([0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e]),
    Buffer.concat([
      Buffer.from([0x80, 0x02, 0x7d]),
      unicode("protocol_version"),
      binint(1001),
      Buffer.from([0x73, 0x2e]),
    ]),
    stateDictPickle(sizes, true),
    keys,
  ]);
  const data = Buffer.alloc(TENSOR_BYTES[0]!, 0x3c);
  return writeBlocks(
    path,
    head,
    (index) => {
      const count = Buffer.alloc(8);
      count.writeBigUInt64LE(BigInt(sizes[index]! / 4));
      return Buffer.concat([count, data.subarray(0, sizes[index]!)]);
    },
    head.length + sizes.reduce((sum, size) => sum + 8 + size, 0),
    new Uint8Array(0),
  );
}

/** A zip checkpoint as `torch.save` writes it since 1.6: `archive/data.pkl`, then one stored member per storage. */
export async function makeTorchZip(path: string, bytes: number): Promise<number> {
  const sizes = tensorsUpTo(bytes);
  const data = Buffer.alloc(TENSOR_BYTES[0]!, 0x3c);
  const members: Array<{ name: string; body: Uint8Array }> = [
    { name: "archive/data.pkl", body: stateDictPickle(sizes, false) },
    { name: "archive/byteorder", body: Buffer.from("little") },
    ...sizes.map((size, i) => ({ name: `archive/data/${i}`, body: data.subarray(0, size) })),
    { name: "archive/version", body: Buffer.from("3\n") },
  ];
  const handle = await open(path, "w");
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, body } of members) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    await handle.write(Buffer.concat([local, nameBytes]));
    await handle.write(body);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  await handle.write(Buffer.concat([directory, end]));
  await handle.close();
  return offset + directory.length + end.length;
}
