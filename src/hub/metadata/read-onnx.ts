import type { OnnxFileFacts, OnnxTensorSpec } from "../../core/types.ts";
import type { BlobSource } from "./blob-source.ts";
import {
  ProtobufScanner,
  SCAN_BOUND_EXCEEDED,
  type ScanBounds,
  WIRE_LENGTH,
  WIRE_VARINT,
} from "./protobuf-scanner.ts";

/**
 * ONNX has no header, but its protobuf fields can be walked by seeking: the scanner reads field headers,
 * the opset, the graph's inputs and outputs and each initializer's shape and data location, and skips
 * tensor data and nodes. A graph whose walk would read more than this many bytes (hundreds of thousands
 * of initializers) is only measured.
 */
export const MAX_ONNX_SCAN_BYTES = 64 * 1024 ** 2;

/** ONNX tensors have a handful of dimensions; more is not a tensor anyone exports. */
const MAX_TENSOR_RANK = 64;

/**
 * Fields walked at most: a large language model's graph has tens of thousands of nodes and initializers; a
 * file of millions of tiny fields would keep the scan (and memory, for initializers) busy for nothing.
 */
export const MAX_ONNX_SCAN_FIELDS = 500_000;

type OnnxFacts = Omit<OnnxFileFacts, "path" | "size">;

