import type { OnnxFileFacts, OnnxTensorSpec } from "../../core/types.ts";
import type { BlobSource } from "./blob-source.ts";

/**
 * ONNX has no header: reading inputs and outputs means decoding the whole protobuf, initializers
 * included. Files above this size are measured but not decoded, so a commit never pulls gigabytes into
 * memory.
 */
export const MAX_ONNX_DECODE_BYTES = 64 * 1024 ** 2;

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

/** Opset, inputs, outputs, parameter count and external data of an ONNX model. */
export async function readOnnxModel(
  source: BlobSource,
  path: string,
): Promise<OnnxFacts & { warnings: string[] }> {
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  if (source.size > MAX_ONNX_DECODE_BYTES) {
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
      warnings: [
        `${path} is ${source.size} bytes, over the ${MAX_ONNX_DECODE_BYTES}-byte limit for reading ONNX graphs; only its size was recorded`,
      ],
    };
  }
  const onnx = await loadOnnx();
  const model = onnx.ModelProto.decode(await source.read(0, source.size));
  const opsets: Record<string, number> = {};
  for (const entry of model.opsetImport ?? []) {
    const version = toNumber(entry.version);
    if (version !== null) opsets[entry.domain ?? ""] = version;
  }
  const graph = model.graph ?? {};
  const initializers: Array<{
    name?: string | null;
    dims?: unknown[] | null;
    dataLocation?: number | null;
    externalData?: Array<{ key?: string | null; value?: string | null }> | null;
  }> = graph.initializer ?? [];
  const initializerNames = new Set(initializers.map((tensor) => tensor.name ?? ""));
  const externalDataFiles = new Set<string>();
  let parameters = 0;
  for (const tensor of initializers) {
    parameters += (tensor.dims ?? []).reduce<number>(
      (product, dimension) => product * (toNumber(dimension) ?? 0),
      1,
    );
    const location = (tensor.externalData ?? []).find((entry) => entry.key === "location")?.value;
    if (location) externalDataFiles.add(folder + location);
    else if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      externalDataFiles.add(`${path}_data`);
  }
  return {
    decoded: true,
    opset: opsets[""] ?? opsets["ai.onnx"] ?? null,
    opsets,
    irVersion: toNumber(model.irVersion),
    producer: model.producerName || null,
    // Models exported before IR 4 list their initializers as inputs too; callers feed only the others.
    inputs: (graph.input ?? [])
      .filter((input: DecodedValueInfo) => !initializerNames.has(input.name ?? ""))
      .map((input: DecodedValueInfo) => tensorSpec(onnx, input)),
    outputs: (graph.output ?? []).map((output: DecodedValueInfo) => tensorSpec(onnx, output)),
    externalData: externalDataFiles.size > 0,
    externalDataFiles: [...externalDataFiles].sort(),
    parameters,
    warnings: [],
  };
}
