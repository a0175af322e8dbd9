import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { env } from "@huggingface/transformers";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

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

const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
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

function floatTensor(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: Buffer.from(new Float32Array(values).buffer),
  };
}

function tensorInfo(
  name: string,
  elemType: number,
  dims: Array<string | number>,
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  };
}

/**
 * The ONNX graph (IR 8, opset 17): Gather(embeddings, input_ids) -> ReduceMean over the sequence ->
 * MatMul -> Add -> `logits` [batch, 2]. Embeddings are one number per token, the sentiment.
 */
export function buildTinyClassifierOnnx(): Uint8Array {
  const embeddings = TINY_CLASSIFIER_VOCAB.map(sentimentOf);
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: "hangar-tests",
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "tiny_classifier",
      node: [
        { name: "embed", opType: "Gather", input: ["embeddings", "input_ids"], output: ["token_vectors"] },
        {
          name: "pool",
          opType: "ReduceMean",
          input: ["token_vectors"],
          output: ["pooled"],
          // Opset 17 takes ReduceMean's axes as an attribute (an input only from opset 18).
          attribute: [
            { name: "axes", type: onnx.AttributeProto.AttributeType.INTS, ints: [1] },
            { name: "keepdims", type: onnx.AttributeProto.AttributeType.INT, i: 0 },
          ],
        },
        { name: "project", opType: "MatMul", input: ["pooled", "weights"], output: ["projected"] },
        { name: "bias", opType: "Add", input: ["projected", "bias_values"], output: ["logits"] },
      ],
      initializer: [
        floatTensor("embeddings", [TINY_CLASSIFIER_VOCAB.length, 1], embeddings),
        floatTensor("weights", [1, 2], [-LOGIT_SCALE, LOGIT_SCALE]),
        floatTensor("bias_values", [2], [0, 0]),
      ],
      input: [tensorInfo("input_ids", onnx.TensorProto.DataType.INT64, ["batch", "sequence"])],
      output: [tensorInfo("logits", onnx.TensorProto.DataType.FLOAT, ["batch", 2])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

function tokenizerJson(): Record<string, unknown> {
  const vocab = Object.fromEntries(TINY_CLASSIFIER_VOCAB.map((word, id) => [word, id]));
  const special = (token: string) => ({ id: token, ids: [vocab[token]], tokens: [token] });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: vocab[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/**
 * The files of a tiny BERT-type text-classification model that transformers.js runs: config.json (a known
 * model_type and id2label), a WordPiece tokenizer.json, tokenizer_config.json (required by
 * transformers.js v4) and onnx/model.onnx with deterministic weights, plus a model card.
 */
export function tinyClassifierFiles(): Record<string, string | Uint8Array> {
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
    "tokenizer.json": JSON.stringify(tokenizerJson()),
    "tokenizer_config.json": JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 512,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    }),
    "onnx/model.onnx": buildTinyClassifierOnnx(),
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
