import { readTsv } from "./data-files.ts";
import { modelCard, transformersUsage } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { floatMask, maskedSum, sliceSequence, tokenCount } from "./onnx-blocks.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { predictLabel, type SparseExample, trainSoftmaxRegression } from "./softmax-regression.ts";
import { buildVocabulary, encode, tokenizerConfig, tokenizerJson, type Vocabulary } from "./wordpiece.ts";

export const SENTIMENT_LABELS = ["NEGATIVE", "POSITIVE"] as const;
/** Buckets of the hashed token-pair table: pairs such as "not good" get their own weights. */
const PAIR_BUCKETS = 4096;
const PAIR_MULTIPLIER_PREVIOUS = 7919;
const PAIR_MULTIPLIER_NEXT = 104729;
const SEED = 20261127;

export interface LabelledSentence {
  label: (typeof SENTIMENT_LABELS)[number];
  text: string;
}

export async function readSentimentSplit(split: "train" | "test"): Promise<LabelledSentence[]> {
  const rows = await readTsv(`sentiment/${split}.tsv`);
  return rows.map((row) => {
    if (row.label !== "POSITIVE" && row.label !== "NEGATIVE")
      throw new Error(`data/sentiment/${split}.tsv: unknown label "${row.label}"`);
    return { label: row.label, text: row.text ?? "" };
  });
}

function pairBucket(previous: number, next: number): number {
  return (previous * PAIR_MULTIPLIER_PREVIOUS + next * PAIR_MULTIPLIER_NEXT) % PAIR_BUCKETS;
}

/**
 * The features the graph computes: every token id and every hashed pair of neighbouring ids, each worth
 * 1/sqrt(n) for a text of n tokens ([CLS] and [SEP] included): long texts do not drown single words, short
 * ones do not swing wildly.
 */
function featuresOf(text: string, vocabulary: Vocabulary): Pick<SparseExample, "indices" | "values"> {
  const { ids } = encode(text, vocabulary);
  const share = 1 / Math.sqrt(ids.length);
  const indices = [...ids];
  for (let i = 0; i + 1 < ids.length; i++)
    indices.push(vocabulary.tokens.length + pairBucket(ids[i]!, ids[i + 1]!));
  return { indices, values: indices.map(() => share) };
}

/**
 * The graph: Gather(token table, input_ids) and Gather(pair table, hash(previous, next)), masked sums over
 * the sequence, divided by the square root of the token count, plus a bias -> `logits` [batch, 2].
 */
function buildGraph(vocabularySize: number, weights: Float32Array, bias: Float32Array): Uint8Array {
  const labels = SENTIMENT_LABELS.length;
  const graph = new GraphBuilder("sentiment_classifier");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  const attentionMask = graph.input("attention_mask", ElementType.int64, ["batch", "sequence"]);
  const tokenTable = graph.weight(
    "token_weights",
    [vocabularySize, labels],
    weights.subarray(0, vocabularySize * labels),
  );
  const pairTable = graph.weight(
    "pair_weights",
    [PAIR_BUCKETS, labels],
    weights.subarray(vocabularySize * labels),
  );
  const biasValues = graph.weight("bias", [labels], bias);
  const { mask2d, mask3d } = floatMask(graph, attentionMask);

  const tokenScores = maskedSum(
    graph,
    graph.op("Gather", [tokenTable, ids], { name: "token_scores" }),
    mask3d,
  );

  const previous = sliceSequence(graph, ids, 0, -1);
  const next = sliceSequence(graph, ids, 1);
  const mixed = graph.op("Add", [
    graph.op("Mul", [previous, graph.ints([PAIR_MULTIPLIER_PREVIOUS], [])]),
    graph.op("Mul", [next, graph.ints([PAIR_MULTIPLIER_NEXT], [])]),
  ]);
  const buckets = graph.op("Mod", [mixed, graph.ints([PAIR_BUCKETS], [])], { name: "pair_bucket" });
  const pairMask = graph.op("Mul", [sliceSequence(graph, mask3d, 0, -1), sliceSequence(graph, mask3d, 1)], {
    name: "pair_mask",
  });
  const pairScores = maskedSum(
    graph,
    graph.op("Gather", [pairTable, buckets], { name: "pair_scores" }),
    pairMask,
  );

  const total = graph.op("Add", [tokenScores, pairScores]);
  const scaled = graph.op("Div", [total, graph.op("Sqrt", [tokenCount(graph, mask2d)])]);
  graph.output("logits", graph.op("Add", [scaled, biasValues]), ElementType.float, ["batch", labels]);
  return graph.encode({
    docString: "Hangar factory: sentiment classifier trained on data/sentiment/train.tsv",
  });
}

export interface SentimentTraining {
  vocabulary: Vocabulary;
  weights: Float32Array;
  bias: Float32Array;
  trainAccuracy: number;
  testAccuracy: number;
  trainSize: number;
  testSize: number;
}