/** protobufjs gives int64 fields as Long objects when long.js is installed, as numbers otherwise. */
function toNumber(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (value && typeof value === "object" && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return null;
}

interface DecodedType {
  tensorType?: DecodedTensorType | null;
  sparseTensorType?: DecodedTensorType | null;
  sequenceType?: unknown;
  mapType?: unknown;
  optionalType?: unknown;
}
interface DecodedTensorType {
  elemType?: number | null;
  shape?: { dim?: Array<{ dimValue?: unknown; dimParam?: string | null }> | null } | null;
}
interface DecodedValueInfo {
  name?: string | null;
  type?: DecodedType | null;
}

type OnnxNamespace = typeof import("onnx-proto").onnx;

let onnxNamespace: Promise<OnnxNamespace> | undefined;

/** Loaded on first use: onnx-proto (protobufjs) is only needed by commits that hold ONNX files. */
function loadOnnx(): Promise<OnnxNamespace> {
  onnxNamespace ??= import("onnx-proto").then((module) => {
    // CommonJS: Node exposes the exports object as `default`, tsx sometimes as named exports too.
    const loaded = module as { onnx?: OnnxNamespace; default?: { onnx?: OnnxNamespace } };
    const onnx = loaded.onnx ?? loaded.default?.onnx;
    if (!onnx) throw new Error("onnx-proto has no onnx namespace");
    return onnx;
  });
  return onnxNamespace;
}

function tensorSpec(onnx: OnnxNamespace, value: DecodedValueInfo): OnnxTensorSpec {
  const type = value.type ?? {};
  const tensor = type.tensorType ?? type.sparseTensorType;
  const name = value.name ?? "";
  if (!tensor) {
    const kind = type.sequenceType
      ? "sequence"
      : type.mapType
        ? "map"
        : type.optionalType
          ? "optional"
          : "unknown";
    return { name, elementType: kind, shape: [] };
  }
  const typeName: unknown = onnx.TensorProto.DataType[tensor.elemType ?? 0];
  const shape = (tensor.shape?.dim ?? []).map((dimension) => {
    const size = toNumber(dimension.dimValue);
    if (dimension.dimParam) return dimension.dimParam;
    return size !== null && size > 0 ? size : null;
  });
  return {
    name,
    elementType: typeof typeName === "string" ? typeName.toLowerCase() : "undefined",
    shape,
  };
}

function unread(reason: string): OnnxFacts & { warnings: string[] } {
  return {
    decoded: false,
    opset: null,
    opsets: {},
    irVersion: null,
    producer: null,
    inputs: [],
    outputs: [],
    externalData: false,
    externalDataFiles: [],
    parameters: null,
    warnings: [reason],
  };
}

interface InitializerFacts {
  name: string;
  elements: number;
  externalLocation: string | null;
  external: boolean;
}

/** dims, name and data location of one TensorProto, skipping its data. */
async function readInitializer(
  scanner: ProtobufScanner,
  start: number,
  end: number,
): Promise<InitializerFacts> {
  const dims: number[] = [];
  const facts: InitializerFacts = { name: "", elements: 0, externalLocation: null, external: false };
  for await (const field of scanner.fields(start, end)) {
    if (field.field === 1 && field.wireType === WIRE_VARINT) dims.push(field.varint);
    else if (field.field === 1 && field.wireType === WIRE_LENGTH)
      for (const dimension of await scanner.packedVarints(field.start, field.end, MAX_TENSOR_RANK))
        dims.push(dimension);
    if (dims.length > MAX_TENSOR_RANK)
      throw new Error(`an initializer has more than ${MAX_TENSOR_RANK} dimensions`);
    else if (field.field === 8 && field.wireType === WIRE_LENGTH)
      facts.name = (await scanner.bytes(field.start, field.end)).toString("utf8");
    else if (field.field === 14 && field.wireType === WIRE_VARINT) facts.external = field.varint === 1;
    else if (field.field === 13 && field.wireType === WIRE_LENGTH) {
      let key = "";
      let value = "";
      for await (const entry of scanner.fields(field.start, field.end)) {
        if (entry.wireType !== WIRE_LENGTH) continue;
        const text = (await scanner.bytes(entry.start, entry.end)).toString("utf8");
        if (entry.field === 1) key = text;
        else if (entry.field === 2) value = text;
      }
      if (key === "location") facts.externalLocation = value;
    }
  }
  facts.elements = dims.reduce((product, dimension) => product * dimension, 1);
  return facts;
}

/** Opset, inputs, outputs, parameter count and external data of an ONNX model, without its tensor data. */
export async function readOnnxModel(
  source: BlobSource,
  path: string,
  bounds: Partial<ScanBounds> = {},
): Promise<OnnxFacts & { warnings: string[] }> {
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  const onnx = await loadOnnx();
  const scanner = new ProtobufScanner(source, {
    maxBytesRead: bounds.maxBytesRead ?? MAX_ONNX_SCAN_BYTES,
    maxFields: bounds.maxFields ?? MAX_ONNX_SCAN_FIELDS,
  });
  const opsets: Record<string, number> = {};
  let irVersion: number | null = null;
  let producer: string | null = null;
  let graph: { start: number; end: number } | null = null;
  try {
    for await (const field of scanner.fields(0, source.size)) {
      if (field.field === 1 && field.wireType === WIRE_VARINT) irVersion = field.varint;
      else if (field.field === 2 && field.wireType === WIRE_LENGTH) {
        producer = (await scanner.bytes(field.start, field.end)).toString("utf8") || null;
      } else if (field.field === 8 && field.wireType === WIRE_LENGTH) {
        const opset = onnx.OperatorSetIdProto.decode(await scanner.bytes(field.start, field.end));
        const version = toNumber(opset.version);
        if (version !== null) opsets[opset.domain ?? ""] = version;
      } else if (field.field === 7 && field.wireType === WIRE_LENGTH)
        graph = { start: field.start, end: field.end };
    }
    if (irVersion === null || graph === null) throw new Error("not an ONNX model (no ir_version or graph)");

    const inputs: DecodedValueInfo[] = [];
    const outputs: DecodedValueInfo[] = [];
    const initializers: InitializerFacts[] = [];
    for await (const field of scanner.fields(graph.start, graph.end)) {
      if (field.wireType !== WIRE_LENGTH) continue;
      if (field.field === 11)
        inputs.push(onnx.ValueInfoProto.decode(await scanner.bytes(field.start, field.end)));
      else if (field.field === 12)
        outputs.push(onnx.ValueInfoProto.decode(await scanner.bytes(field.start, field.end)));
      else if (field.field === 5) initializers.push(await readInitializer(scanner, field.start, field.end));
    }

    const initializerNames = new Set(initializers.map((tensor) => tensor.name));
    const externalDataFiles = new Set<string>();
    for (const tensor of initializers) {
      if (tensor.externalLocation) externalDataFiles.add(folder + tensor.externalLocation);
      else if (tensor.external) externalDataFiles.add(`${path}_data`);
    }
    return {
      decoded: true,
      opset: opsets[""] ?? opsets["ai.onnx"] ?? null,
      opsets,
      irVersion,
      producer,
      // Models exported before IR 4 list their initializers as inputs too; callers feed only the others.
      inputs: inputs
        .filter((input) => !initializerNames.has(input.name ?? ""))
        .map((input) => tensorSpec(onnx, input)),
      outputs: outputs.map((output) => tensorSpec(onnx, output)),
      externalData: externalDataFiles.size > 0,
      externalDataFiles: [...externalDataFiles].sort(),
      parameters: initializers.reduce((total, tensor) => total + tensor.elements, 0),
      warnings: [],
    };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(SCAN_BOUND_EXCEEDED)) {
      return unread(`${path}: ${error.message}; only its size was recorded`);
    }
    throw error;
  }
}
