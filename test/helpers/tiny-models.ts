import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { env } from "@huggingface/transformers";
import { ElementType, GraphBuilder } from "../../src/factory/onnx-graph.ts";
import {
  BERT_SPECIAL_TOKENS,
  tokenizerConfig,
  tokenizerJson,
  vocabularyOf,
} from "../../src/factory/wordpiece.ts";

/** Writes files (path -> text or bytes) under a folder, creating sub-folders. */
export async function writeRepoFolder(
  folder: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const target = join(folder, ...path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

const SPECIAL_TOKENS = BERT_SPECIAL_TOKENS;
const POSITIVE_WORDS = ["good", "great", "love", "excellent", "wonderful"];
const NEGATIVE_WORDS = ["bad", "awful", "hate", "terrible", "boring"];
const NEUTRAL_WORDS = ["the", "a", "i", "it", "is", "was", "this", "movie", "film", "plot"];

/** The tiny classifier's vocabulary, in id order. */
export const TINY_CLASSIFIER_VOCAB: readonly string[] = [
  ...SPECIAL_TOKENS,
  ...POSITIVE_WORDS,
  ...NEGATIVE_WORDS,
  ...NEUTRAL_WORDS,
];

function sentimentOf(word: string): number {
  return POSITIVE_WORDS.includes(word) ? 1 : NEGATIVE_WORDS.includes(word) ? -1 : 0;
}

/** How far each label's logit moves per unit of mean word sentiment. */
const LOGIT_SCALE = 3;

/**
 * A word's sentiment as the tiny classifier's lexicon has it: +1, -1 or 0. A classifier built with a
 * `sentiment` of its own (`tinyClassifierFiles(word => ...)`) knows only the words that function scores.
 */
export { sentimentOf as tinySentimentOf };

/**
 * The answer the tiny classifier gives a text, computed the way the graph does: the tokenizer splits words
 * and single punctuation marks, every token has a sentiment (+1 positive word, -1 negative, 0 otherwise,
 * including [CLS] and [SEP]), their mean scales two opposite logits, and softmax makes them probabilities.
 */
export function tinyClassifierExpectation(text: string): { label: "POSITIVE" | "NEGATIVE"; score: number } {
  const tokens = text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? [];
  const mean = tokens.reduce((total, token) => total + sentimentOf(token), 0) / (tokens.length + 2);
  const positive = 1 / (1 + Math.exp(-2 * LOGIT_SCALE * mean));
  return positive >= 0.5
    ? { label: "POSITIVE", score: positive }
    : { label: "NEGATIVE", score: 1 - positive };
}

/**
 * The ONNX graph, built with the model factory's graph builder: Gather(embeddings, input_ids) -> ReduceMean
 * over the sequence -> MatMul -> Add -> `logits` [batch, 2]. Embeddings are one number per token, the sentiment.
 */
export function buildTinyClassifierOnnx(sentiment: (word: string) => number = sentimentOf): Uint8Array {
  const graph = new GraphBuilder("tiny_classifier");
  const ids = graph.input("input_ids", ElementType.int64, ["batch", "sequence"]);
  const embeddings = graph.weight(
    "embeddings",
    [TINY_CLASSIFIER_VOCAB.length, 1],
    TINY_CLASSIFIER_VOCAB.map(sentiment),
  );
  const tokens = graph.op("Gather", [embeddings, ids]);
  // Opset 17 takes ReduceMean's axes as an attribute (an input only from opset 18).
  const pooled = graph.op("ReduceMean", [tokens], { attributes: { axes: [1], keepdims: 0 } });
  const projected = graph.op("MatMul", [
    pooled,
    graph.weight("weights", [1, 2], [-LOGIT_SCALE, LOGIT_SCALE]),
  ]);
  const logits = graph.op("Add", [projected, graph.weight("bias_values", [2], [0, 0])]);
  graph.output("logits", logits, ElementType.float, ["batch", 2]);
  return graph.encode({ producer: "hangar-tests" });
}

const TINY_VOCABULARY = vocabularyOf(TINY_CLASSIFIER_VOCAB, { lowercase: true });

/**
 * A tiny deterministic classifier for tests whose expected answers are computed exactly; the model factory
 * (src/factory) builds its graph and tokenizer files, so there is one ONNX and tokenizer writer.
 *
 * The files of a tiny BERT-type text-classification model that transformers.js runs: config.json (a known
 * model_type and id2label), a WordPiece tokenizer.json, tokenizer_config.json (required by
 * transformers.js v4) and onnx/model.onnx with deterministic weights, plus a model card.
 */
export function tinyClassifierFiles(
  sentiment: (word: string) => number = sentimentOf,
): Record<string, string | Uint8Array> {
  return {
    "README.md":
      "---\npipeline_tag: text-classification\nlibrary_name: transformers.js\nlicense: apache-2.0\n---\n# Tiny sentiment classifier\n\nWords like good and great push towards POSITIVE, bad and awful towards NEGATIVE.\n",
    "config.json": JSON.stringify(
      {
        architectures: ["BertForSequenceClassification"],
        model_type: "bert",
        vocab_size: TINY_CLASSIFIER_VOCAB.length,
        hidden_size: 1,
        id2label: { 0: "NEGATIVE", 1: "POSITIVE" },
        label2id: { NEGATIVE: 0, POSITIVE: 1 },
      },
      null,
      2,
    ),
    "tokenizer.json": JSON.stringify(tokenizerJson(TINY_VOCABULARY)),
    "tokenizer_config.json": JSON.stringify(tokenizerConfig(TINY_VOCABULARY)),
    "onnx/model.onnx": buildTinyClassifierOnnx(sentiment),
  };
}

/** Writes the tiny classifier into `folder`. */
export async function writeTinyClassifier(folder: string): Promise<void> {
  await writeRepoFolder(folder, tinyClassifierFiles());
}

/**
 * Points transformers.js at a Hangar over HTTP (remote models only, a temp cache) and makes sure nothing
 * leaves the machine. Returns a function that restores the previous settings.
 */
export function pointTransformersAt(hangarUrl: string, cacheDir: string): () => void {
  const previous = {
    remoteHost: env.remoteHost,
    allowLocalModels: env.allowLocalModels,
    allowRemoteModels: env.allowRemoteModels,
    cacheDir: env.cacheDir,
    fetch: env.fetch,
  };
  env.remoteHost = `${hangarUrl}/`;
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.cacheDir = cacheDir;
  env.fetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(hangarUrl)) throw new Error(`transformers.js tried to reach ${url}`);
    return fetch(input, init);
  };
  return () => Object.assign(env, previous);
}
