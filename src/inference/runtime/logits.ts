import type { Tensor } from "@huggingface/transformers";

export function softmax(values: number[]): number[] {
  // A loop rather than Math.max(...values): a fill-mask vocabulary has too many entries to spread.
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  const exps = values.map((value) => Math.exp(value - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

export const sigmoid = (value: number): number => 1 / (1 + Math.exp(-value));

/** The vector scaled to length 1 (L2), in place; a zero vector stays zero. */
export function unitLength(vector: Float32Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

/** The rows of a [count, width] tensor (logits of classes, or of positions for QA). */
export function rows(tensor: Tensor): number[][] {
  const [count, width] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, row) => Array.from(data.subarray(row * width, (row + 1) * width)));
}

/** Indices of the `count` highest scores, highest first; equal scores keep their order (lower index first). */
export function bestIndices(scores: readonly number[], count: number): number[] {
  const best: number[] = [];
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index]!;
    if (best.length === count && score <= scores[best[count - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && scores[best[at - 1]!]! < score) at--;
    best.splice(at, 0, index);
    if (best.length > count) best.pop();
  }
  return best;
}
