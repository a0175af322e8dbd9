import type { GraphBuilder } from "./onnx-graph.ts";
import { ElementType } from "./onnx-graph.ts";

/** The largest int64, as Slice's "to the end". */
const TO_END = Number.MAX_SAFE_INTEGER;

/** `attention_mask` [batch, seq] int64 -> float [batch, seq, 1], ready to multiply token vectors. */
export function floatMask(graph: GraphBuilder, attentionMask: string): { mask2d: string; mask3d: string } {
  const mask2d = graph.op("Cast", [attentionMask], {
    attributes: { to: ElementType.float },
    name: "mask_float",
  });
  const mask3d = graph.op("Unsqueeze", [mask2d, graph.ints([-1])], { name: "mask_3d" });
  return { mask2d, mask3d };
}

/** Sum over the sequence axis of `values` [batch, seq, dim] weighted by `mask3d` [batch, seq, 1] -> [batch, dim]. */
export function maskedSum(graph: GraphBuilder, values: string, mask3d: string): string {
  const masked = graph.op("Mul", [values, mask3d], { name: "masked" });
  return graph.op("ReduceSum", [masked, graph.ints([1])], { attributes: { keepdims: 0 }, name: "summed" });
}

/** Number of real tokens per row, at least 1: [batch, 1]. */
export function tokenCount(graph: GraphBuilder, mask2d: string): string {
  const count = graph.op("ReduceSum", [mask2d, graph.ints([1])], {
    attributes: { keepdims: 1 },
    name: "count",
  });
  return graph.op("Max", [count, graph.scalar(1)], { name: "count_safe" });
}

/** Mean of `values` [batch, seq, dim] over the real tokens -> [batch, dim]. */
export function maskedMean(graph: GraphBuilder, values: string, mask2d: string, mask3d: string): string {
  return graph.op("Div", [maskedSum(graph, values, mask3d), tokenCount(graph, mask2d)], { name: "mean" });
}

/** `x[:, start:end]` along axis 1 (`end` omitted = to the end; negative counts from the end). */
export function sliceSequence(graph: GraphBuilder, x: string, start: number, end?: number): string {
  return graph.op("Slice", [x, graph.ints([start]), graph.ints([end ?? TO_END]), graph.ints([1])], {
    name: "slice",
  });
}

/**
 * The ids of each token's neighbour: `previous` shifts right (position 0 gets `padId`), `next` shifts
 * left (the last position gets `padId`). Shapes stay [batch, seq].
 */
export function neighbourIds(
  graph: GraphBuilder,
  ids: string,
  direction: "previous" | "next",
  padId: number,
): string {
  const pads = direction === "previous" ? [0, 1, 0, 0] : [0, 0, 0, 1];
  const padded = graph.op("Pad", [ids, graph.ints(pads), graph.ints([padId], [])], {
    name: `pad_${direction}`,
  });
  return direction === "previous" ? sliceSequence(graph, padded, 0, -1) : sliceSequence(graph, padded, 1);
}

/** x @ weight + bias. */
export function linear(graph: GraphBuilder, x: string, weight: string, bias?: string): string {
  const product = graph.op("MatMul", [x, weight], { name: "matmul" });
  return bias ? graph.op("Add", [product, bias], { name: "linear" }) : product;
}

/** LayerNormalization over the last axis (an opset 17 operator). */
export function layerNorm(
  graph: GraphBuilder,
  x: string,
  gamma: string,
  beta: string,
  epsilon = 1e-12,
): string {
  return graph.op("LayerNormalization", [x, gamma, beta], {
    attributes: { axis: -1, epsilon: { float: epsilon } },
    name: "layer_norm",
  });
}

/** The exact (erf) GELU BERT uses: 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(graph: GraphBuilder, x: string): string {
  const scaled = graph.op("Div", [x, graph.scalar(Math.SQRT2)], { name: "gelu_scaled" });
  const erf = graph.op("Erf", [scaled], { name: "gelu_erf" });
  const shifted = graph.op("Add", [erf, graph.scalar(1)], { name: "gelu_shift" });
  const half = graph.op("Mul", [x, graph.scalar(0.5)], { name: "gelu_half" });
  return graph.op("Mul", [half, shifted], { name: "gelu" });
}

/** L2-normalises the last axis. */
export function l2Normalize(graph: GraphBuilder, x: string): string {
  const squared = graph.op("Mul", [x, x], { name: "squared" });
  const sum = graph.op("ReduceSum", [squared, graph.ints([-1])], {
    attributes: { keepdims: 1 },
    name: "norm_squared",
  });
  const norm = graph.op("Sqrt", [graph.op("Max", [sum, graph.scalar(1e-12)], { name: "norm_safe" })], {
    name: "norm",
  });
  return graph.op("Div", [x, norm], { name: "normalized" });
}
