import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

export type TensorProto = onnxProto.onnx.ITensorProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;

/** ONNX element types the factory uses (TensorProto.DataType). */
export const ElementType = {
  float: onnx.TensorProto.DataType.FLOAT,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
} as const;
export type ElementTypeId = (typeof ElementType)[keyof typeof ElementType];

/** A dimension: a number, or a symbolic name such as `batch`. */
export type Dimension = number | string;

/** The IR version and opset every factory model declares (what onnxruntime-node 1.30 and transformers.js expect). */
export const IR_VERSION = 8;
export const OPSET_VERSION = 17;
/** Microsoft's contrib operators, for the int8 benchmark models. */
export const MICROSOFT_DOMAIN = "com.microsoft";

function rawBytes(view: ArrayBufferView): Uint8Array {
  // Initializers are raw little-endian bytes; every platform Node runs on here is little-endian.
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function floatTensor(
  name: string,
  dims: number[],
  values: Float32Array | readonly number[],
): TensorProto {
  const data = values instanceof Float32Array ? values : Float32Array.from(values);
  checkSize(name, dims, data.length);
  return { name, dims, dataType: ElementType.float, rawData: rawBytes(data) };
}

export function int64Tensor(name: string, dims: number[], values: readonly number[]): TensorProto {
  checkSize(name, dims, values.length);
  const data = BigInt64Array.from(values, (value) => BigInt(value));
  return { name, dims, dataType: ElementType.int64, rawData: rawBytes(data) };
}

export function int8Tensor(name: string, dims: number[], values: Int8Array): TensorProto {
  checkSize(name, dims, values.length);
  return { name, dims, dataType: ElementType.int8, rawData: rawBytes(values) };
}

function checkSize(name: string, dims: number[], length: number): void {
  const expected = dims.reduce((product, dim) => product * dim, 1);
  if (expected !== length)
    throw new Error(`Tensor ${name}: dims ${dims.join("x")} need ${expected} values, got ${length}`);
}

export function valueInfo(
  name: string,
  elementType: ElementTypeId,
  dims: readonly Dimension[],
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementType,
        shape: { dim: dims.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  };
}

/** Node attributes, written as a plain object: numbers are ints unless listed in `floats`. */
export type Attributes = Record<
  string,
  number | number[] | string | { float: number } | { tensor: TensorProto }
>;

function toAttributes(attributes: Attributes): AttributeProto[] {
  const { AttributeType } = onnx.AttributeProto;
  return Object.entries(attributes).map(([name, value]) => {
    if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
    if (typeof value === "string") return { name, type: AttributeType.STRING, s: Buffer.from(value) };
    if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
    if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
    return { name, type: AttributeType.TENSOR, t: value.tensor };
  });
}

export interface OpOptions {
  attributes?: Attributes;
  domain?: string;
  /** Names for the outputs; by default one fresh name. */
  outputs?: string[];
  /** A readable stem for generated names. */
  name?: string;
}

/**
 * Builds one ONNX graph node by node. Every `op` returns the names of its outputs, so blocks compose like
 * function calls, and constants are deduplicated by value.
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();
  private readonly usedNames = new Set<string>();
  private readonly domains = new Set<string>();
  private counter = 0;
  private parameters = 0;

  constructor(readonly name: string) {}

  /** A name not used yet in the graph, based on `stem`. */
  fresh(stem: string): string {
    let candidate = stem;
    while (this.usedNames.has(candidate)) candidate = `${stem}_${++this.counter}`;
    this.usedNames.add(candidate);
    return candidate;
  }

  input(name: string, elementType: ElementTypeId, dims: readonly Dimension[]): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, elementType, dims));
    return name;
  }

  /** Declares a graph output, renaming `value` with an Identity node when its name differs. */
  output(name: string, value: string, elementType: ElementTypeId, dims: readonly Dimension[]): void {
    if (value !== name) this.op("Identity", [value], { outputs: [name] });
    this.outputs.push(valueInfo(name, elementType, dims));
  }

  /** Adds an initializer under a fresh name derived from the tensor's name. */
  initializer(tensor: TensorProto): string {
    const name = this.fresh(tensor.name ?? "weight");
    this.initializers.push({ ...tensor, name });
    return name;
  }

  /** A learned (or random) weight: counted in `parameterCount`, unlike constants. */
  weight(stem: string, dims: number[], values: Float32Array | readonly number[]): string {
    this.parameters += values.length;
    return this.initializer(floatTensor(stem, dims, values));
  }

  /** An int8 weight (quantized models): counted in `parameterCount`. */
  int8Weight(stem: string, dims: number[], values: Int8Array): string {
    this.parameters += values.length;
    return this.initializer(int8Tensor(stem, dims, values));
  }

  /** An int64 constant (shapes, axes, indices), shared between nodes that use the same value. */
  ints(values: readonly number[], dims: number[] = [values.length]): string {
    return this.shared(`i64:${dims.join("x")}:${values.join(",")}`, () =>
      int64Tensor("const_i64", dims, values),
    );
  }

  /** A float constant, shared between nodes that use the same value. */
  floats(values: readonly number[], dims: number[] = [values.length]): string {
    return this.shared(`f32:${dims.join("x")}:${values.join(",")}`, () =>
      floatTensor("const_f32", dims, values),
    );
  }

  scalar(value: number): string {
    return this.floats([value], []);
  }

  private shared(key: string, make: () => TensorProto): string {
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.initializer(make());
    this.constants.set(key, name);
    return name;
  }

  op(opType: string, inputs: readonly string[], options: OpOptions = {}): string {
    return this.opOutputs(opType, inputs, options)[0]!;
  }

  opOutputs(opType: string, inputs: readonly string[], options: OpOptions = {}): string[] {
    const stem = options.name ?? opType.toLowerCase();
    const outputs = options.outputs?.map((name) => {
      this.usedNames.add(name);
      return name;
    }) ?? [this.fresh(stem)];
    if (options.domain) this.domains.add(options.domain);
    this.nodes.push({
      name: this.fresh(`${stem}_node`),
      opType,
      input: [...inputs],
      output: outputs,
      ...(options.domain ? { domain: options.domain } : {}),
      ...(options.attributes ? { attribute: toAttributes(options.attributes) } : {}),
    });
    return outputs;
  }

  /** The serialized ModelProto. */
  encode(params: { producer?: string; docString?: string } = {}): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      producerName: params.producer ?? "hangar-model-factory",
      producerVersion: "1",
      ...(params.docString ? { docString: params.docString } : {}),
      opsetImport: [
        { domain: "", version: OPSET_VERSION },
        ...[...this.domains].map((domain) => ({ domain, version: 1 })),
      ],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }

  /** Number of weight values (`weight` and `int8Weight`), not counting constants. */
  parameterCount(): number {
    return this.parameters;
  }
}

/** Decodes a model file, for tests and checks. */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
