import { badRequest } from "../core/errors.ts";
import { modelCard } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { floatMask, gelu, layerNorm, linear, sliceSequence } from "./onnx-blocks.ts";
import { ElementType, GraphBuilder, MICROSOFT_DOMAIN } from "./onnx-graph.ts";
import { buildVocabulary, tokenizerConfig, tokenizerJson } from "./wordpiece.ts";

/** The shape of a BERT-style encoder. */
export interface EncoderShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabulary: number;
  maxPositions: number;
  typeVocabulary: number;
}

export const ENCODER_SIZES = {
  /** BERT-base: 12 layers, 768 hidden, 12 heads, FFN 3072, vocab 30522. */
  base: {
    layers: 12,
    hidden: 768,
    heads: 12,
    intermediate: 3072,
    vocabulary: 30522,
    maxPositions: 512,
    typeVocabulary: 2,
  },
  /** MiniLM-L6 shape: 6 layers, 384 hidden, 12 heads, FFN 1536. */
  mini: {
    layers: 6,
    hidden: 384,
    heads: 12,
    intermediate: 1536,
    vocabulary: 30522,
    maxPositions: 512,
    typeVocabulary: 2,
  },
  /** A tiny variant with the same graph code, for tests. */
  tiny: {
    layers: 2,
    hidden: 64,
    heads: 2,
    intermediate: 128,
    vocabulary: 1000,
    maxPositions: 128,
    typeVocabulary: 2,
  },
} as const satisfies Record<string, EncoderShape>;
export type EncoderSize = keyof typeof ENCODER_SIZES;
export type EncoderDtype = "fp32" | "int8";

/** Parameters of the encoder (embeddings, layers, pooler), computed from the shape without building it. */
export function encoderParameterCount(shape: EncoderShape): number {
  const { hidden, intermediate } = shape;
  const embeddings = (shape.vocabulary + shape.maxPositions + shape.typeVocabulary) * hidden + 2 * hidden;
  const attention = 4 * (hidden * hidden + hidden) + 2 * hidden;
  const feedForward = hidden * intermediate + intermediate + intermediate * hidden + hidden + 2 * hidden;
  const pooler = hidden * hidden + hidden;
  return embeddings + shape.layers * (attention + feedForward) + pooler;
}

/**
 * Random values with BERT's initialiser spread (std 0.02), from a fast xorshift generator: building
 * 110 million of them must take about a second.
 */
