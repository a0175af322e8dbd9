import { seededRandom } from "../../hub/catalog/generate-catalog.ts";

/**
 * Multinomial logistic regression over sparse features, trained by stochastic gradient descent with AdaGrad
 * step sizes. Unlike the factory's mini-batch trainer (softmax-regression.ts), every example carries its own
 * weight and an update touches only the example's features, so thousands of examples with hundreds of
 * character features each train in well under a second.
 */

/** A logit whose gradient is below this share of the example's weight leaves the weights as they are. */
const SKIPPED_GRADIENT = 1e-4;

export interface WeightedSparseExample {
  /** Feature indices, each at most once. */
  indices: Int32Array;
  values: Float32Array;
  label: number;
  weight: number;
}

/** An in-place Fisher-Yates shuffle driven by a seeded generator. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface TrainSparseSoftmaxParams {
  examples: readonly WeightedSparseExample[];
  featureCount: number;
  labelCount: number;
  epochs: number;
  learningRate: number;
  /** L2 penalty, applied to a feature's weights when an example that has it is seen. */
  l2: number;
  seed: number;
}

export interface SparseSoftmax {
  /** [featureCount, labelCount], row-major. */
  weights: Float32Array;
  bias: Float32Array;
}

export function trainSparseSoftmax(params: TrainSparseSoftmaxParams): SparseSoftmax {
  const { examples, featureCount, labelCount, learningRate, l2 } = params;
  const weights = new Float64Array(featureCount * labelCount);
  const squares = new Float64Array(featureCount * labelCount);
  const bias = new Float64Array(labelCount);
  const biasSquares = new Float64Array(labelCount);
  const probabilities = new Float64Array(labelCount);
  const movingLabels = new Int32Array(labelCount);
  const order = Array.from(examples, (_, index) => index);
  const random = seededRandom(params.seed);
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    shuffle(order, random);
    for (const exampleIndex of order) {
      const { indices, values, label, weight } = examples[exampleIndex]!;
      for (let k = 0; k < labelCount; k++) probabilities[k] = bias[k]!;
      for (let i = 0; i < indices.length; i++) {
        const row = indices[i]! * labelCount;
        const value = values[i]!;
        for (let k = 0; k < labelCount; k++) probabilities[k]! += weights[row + k]! * value;
      }
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < labelCount; k++) max = Math.max(max, probabilities[k]!);
      let total = 0;
      for (let k = 0; k < labelCount; k++) {
        probabilities[k] = Math.exp(probabilities[k]! - max);
        total += probabilities[k]!;
      }
      // The gradient of the weighted cross-entropy with respect to each logit, kept in `probabilities`.
      for (let k = 0; k < labelCount; k++) {
        probabilities[k] = (probabilities[k]! / total - (k === label ? 1 : 0)) * weight;
        const gradient = probabilities[k]!;
        biasSquares[k]! += gradient * gradient;
        bias[k]! -= (learningRate * gradient) / Math.sqrt(biasSquares[k]! + 1e-8);
      }
      // Most tasks get a vanishing share of an example once training is under way: skipping their updates
      // (and the L2 pull that would come with them) keeps an epoch cheap.
      let moving = 0;
      for (let k = 0; k < labelCount; k++) {
        if (Math.abs(probabilities[k]!) > SKIPPED_GRADIENT * weight) movingLabels[moving++] = k;
      }
      for (let i = 0; i < indices.length; i++) {
        const row = indices[i]! * labelCount;
        const value = values[i]!;
        for (let m = 0; m < moving; m++) {
          const k = movingLabels[m]!;
          const at = row + k;
          const gradient = probabilities[k]! * value + l2 * weights[at]!;
          squares[at]! += gradient * gradient;
          weights[at]! -= (learningRate * gradient) / Math.sqrt(squares[at]! + 1e-8);
        }
      }
    }
  }
  return { weights: Float32Array.from(weights), bias: Float32Array.from(bias) };
}
