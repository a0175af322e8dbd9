import { seededRandom } from "../../hub/catalog/generate-catalog.ts";
import { type CorpusExample, type CorpusSource, readTaskCorpus, type TaskCorpus } from "./task-corpus.ts";
import { DEFAULT_FEATURE_WEIGHTS, type FeatureWeights, textFeatures } from "./task-features.ts";
import {
  type SparseSoftmax,
  shuffle,
  trainSparseSoftmax,
  type WeightedSparseExample,
} from "./train-sparse-softmax.ts";

/**
 * Which task a description asks for, learned from labelled text (see task-corpus.ts): multinomial logistic
 * regression over the features of task-features.ts. Built deterministically on first use (about a second on
 * a busy 2-core machine), then kept for the process.
 */

export interface TaskModelSettings {
  features: FeatureWeights;
  /** Each source's examples per task, at most (a seeded sample); the catalog files hundreds of chat models. */
  perTaskLimit: Record<CorpusSource, number>;
  /** How much one example of each source weighs: the sources are not equally close to how users write. */
  sourceWeights: Record<CorpusSource, number>;
  /**
   * How far the loss evens out tasks with little text: 0 leaves them as they are, 1 gives every task the
   * same total weight.
   */
  balance: number;
  /** The most a task's examples are weighed up by `balance`. */
  maxBoost: number;
  epochs: number;
  learningRate: number;
  l2: number;
  /**
   * Divides the logits before the softmax so confidences are calibrated: the value with the lowest
   * log-loss on out-of-fold predictions over the training descriptions (`RECOMMEND_BENCH_FIT=1 npm run
   * bench:recommend` fits it again).
   */
  temperature: number;
  seed: number;
}

export const DEFAULT_TASK_MODEL_SETTINGS: TaskModelSettings = {
  features: DEFAULT_FEATURE_WEIGHTS,
  perTaskLimit: { paraphrase: 1000, "task-docs": 60, catalog: 20 },
  sourceWeights: { paraphrase: 3, "task-docs": 0.5, catalog: 1 },
  balance: 0.5,
  maxBoost: 4,
  epochs: 8,
  learningRate: 0.2,
  l2: 1e-5,
  temperature: 0.6,
  seed: 19,
};

export interface TaskScore {
  task: string;
  /** Calibrated probability that this is the task asked for. */
  confidence: number;
}

export interface FeatureContribution {
  feature: string;
  weight: number;
}

export interface TaskModel {
  tasks: string[];
  settings: TaskModelSettings;
  /** Every task, most likely first; confidences sum to 1. */
  classify(text: string): TaskScore[];
  /** The features of a text that push it most towards a task, strongest first. */
  explain(text: string, task: string, count?: number): FeatureContribution[];
}

/** A seeded sample of at most `limit` examples of each task and source, in corpus order otherwise. */
function sample(examples: CorpusExample[], settings: TaskModelSettings): CorpusExample[] {
  const groups = new Map<string, CorpusExample[]>();
  for (const example of examples) {
    const key = `${example.source} ${example.task}`;
    const group = groups.get(key) ?? [];
    group.push(example);
    groups.set(key, group);
  }
  const random = seededRandom(settings.seed);
  const kept: CorpusExample[] = [];
  for (const group of groups.values()) {
    const limit = settings.perTaskLimit[group[0]!.source];
    kept.push(...(group.length <= limit ? group : shuffle([...group], random).slice(0, limit)));
  }
  return kept;
}

export interface TrainTaskModelParams {
  /** By default every source read by readTaskCorpus. */
  corpus?: TaskCorpus;
  settings?: TaskModelSettings;
}

/** The weights a task model learned, and the feature each row of them belongs to. */
export interface FittedTaskModel {
  tasks: string[];
  /** Feature names, in the order of the weights' rows. */
  features: string[];
  trained: SparseSoftmax;
}