class RandomWeights {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  private nextUint(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  floats(count: number, std = 0.02): Float32Array {
    const values = new Float32Array(count);
    const spread = std * Math.sqrt(3) * 2;
    for (let i = 0; i < count; i++) values[i] = (this.nextUint() / 4294967296 - 0.5) * spread;
    return values;
  }
  int8(count: number): Int8Array {
    const values = new Int8Array(count);
    for (let i = 0; i < count; i++) values[i] = (this.nextUint() % 255) - 127;
    return values;
  }
}

/** Std of uniform int8 values in [-127, 127]; the int8 scale maps it onto BERT's 0.02. */
const INT8_STD = 127 / Math.sqrt(3);

export interface EncoderGraph {
  bytes: Uint8Array;
  parameterCount: number;
}

/**
 * The BERT encoder graph (IR 8, opset 17): word + position + token-type embeddings and LayerNorm, then per
 * layer multi-head self-attention with the padding mask, residual and LayerNorm, an erf-GELU feed-forward
 * block, residual and LayerNorm -> `last_hidden_state`; a tanh pooler over [CLS] -> `pooler_output`.
 * With `int8`, every Linear is a com.microsoft DynamicQuantizeMatMul over int8 weights (what
 * onnxruntime's dynamic quantisation produces); embeddings stay fp32.
 */
export function buildEncoderGraph(shape: EncoderShape, dtype: EncoderDtype, seed = 1): EncoderGraph {
  const { hidden, heads } = shape;
  if (hidden % heads !== 0) throw badRequest(`hidden (${hidden}) must be a multiple of heads (${heads})`);
  const headSize = hidden / heads;
  const random = new RandomWeights(seed);
  const graph = new GraphBuilder(dtype === "int8" ? "bert_encoder_int8" : "bert_encoder");
  const ids = graph.input("input_ids", ElementType.int64, ["batch_size", "sequence_length"]);
  const attentionMask = graph.input("attention_mask", ElementType.int64, ["batch_size", "sequence_length"]);
  const tokenTypes = graph.input("token_type_ids", ElementType.int64, ["batch_size", "sequence_length"]);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const zeros = (n: number) => new Float32Array(n);

  const dense = (x: string, inputs: number, outputs: number, stem: string): string => {
    const bias = graph.weight(`${stem}.bias`, [outputs], zeros(outputs));
    if (dtype === "fp32") {
      const weight = graph.weight(`${stem}.weight`, [inputs, outputs], random.floats(inputs * outputs));
      return linear(graph, x, weight, bias);
    }
    const weight = graph.int8Weight(`${stem}.weight_int8`, [inputs, outputs], random.int8(inputs * outputs));
    const scale = graph.floats([0.02 / INT8_STD], []);
    const zeroPoint = graph.initializer({
      name: `${stem}.zero_point`,
      dims: [],
      dataType: ElementType.int8,
      rawData: new Uint8Array(1),
    });
    return graph.op("DynamicQuantizeMatMul", [x, weight, scale, zeroPoint, bias], {
      domain: MICROSOFT_DOMAIN,
      name: stem,
    });
  };
  const norm = (x: string, stem: string) =>
    layerNorm(
      graph,
      x,
      graph.weight(`${stem}.gamma`, [hidden], ones(hidden)),
      graph.weight(`${stem}.beta`, [hidden], zeros(hidden)),
    );

  // Embeddings.
  const wordTable = graph.weight(
    "embeddings.word",
    [shape.vocabulary, hidden],
    random.floats(shape.vocabulary * hidden),
  );
  const positionTable = graph.weight(
    "embeddings.position",
    [shape.maxPositions, hidden],
    random.floats(shape.maxPositions * hidden),
  );
  const typeTable = graph.weight(
    "embeddings.token_type",
    [shape.typeVocabulary, hidden],
    random.floats(shape.typeVocabulary * hidden),
  );
  const sequenceLength = graph.op("Gather", [graph.op("Shape", [ids]), graph.ints([1], [])], {
    name: "sequence_length",
  });
  const positions = graph.op("Range", [graph.ints([0], []), sequenceLength, graph.ints([1], [])], {
    name: "positions",
  });
  const embedded = graph.op("Add", [
    graph.op("Add", [graph.op("Gather", [wordTable, ids]), graph.op("Gather", [positionTable, positions])]),
    graph.op("Gather", [typeTable, tokenTypes]),
  ]);
  let hiddenStates = norm(embedded, "embeddings.norm");

  // Padding positions get -10000 before the softmax: [batch, 1, 1, seq].
  const { mask2d } = floatMask(graph, attentionMask);
  const maskBias = graph.op(
    "Mul",
    [
      graph.op("Sub", [graph.scalar(1), graph.op("Unsqueeze", [mask2d, graph.ints([1, 2])])]),
      graph.scalar(-10000),
    ],
    { name: "mask_bias" },
  );
  const splitHeads = graph.ints([0, 0, heads, headSize]);
  const mergeHeads = graph.ints([0, 0, hidden]);

  for (let layer = 0; layer < shape.layers; layer++) {
    const stem = `layer${layer}`;
    const project = (name: string, perm: number[]) =>
      graph.op(
        "Transpose",
        [graph.op("Reshape", [dense(hiddenStates, hidden, hidden, `${stem}.${name}`), splitHeads])],
        {
          attributes: { perm },
        },
      );
    const query = project("query", [0, 2, 1, 3]);
    const key = project("key", [0, 2, 3, 1]);
    const value = project("value", [0, 2, 1, 3]);
    const scores = graph.op("Add", [
      graph.op("Mul", [graph.op("MatMul", [query, key]), graph.scalar(1 / Math.sqrt(headSize))]),
      maskBias,
    ]);
    const weights = graph.op("Softmax", [scores], { attributes: { axis: -1 } });
    const context = graph.op("Reshape", [
      graph.op("Transpose", [graph.op("MatMul", [weights, value])], { attributes: { perm: [0, 2, 1, 3] } }),
      mergeHeads,
    ]);
    const attended = dense(context, hidden, hidden, `${stem}.attention_output`);
    hiddenStates = norm(graph.op("Add", [attended, hiddenStates]), `${stem}.attention_norm`);
    const expanded = gelu(graph, dense(hiddenStates, hidden, shape.intermediate, `${stem}.intermediate`));
    const contracted = dense(expanded, shape.intermediate, hidden, `${stem}.output`);
    hiddenStates = norm(graph.op("Add", [contracted, hiddenStates]), `${stem}.output_norm`);
  }
  graph.output("last_hidden_state", hiddenStates, ElementType.float, [
    "batch_size",
    "sequence_length",
    hidden,
  ]);
  const first = graph.op("Squeeze", [sliceSequence(graph, hiddenStates, 0, 1), graph.ints([1])], {
    name: "cls",
  });
  const pooled = graph.op("Tanh", [dense(first, hidden, hidden, "pooler")]);
  graph.output("pooler_output", pooled, ElementType.float, ["batch_size", hidden]);
  return {
    bytes: graph.encode({ docString: `Hangar factory: random-weight BERT-style encoder (${dtype})` }),
    parameterCount: graph.parameterCount(),
  };
}

export interface BuildEncoderParams {
  name: string;
  size: EncoderSize;
  dtype: EncoderDtype;
}

/** A random-weight encoder repo (BERT-base or MiniLM shape) for benchmarks: loadable by feature-extraction. */
export function buildEncoderBenchmarkModel(params: BuildEncoderParams): BuiltModel {
  const shape = ENCODER_SIZES[params.size];
  const graph = buildEncoderGraph(shape, params.dtype);
  // A real WordPiece vocabulary padded to the shape's size with unused tokens, so any English text tokenizes.
  const base = buildVocabulary({ texts: ["the a model hub benchmark"], options: { lowercase: true } });
  const tokens = [...base.tokens];
  for (let i = tokens.length; i < shape.vocabulary; i++) tokens.push(`[unused${i}]`);
  const vocabulary = { ...base, tokens, ids: new Map(tokens.map((token, id) => [token, id])) };
  const fileName = params.dtype === "int8" ? "onnx/model_quantized.onnx" : "onnx/model.onnx";
  const label = params.size === "base" ? "BERT-base" : params.size === "mini" ? "MiniLM-L6" : "tiny BERT";
  const config = {
    architectures: ["BertModel"],
    model_type: "bert",
    vocab_size: shape.vocabulary,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: "gelu",
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: shape.typeVocabulary,
    layer_norm_eps: 1e-12,
    ...(params.dtype === "int8" ? { "transformers.js_config": { dtype: "q8" } } : {}),
  };
  return {
    pipelineTag: "feature-extraction",
    facts: {
      parameters: graph.parameterCount,
      bytes: graph.bytes.byteLength,
      size: params.size,
      dtype: params.dtype,
    },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: `Random-weight ${label}-shaped encoder (${params.dtype}, benchmarks only)`,
        pipelineTag: "feature-extraction",
        tags: ["benchmark", "random-weights", "bert", ...(params.dtype === "int8" ? ["int8"] : [])],
        description: `A ${label}-shaped BERT encoder (${shape.layers} layers, ${shape.hidden} hidden, ${shape.heads} heads, FFN ${shape.intermediate}, vocabulary ${shape.vocabulary}, ${graph.parameterCount.toLocaleString("en")} parameters) with **random weights**. Its outputs mean nothing; its cost is that of the real model.`,
        howItWasMade: `Generated by Hangar's model factory (\`hangar make-model ${params.size === "base" ? "bert-base" : "minilm"}\`) from a fixed seed. ${params.dtype === "int8" ? "Every Linear is a com.microsoft DynamicQuantizeMatMul over int8 weights (like onnxruntime's dynamic quantisation); embeddings are fp32. The file is onnx/model_quantized.onnx and config.json sets transformers.js_config.dtype = q8." : "fp32 weights in onnx/model.onnx."}`,
        intendedUse:
          "Latency, throughput and memory benchmarks of Hangar's inference path against bare onnxruntime-node.",
        limitations:
          "Random weights: embeddings carry no meaning. Generate it at benchmark time; never commit it to a source repository.",
      }),
      "config.json": jsonFile(config),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary, {}, shape.maxPositions)),
      [fileName]: graph.bytes,
    },
  };
}
