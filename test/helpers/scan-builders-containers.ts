import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { op, pickle } from "./pickle-asm.ts";

/**
 * Bytes of the container files the scanner reads, built field by field (nothing binary is committed): zips,
 * torch.save checkpoints (zip and legacy), NumPy .npy, joblib pickles and gzip.
 */

export interface ZipMember {
  name: string;
  data: Uint8Array | string;
  deflate?: boolean;
  /** General-purpose flag bits (0x1 encrypted, 0x8 data descriptor, 0x20, 0x40 …). */
  flags?: number;
  corruptCrc?: boolean;
  /** A different name in the local header than in the central directory. */
  localName?: string;
  /** Extra bytes in the local header (PyTorch pads member data to 64-byte alignment this way). */
  alignTo?: number;
}

export function zip(members: ZipMember[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const raw = typeof member.data === "string" ? Buffer.from(member.data) : Buffer.from(member.data);
    const body = member.deflate ? deflateRawSync(raw) : raw;
    const crc = (crc32(raw) ^ (member.corruptCrc ? 0xdeadbeef : 0)) >>> 0;
    const name = Buffer.from(member.name);
    const localName = Buffer.from(member.localName ?? member.name);
    let extra = Buffer.alloc(0);
    if (member.alignTo) {
      const unpadded = offset + 30 + localName.length + 4;
      const pad = (member.alignTo - (unpadded % member.alignTo)) % member.alignTo;
      extra = Buffer.alloc(4 + pad);
      extra.writeUInt16LE(0x4650, 0);
      extra.writeUInt16LE(pad, 2);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(member.flags ?? 0, 6);
    local.writeUInt16LE(member.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(localName.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(member.flags ?? 0, 8);
    central.writeUInt16LE(member.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, localName, extra, body);
    centrals.push(central, name);
    offset += local.length + localName.length + extra.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** `data.pkl` as `torch.save({"weight": torch.zeros(2, 2)})` writes it (protocol 2, persistent storage id). */
export function torchDataPickle(): Uint8Array {
  return pickle(
    op.proto(2),
    op.emptyDict,
    op.binput(0),
    op.bu("weight"),
    op.binput(1),
    op.global("torch._utils", "_rebuild_tensor_v2"),
    op.binput(2),
    op.mark,
    op.mark,
    op.bu("storage"),
    op.binput(3),
    op.global("torch", "FloatStorage"),
    op.binput(4),
    op.bu("0"),
    op.binput(5),
    op.bu("cpu"),
    op.binput(6),
    op.binint1(4),
    op.tuple,
    op.binput(7),
    op.binpersid,
    op.binint1(0),
    op.binint1(2),
    op.binint1(2),
    op.tuple2,
    op.binput(8),
    op.binint1(2),
    op.binint1(1),
    op.tuple2,
    op.binput(9),
    op.newFalse,
    op.global("collections", "OrderedDict"),
    op.binput(10),
    op.emptyTuple,
    op.reduce,
    op.binput(11),
    op.tuple,
    op.binput(12),
    op.reduce,
    op.binput(13),
    op.setitem,
    op.stop,
  );
}

/** A zip checkpoint laid out like `torch.save`: stored members, 64-byte aligned, under one folder. */
export function torchZip(
  prefix = "archive",
  dataPkl: Uint8Array = torchDataPickle(),
  extra: ZipMember[] = [],
): Uint8Array {
  return zip([
    { name: `${prefix}/data.pkl`, data: dataPkl, alignTo: 64 },
    { name: `${prefix}/byteorder`, data: "little", alignTo: 64 },
    { name: `${prefix}/data/0`, data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), alignTo: 64 },
    { name: `${prefix}/version`, data: "3\n", alignTo: 64 },
    {
      name: `${prefix}/.data/serialization_id`,
      data: "1234567890123456789012345678901234567890",
      alignTo: 64,
    },
    ...extra,
  ]);
}

/** A legacy (pre-1.6) `torch.save` file: magic, protocol, sys info, object, storage keys, then storages. */
export function legacyTorch(objectPickle?: Uint8Array, magic?: Uint8Array): Uint8Array {
  const magicPickle =
    magic ??
    pickle(op.proto(2), op.long1([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]), op.stop);
  const object =
    objectPickle ??
    pickle(
      op.proto(2),
      op.global("collections", "OrderedDict"),
      op.emptyTuple,
      op.reduce,
      op.bu("w"),
      op.global("torch._utils", "_rebuild_tensor_v2"),
      op.mark,
      op.mark,
      op.bu("storage"),
      op.global("torch", "FloatStorage"),
      op.bu("94010"),
      op.bu("cpu"),
      op.binint1(3),
      op.none,
      op.tuple,
      op.binpersid,
      op.binint1(0),
      op.binint1(3),
      op.tuple1,
      op.binint1(1),
      op.tuple1,
      op.newFalse,
      op.global("collections", "OrderedDict"),
      op.emptyTuple,
      op.reduce,
      op.tuple,
      op.reduce,
      op.setitem,
      op.stop,
    );
  const count = Buffer.alloc(8);
  count.writeBigUInt64LE(3n);
  return Buffer.concat([
    magicPickle,
    pickle(op.proto(2), op.binint1(1001), op.stop),
    pickle(op.proto(2), op.emptyDict, op.bu("protocol_version"), op.binint(1001), op.setitem, op.stop),
    object,
    pickle(op.proto(2), op.mark, op.bu("94010"), op.list, op.stop),
    count,
    Buffer.from(new Float32Array([1, 2, 3]).buffer),
  ]);
}

/** A `.npy` v1 file with the given header dict literal and payload. */
export function npy(header: string, payload: Uint8Array): Uint8Array {
  let text = header;
  const unpadded = 10 + text.length + 1;
  text += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(text.length, 8);
  return Buffer.concat([head, Buffer.from(text, "latin1"), payload]);
}

/**
 * A joblib-style pickle: a numpy array wrapper whose raw data follows its BUILD inside the stream. `shape`
 * gives the opcodes of the shape tuple's items and `items` the data's float64 count (default: (3,), 3).
 */
export function joblibArray(
  options: { estimator?: [string, string]; after?: Uint8Array; shape?: number[][]; items?: number } = {},
): Uint8Array {
  const data = Buffer.from(new Float64Array(options.items ?? 3).fill(1).buffer);
  const head = pickle(
    op.proto(4),
    ...(options.estimator
      ? [op.global(...options.estimator), op.emptyTuple, op.newobj, op.emptyDict, op.su("coef_")]
      : [op.emptyDict, op.su("coef_")]),
    op.global("joblib.numpy_pickle", "NumpyArrayWrapper"),
    op.emptyTuple,
    op.newobj,
    op.emptyDict,
    op.mark,
    op.su("subclass"),
    op.global("numpy", "ndarray"),
    op.su("shape"),
    op.mark,
    ...(options.shape ?? [op.binint1(3)]),
    op.tuple,
    op.su("order"),
    op.su("C"),
    op.su("dtype"),
    op.global("numpy", "dtype"),
    op.su("f8"),
    op.newFalse,
    op.newTrue,
    op.tuple3,
    op.reduce,
    op.mark,
    op.binint1(3),
    op.su("<"),
    op.none,
    op.none,
    op.none,
    op.binint(-1),
    op.binint(-1),
    op.binint1(0),
    op.tuple,
    op.build,
    op.su("allow_mmap"),
    op.newTrue,
    op.su("numpy_array_alignment_bytes"),
    op.binint1(16),
    op.setitems,
    op.build,
  );
  const padding = 16 - ((head.length + 1) % 16);
  const tail = options.estimator ? pickle(op.setitem, op.build, op.stop) : pickle(op.setitem, op.stop);
  return Buffer.concat([
    head,
    Buffer.from([padding]),
    Buffer.alloc(padding, 0xff),
    data,
    tail,
    options.after ?? Buffer.alloc(0),
  ]);
}

export const gzip = (bytes: Uint8Array) => gzipSync(bytes);
