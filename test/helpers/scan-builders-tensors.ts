/** Bytes of the tensor files the scanner reads, built field by field: safetensors, GGUF v3 and ONNX. */

export interface TensorSpec {
  dtype: string;
  shape: number[];
  bytes: number;
}

/** A safetensors file: header JSON padded with spaces to 8 bytes, then the tensors back to back. */
export function safetensors(
  tensors: Record<string, TensorSpec>,
  metadata?: Record<string, unknown>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, spec] of Object.entries(tensors)) {
    header[name] = { dtype: spec.dtype, shape: spec.shape, data_offsets: [offset, offset + spec.bytes] };
    offset += spec.bytes;
  }
  return rawSafetensors(JSON.stringify(header), offset);
}

export function rawSafetensors(headerJson: string, dataBytes: number, pad = true): Uint8Array {
  let json = Buffer.from(headerJson);
  if (pad && json.length % 8 !== 0) json = Buffer.concat([json, Buffer.alloc(8 - (json.length % 8), 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(dataBytes, 7)]);
}

export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "string"; value: string }
  | { type: "strings"; value: string[] };

/** A GGUF v3 file with metadata and F32 tensors (data aligned to 32). */
export function gguf(
  kv: Record<string, GgufValue>,
  tensors: Array<{ name: string; dims: number[]; offset?: number }> = [],
  counts?: { kv?: bigint; tensors?: bigint },
): Uint8Array {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const u64 = (n: bigint | number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    parts.push(b);
  };
  const str = (s: string) => {
    u64(Buffer.byteLength(s));
    parts.push(Buffer.from(s));
  };
  parts.push(Buffer.from("GGUF"));
  u32(3);
  u64(counts?.tensors ?? BigInt(tensors.length));
  u64(counts?.kv ?? BigInt(Object.keys(kv).length));
  for (const [key, value] of Object.entries(kv)) {
    str(key);
    if (value.type === "u32") {
      u32(4);
      u32(value.value);
    } else if (value.type === "string") {
      u32(8);
      str(value.value);
    } else {
      u32(9);
      u32(8);
      u64(value.value.length);
      for (const item of value.value) str(item);
    }
  }
  let dataOffset = 0;
  for (const tensor of tensors) {
    str(tensor.name);
    u32(tensor.dims.length);
    for (const dim of tensor.dims) u64(dim);
    u32(0);
    u64(tensor.offset ?? dataOffset);
    dataOffset += Math.ceil((tensor.dims.reduce((a, b) => a * b, 1) * 4) / 32) * 32;
  }
  const head = Buffer.concat(parts);
  const pad = Buffer.alloc((32 - (head.length % 32)) % 32);
  return Buffer.concat([head, pad, Buffer.alloc(dataOffset)]);
}

/** Protobuf writing, enough for ONNX fixtures. */
function varint(n: number): number[] {
  const out: number[] = [];
  let value = n;
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}
export const pb = {
  bytes: (field: number, data: Uint8Array | string) => {
    const body = typeof data === "string" ? Buffer.from(data) : Buffer.from(data);
    return Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(body.length)]), body]);
  },
  int: (field: number, value: number) => Buffer.from([...varint(field * 8), ...varint(value)]),
  message: (field: number, ...parts: Uint8Array[]) => pb.bytes(field, Buffer.concat(parts)),
};

/** An ONNX model: one graph with the given nodes (`domain`, `op`) and initializers (external or inline). */
export function onnxModel(options: {
  nodes?: Array<{ op: string; domain?: string }>;
  initializers?: Array<{ name: string; external?: Record<string, string>; raw?: Uint8Array }>;
  functions?: Array<{ name: string; domain: string }>;
}): Uint8Array {
  const nodes = (options.nodes ?? [{ op: "Identity" }]).map((node) =>
    pb.message(
      1,
      pb.bytes(1, "x"),
      pb.bytes(2, "y"),
      pb.bytes(4, node.op),
      ...(node.domain === undefined ? [] : [pb.bytes(7, node.domain)]),
    ),
  );
  const initializers = (options.initializers ?? []).map((init) =>
    pb.message(
      5,
      pb.int(1, 4),
      pb.int(2, 1),
      pb.bytes(8, init.name),
      ...(init.raw ? [pb.bytes(9, init.raw)] : []),
      ...Object.entries(init.external ?? {}).map(([key, value]) =>
        pb.message(13, pb.bytes(1, key), pb.bytes(2, value)),
      ),
      ...(init.external ? [pb.int(14, 1)] : []),
    ),
  );
  const graph = pb.message(7, ...nodes, pb.bytes(2, "g"), ...initializers);
  const functions = (options.functions ?? []).map((fn) =>
    pb.message(14, pb.bytes(1, fn.name), pb.bytes(10, fn.domain)),
  );
  return Buffer.concat([
    pb.int(1, 8),
    pb.bytes(2, "test"),
    graph,
    pb.message(8, pb.bytes(1, ""), pb.int(2, 17)),
    ...functions,
  ]);
}