/** Learns the weights of a task model from a corpus: deterministic (seeded), about a second. */
export function fitTaskModel(corpus: TaskCorpus, settings: TaskModelSettings): FittedTaskModel {
  const taskIndex = new Map(corpus.tasks.map((task, index) => [task, index]));
  const featureIndex = new Map<string, number>();
  const examples: WeightedSparseExample[] = [];
  const weightPerTask = new Array<number>(corpus.tasks.length).fill(0);
  for (const example of sample(corpus.examples, settings)) {
    const features = textFeatures(example.text, settings.features);
    const indices = new Int32Array(features.size);
    const values = new Float32Array(features.size);
    let at = 0;
    for (const [name, value] of features) {
      let index = featureIndex.get(name);
      if (index === undefined) {
        index = featureIndex.size;
        featureIndex.set(name, index);
      }
      indices[at] = index;
      values[at++] = value;
    }
    const label = taskIndex.get(example.task)!;
    const weight = settings.sourceWeights[example.source];
    examples.push({ indices, values, label, weight });
    weightPerTask[label]! += weight;
  }
  const mean = weightPerTask.reduce((sum, weight) => sum + weight, 0) / corpus.tasks.length;
  for (const example of examples) {
    example.weight *= Math.min(settings.maxBoost, (mean / weightPerTask[example.label]!) ** settings.balance);
  }
  const trained = trainSparseSoftmax({
    examples,
    featureCount: featureIndex.size,
    labelCount: corpus.tasks.length,
    epochs: settings.epochs,
    learningRate: settings.learningRate,
    l2: settings.l2,
    seed: settings.seed,
  });
  return { tasks: corpus.tasks, features: [...featureIndex.keys()], trained };
}

export function trainTaskModel(params: TrainTaskModelParams = {}): TaskModel {
  const corpus = params.corpus ?? readTaskCorpus();
  const settings = params.settings ?? DEFAULT_TASK_MODEL_SETTINGS;
  return taskModelFrom(fitTaskModel(corpus, settings), settings);
}

/** A task model from its weights (fitted now, or read from a cache). */
export function taskModelFrom(fitted: FittedTaskModel, settings: TaskModelSettings): TaskModel {
  const { trained } = fitted;
  const corpus = { tasks: fitted.tasks };
  const taskIndex = new Map(corpus.tasks.map((task, index) => [task, index]));
  const featureIndex = new Map(fitted.features.map((name, index) => [name, index]));
  const labelCount = corpus.tasks.length;

  const logitsOf = (text: string): { logits: Float64Array; features: Array<[number, number, string]> } => {
    const logits = Float64Array.from(trained.bias);
    const known: Array<[number, number, string]> = [];
    for (const [name, value] of textFeatures(text, settings.features)) {
      const index = featureIndex.get(name);
      if (index === undefined) continue;
      known.push([index, value, name]);
      for (let label = 0; label < labelCount; label++) {
        logits[label]! += trained.weights[index * labelCount + label]! * value;
      }
    }
    return { logits, features: known };
  };

  return {
    tasks: corpus.tasks,
    settings,
    classify(text) {
      const { logits } = logitsOf(text);
      let max = Number.NEGATIVE_INFINITY;
      for (const logit of logits) max = Math.max(max, logit);
      let total = 0;
      const exps = Array.from(logits, (logit) => {
        const value = Math.exp((logit - max) / settings.temperature);
        total += value;
        return value;
      });
      return corpus.tasks
        .map((task, index) => ({ task, confidence: exps[index]! / total }))
        .sort((a, b) => b.confidence - a.confidence || a.task.localeCompare(b.task));
    },
    explain(text, task, count = 5) {
      const label = taskIndex.get(task);
      if (label === undefined) return [];
      const { features } = logitsOf(text);
      return features
        .map(([index, value, feature]) => {
          // Against the average task: what makes this task stand out, not what every task shares.
          let average = 0;
          for (let other = 0; other < labelCount; other++)
            average += trained.weights[index * labelCount + other]!;
          average /= labelCount;
          return { feature, weight: (trained.weights[index * labelCount + label]! - average) * value };
        })
        .filter((contribution) => contribution.weight > 0)
        .sort((a, b) => b.weight - a.weight || a.feature.localeCompare(b.feature))
        .slice(0, count);
    },
  };
}
