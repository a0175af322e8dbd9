// Builders of small but real model files (safetensors, GGUF v3, ONNX) for metadata tests.
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

const SAFETENSORS_DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I8: 1, I64: 8 };

export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
}

/** A safetensors file: 8-byte LE header length, JSON header padded to 8 bytes, then zeroed tensor data. */
export function safetensorsFile(
  tensors: TensorSpec[],
  metadata: Record<string, string> = { format: "pt" },
): Buffer {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const tensor of tensors) {
    const bytes =
      tensor.shape.reduce((product, dimension) => product * dimension, 1) *
      (SAFETENSORS_DTYPE_BYTES[tensor.dtype] ?? 1);
    header[tensor.name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), Buffer.alloc(offset)]);
}

type GgufValue = { type: "string"; value: string } | { type: "uint32"; value: number };

export interface GgufTensorSpec {
  name: string;
  /** GGML tensor type: 0 = F32, 12 = Q4_K. */
  ggmlType: number;
  shape: number[];
}

/** Bytes of one tensor's data: Q4_K packs 256 values in 144 bytes. */
function ggmlBytes(tensor: GgufTensorSpec): number {
  const count = tensor.shape.reduce((product, dimension) => product * dimension, 1);
  if (tensor.ggmlType === 0) return count * 4;
  if (tensor.ggmlType === 12) return (count / 256) * 144;
  throw new Error(`no size for GGML type ${tensor.ggmlType}`);
}

/** A GGUF v3 file (little-endian): header, key-values, tensor infos, padding to 32 bytes, zeroed data. */
export function ggufFile(metadata: Record<string, GgufValue>, tensors: GgufTensorSpec[]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    parts.push(buffer);
  };
  const u64 = (value: number) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    parts.push(buffer);
  };
  const string = (value: string) => {
    const bytes = Buffer.from(value, "utf8");
    u64(bytes.length);
    parts.push(bytes);
  };
  parts.push(Buffer.from("GGUF"));
  u32(3);
  u64(tensors.length);
  u64(Object.keys(metadata).length);
  for (const [key, entry] of Object.entries(metadata)) {
    string(key);
    if (entry.type === "string") {
      u32(8);
      string(entry.value);
    } else {
      u32(4);
      u32(entry.value);
    }
  }
  let dataOffset = 0;
  for (const tensor of tensors) {
    string(tensor.name);
    u32(tensor.shape.length);
    for (const dimension of tensor.shape) u64(dimension);
    u32(tensor.ggmlType);
    u64(dataOffset);
    dataOffset += Math.ceil(ggmlBytes(tensor) / 32) * 32;
  }
  const header = Buffer.concat(parts);
  const padding = (32 - (header.length % 32)) % 32;
  return Buffer.concat([header, Buffer.alloc(padding), Buffer.alloc(dataOffset)]);
}

export interface OnnxValueSpec {
  name: string;
  /** onnx.TensorProto.DataType value: 1 = FLOAT, 7 = INT64. */
  elemType: number;
  shape: Array<number | string>;
}

/** A small ONNX classifier graph: (input_ids, attention_mask) → logits through one MatMul. */
export function onnxFile(params: {
  opset: number;
  inputs: OnnxValueSpec[];
  outputs: OnnxValueSpec[];
  weights: Array<{ name: string; dims: number[]; externalLocation?: string }>;
}): Buffer {
  const valueInfo = (spec: OnnxValueSpec) => ({
    name: spec.name,
    type: {
      tensorType: {
        elemType: spec.elemType,
        shape: {
          dim: spec.shape.map((dimension) =>
            typeof dimension === "number" ? { dimValue: dimension } : { dimParam: dimension },
          ),
        },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "hangar-test",
    opsetImport: [{ domain: "", version: params.opset }],
    graph: {
      name: "classifier",
      node: [{ opType: "MatMul", input: ["input_ids", params.weights[0]?.name ?? "w"], output: ["logits"] }],
      input: params.inputs.map(valueInfo),
      output: params.outputs.map(valueInfo),
      initializer: params.weights.map((weight) => {
        const count = weight.dims.reduce((product, dimension) => product * dimension, 1);
        return weight.externalLocation
          ? {
              name: weight.name,
              dims: weight.dims,
              dataType: 1,
              dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
              externalData: [
                { key: "location", value: weight.externalLocation },
                { key: "offset", value: "0" },
                { key: "length", value: String(count * 4) },
              ],
            }
          : { name: weight.name, dims: weight.dims, dataType: 1, rawData: Buffer.alloc(count * 4) };
      }),
    },
  });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}