/** Trains the classifier on data/sentiment/train.tsv and measures it on data/sentiment/test.tsv. */
export async function trainSentiment(): Promise<SentimentTraining> {
  const train = await readSentimentSplit("train");
  const test = await readSentimentSplit("test");
  const vocabulary = buildVocabulary({ texts: train.map((row) => row.text), options: { lowercase: true } });
  const labelIndex = (label: string) => SENTIMENT_LABELS.indexOf(label as (typeof SENTIMENT_LABELS)[number]);
  const examples: SparseExample[] = train.map((row) => ({
    ...featuresOf(row.text, vocabulary),
    label: labelIndex(row.label),
  }));
  const model = trainSoftmaxRegression({
    examples,
    featureCount: vocabulary.tokens.length + PAIR_BUCKETS,
    labelCount: SENTIMENT_LABELS.length,
    epochs: 40,
    learningRate: 0.05,
    l2: 1e-3,
    seed: SEED,
    batchSize: 16,
  });
  const accuracy = (rows: LabelledSentence[]) =>
    rows.filter(
      (row) =>
        predictLabel(model, featuresOf(row.text, vocabulary), SENTIMENT_LABELS.length) ===
        labelIndex(row.label),
    ).length / rows.length;
  return {
    vocabulary,
    weights: model.weights,
    bias: model.bias,
    trainAccuracy: accuracy(train),
    testAccuracy: accuracy(test),
    trainSize: train.length,
    testSize: test.length,
  };
}

export async function buildSentimentModel(params: { name: string }): Promise<BuiltModel> {
  const trained = await trainSentiment();
  const { vocabulary } = trained;
  const accuracy = Math.round(trained.testAccuracy * 1000) / 1000;
  const config = {
    architectures: ["BertForSequenceClassification"],
    model_type: "bert",
    vocab_size: vocabulary.tokens.length,
    hidden_size: SENTIMENT_LABELS.length,
    num_hidden_layers: 0,
    num_attention_heads: 1,
    max_position_embeddings: 512,
    id2label: Object.fromEntries(SENTIMENT_LABELS.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(SENTIMENT_LABELS.map((label, id) => [label, id])),
    problem_type: "single_label_classification",
  };
  const card = modelCard({
    name: params.name,
    title: "Sentiment classifier (Hangar factory)",
    pipelineTag: "text-classification",
    tags: ["sentiment-analysis", "text-classification"],
    datasets: ["hangar/sentiment-reviews"],
    modelIndex: {
      taskType: "text-classification",
      taskName: "Sentiment analysis",
      datasetName: "Hangar sentiment reviews (held-out)",
      datasetType: "hangar/sentiment-reviews",
      split: "test",
      metricType: "accuracy",
      metricName: "Held-out accuracy",
      value: accuracy,
    },
    description: `Labels short English review-like sentences POSITIVE or NEGATIVE. Accuracy on ${trained.testSize} held-out sentences that are not in its training data: **${(accuracy * 100).toFixed(1)} %** (training accuracy ${(trained.trainAccuracy * 100).toFixed(1)} %).`,
    howItWasMade: `Trained when the repo was made, in plain TypeScript, on ${trained.trainSize} labelled sentences written for Hangar (\`data/sentiment/train.tsv\`): multinomial logistic regression (mini-batch Adam, fixed seed, so every build is identical) over WordPiece token features and hashed neighbouring-token pairs (${PAIR_BUCKETS} buckets, so "not good" can differ from "good"), summed and divided by the square root of the token count. The ONNX graph computes exactly those features: Gather over a token table and a pair table, masked sums, division by the square root of the token count, bias -> \`logits\`. The vocabulary (${vocabulary.tokens.length} tokens) is built from the training sentences plus every letter and common suffixes, so unseen words split into known pieces.`,
    intendedUse:
      "Demos, tests and examples of Hangar's local inference: quick sentiment of short reviews (films, food, products, hotels, apps) offline.",
    limitations:
      "A bag-of-words model trained on a few hundred sentences: it does not understand sarcasm, long texts, other languages or domains far from reviews, and its scores are not calibrated. Do not use it for decisions about people.",
    usage: transformersUsage("text-classification", '"The staff were friendly and the food was great."'),
  });
  return {
    pipelineTag: "text-classification",
    facts: {
      testAccuracy: trained.testAccuracy,
      trainAccuracy: trained.trainAccuracy,
      vocabulary: vocabulary.tokens.length,
    },
    files: {
      "README.md": card,
      "config.json": jsonFile(config),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary)),
      "tokenizer_config.json": jsonFile(tokenizerConfig(vocabulary)),
      "onnx/model.onnx": buildGraph(vocabulary.tokens.length, trained.weights, trained.bias),
    },
  };
}
