import { SeededRandom } from "./random.ts";

/** One training example: sparse features (index, value) and the index of its label. */
export interface SparseExample {
  indices: readonly number[];
  values: readonly number[];
  label: number;
}

export interface TrainSoftmaxRegressionParams {
  examples: readonly SparseExample[];
  featureCount: number;
  labelCount: number;
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights (not the bias). */
  l2?: number;
  /** Weight of each label in the loss, to balance rare labels. */
  labelWeights?: readonly number[];
  seed?: number;
  batchSize?: number;
}

export interface SoftmaxRegression {
  /** [featureCount, labelCount], row-major. */
  weights: Float32Array;
  /** [labelCount] */
  bias: Float32Array;
}

/**
 * Multinomial logistic regression trained with mini-batch Adam in plain TypeScript. Deterministic for a
 * given seed. The models are small (thousands of features, a few labels), so this takes well under a second.
 */
export function trainSoftmaxRegression(params: TrainSoftmaxRegressionParams): SoftmaxRegression {
  const { featureCount, labelCount } = params;
  const epochs = params.epochs ?? 60;
  const learningRate = params.learningRate ?? 0.05;
  const l2 = params.l2 ?? 1e-4;
  const batchSize = params.batchSize ?? 32;
  const random = new SeededRandom(params.seed ?? 42);
  const size = featureCount * labelCount + labelCount;
  const parameters = new Float64Array(size);
  const gradient = new Float64Array(size);
  const moment = new Float64Array(size);
  const velocity = new Float64Array(size);
  const touched = new Uint8Array(featureCount);
  const biasOffset = featureCount * labelCount;
  const beta1 = 0.9;
  const beta2 = 0.999;
  const order = params.examples.map((_, index) => index);
  const logits = new Float64Array(labelCount);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    random.shuffle(order);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      gradient.fill(0);
      touched.fill(0);
      for (const exampleIndex of batch) {
        const example = params.examples[exampleIndex]!;
        for (let label = 0; label < labelCount; label++) logits[label] = parameters[biasOffset + label]!;
        example.indices.forEach((feature, k) => {
          const value = example.values[k]!;
          for (let label = 0; label < labelCount; label++)
            logits[label]! += parameters[feature * labelCount + label]! * value;
        });
        let max = -Infinity;
        for (const logit of logits) max = Math.max(max, logit);
        let total = 0;
        for (let label = 0; label < labelCount; label++) {
          logits[label] = Math.exp(logits[label]! - max);
          total += logits[label]!;
        }
        const weight = (params.labelWeights?.[example.label] ?? 1) / batch.length;
        for (let label = 0; label < labelCount; label++) {
          const error = (logits[label]! / total - (label === example.label ? 1 : 0)) * weight;
          gradient[biasOffset + label]! += error;
          example.indices.forEach((feature, k) => {
            gradient[feature * labelCount + label]! += error * example.values[k]!;
            touched[feature] = 1;
          });
        }
      }
      step++;
      const correction1 = 1 - beta1 ** step;
      const correction2 = 1 - beta2 ** step;
      const update = (index: number, penalty: number) => {
        const g = gradient[index]! + penalty * parameters[index]!;
        moment[index] = beta1 * moment[index]! + (1 - beta1) * g;
        velocity[index] = beta2 * velocity[index]! + (1 - beta2) * g * g;
        parameters[index]! -=
          (learningRate * (moment[index]! / correction1)) /
          (Math.sqrt(velocity[index]! / correction2) + 1e-8);
      };
      // Lazy updates: only features seen in the batch move (their L2 pull is applied when they are seen).
      for (let feature = 0; feature < featureCount; feature++) {
        if (!touched[feature]) continue;
        for (let label = 0; label < labelCount; label++) update(feature * labelCount + label, l2);
      }
      for (let label = 0; label < labelCount; label++) update(biasOffset + label, 0);
    }
  }
  return {
    weights: Float32Array.from(parameters.subarray(0, biasOffset)),
    bias: Float32Array.from(parameters.subarray(biasOffset)),
  };
}

/** The label a trained model gives to an example (for measuring accuracy in TypeScript). */
export function predictLabel(
  model: SoftmaxRegression,
  example: Pick<SparseExample, "indices" | "values">,
  labelCount: number,
): number {
  const logits = Array.from(model.bias);
  example.indices.forEach((feature, k) => {
    for (let label = 0; label < labelCount; label++)
      logits[label]! += model.weights[feature * labelCount + label]! * example.values[k]!;
  });
  return logits.indexOf(Math.max(...logits));
}
