import onnxProto from "onnx-proto";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import type { HubContext } from "../../src/hub/hub.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir } from "./test-hangar.ts";
import { tinyClassifierFiles, writeRepoFolder } from "./tiny-models.ts";

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floats(name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: Buffer.from(new Float32Array(values).buffer) };
}

function int64s(name: string, values: number[]): onnxProto.onnx.ITensorProto {
  return {
    name,
    dims: [values.length],
    dataType: INT64,
    rawData: Buffer.from(new BigInt64Array(values.map(BigInt)).buffer),
  };
}

function info(name: string, elemType: number, dims: Array<string | number>): onnxProto.onnx.IValueInfoProto {
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

function encodeModel(graph: onnxProto.onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: "hangar-tests",
      opsetImport: [{ domain: "", version: 17 }],
      graph,
    }),
  ).finish();
}

/** A WordPiece tokenizer.json over whole words; `specials` are matched before splitting. */
function wordTokenizer(vocab: readonly string[], specials: readonly string[], wrapWithClsSep: boolean) {
  const ids = Object.fromEntries(vocab.map((word, id) => [word, id]));
  const special = (token: string) => ({ id: token, ids: [ids[token]], tokens: [token] });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({
      id: ids[content],
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
    post_processor: wrapWithClsSep
      ? {
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
        }
      : null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

const BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

function card(pipelineTag: string, title: string): string {
  return `---\npipeline_tag: ${pipelineTag}\nlibrary_name: transformers.js\nlicense: apache-2.0\n---\n# ${title}\n\nA tiny deterministic model for Hangar's tests.\n`;
}

function bertTokenizerConfig(maxLength: number): string {
  return JSON.stringify({
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    model_max_length: maxLength,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  });
}

const PEOPLE = ["alice", "bob", "carol"];
const PLACES = ["paris", "london", "berlin"];
const NER_VOCAB = [
  ...BERT_SPECIALS,
  ...PEOPLE,
  "smith",
  ...PLACES,
  "lives",
  "in",
  "and",
  "went",
  "to",
  "the",
  "visited",
];
export const NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];

/**
 * A token classifier: each word has fixed logits (first names B-PER, "smith" I-PER, cities B-LOC, the rest
 * O), so "Alice Smith lives in Paris" gives PER "Alice Smith" and LOC "Paris". Inputs past 16 tokens are cut.
 */
export function tinyNerFiles(): Record<string, string | Uint8Array> {
  const rows = NER_VOCAB.map((word) => {
    const label = PEOPLE.includes(word) ? 1 : word === "smith" ? 2 : PLACES.includes(word) ? 3 : 0;
    return NER_LABELS.map((_, index) => (index === label ? 4 : 0));
  });
  const model = encodeModel({
    name: "tiny_ner",
    node: [{ name: "embed", opType: "Gather", input: ["table", "input_ids"], output: ["logits"] }],
    initializer: [floats("table", [NER_VOCAB.length, NER_LABELS.length], rows.flat())],
    input: [info("input_ids", INT64, ["batch", "sequence"])],
    output: [info("logits", FLOAT, ["batch", "sequence", NER_LABELS.length])],
  });
  return {
    "README.md": card("token-classification", "Tiny NER tagger"),
    "config.json": JSON.stringify({
      architectures: ["BertForTokenClassification"],
      model_type: "bert",
      vocab_size: NER_VOCAB.length,
      max_position_embeddings: 16,
      id2label: Object.fromEntries(NER_LABELS.map((label, index) => [index, label])),
      label2id: Object.fromEntries(NER_LABELS.map((label, index) => [label, index])),
    }),
    "tokenizer.json": JSON.stringify(wordTokenizer(NER_VOCAB, BERT_SPECIALS, true)),
    "tokenizer_config.json": bertTokenizerConfig(16),
    "onnx/model.onnx": model,
  };
}

const EMBEDDER_VOCAB = [
  ...BERT_SPECIALS,
  "good",
  "great",
  "bad",
  "awful",
  "movie",
  "film",
  "cat",
  "dog",
  "the",
  "a",
];
/** Word vectors: sentiment words and topic words point different ways, so similarity is predictable. */
const WORD_VECTORS: Record<string, number[]> = {
  good: [1, 0, 0, 0],
  great: [0.9, 0.1, 0, 0],
  bad: [0, 1, 0, 0],
  awful: [0.1, 0.9, 0, 0],
  movie: [0, 0, 1, 0],
  film: [0, 0, 0.9, 0.1],
  cat: [0, 0, 0, 1],
  dog: [0, 0, 0.1, 0.9],
};

/** A sentence embedder (feature extraction, sentence similarity): word vectors, mean-pooled by the pipeline. */
export function tinyEmbedderFiles(): Record<string, string | Uint8Array> {
  const table = EMBEDDER_VOCAB.flatMap((word) => WORD_VECTORS[word] ?? [0.01, 0.01, 0.01, 0.01]);
  const model = encodeModel({
    name: "tiny_embedder",
    node: [{ name: "embed", opType: "Gather", input: ["table", "input_ids"], output: ["last_hidden_state"] }],
    initializer: [floats("table", [EMBEDDER_VOCAB.length, 4], table)],
    input: [info("input_ids", INT64, ["batch", "sequence"])],
    output: [info("last_hidden_state", FLOAT, ["batch", "sequence", 4])],
  });
  return {
    "README.md": card("feature-extraction", "Tiny sentence embedder"),
    "config.json": JSON.stringify({
      architectures: ["BertModel"],
      model_type: "bert",
      vocab_size: EMBEDDER_VOCAB.length,
      hidden_size: 4,
      max_position_embeddings: 32,
    }),
    "tokenizer.json": JSON.stringify(wordTokenizer(EMBEDDER_VOCAB, BERT_SPECIALS, true)),
    "tokenizer_config.json": bertTokenizerConfig(32),
    "onnx/model.onnx": model,
  };
}

const QA_VOCAB = [
  ...BERT_SPECIALS,
  "where",
  "does",
  "who",
  "live",
  "lives",
  "in",
  "alice",
  "bob",
  "paris",
  "london",
];
const QA_ANSWERS = ["paris", "london"];

/** Extractive QA: city names score high as both start and end, so the answer is the city in the context. */
export function tinyQaFiles(): Record<string, string | Uint8Array> {
  const table = QA_VOCAB.flatMap((word) => (QA_ANSWERS.includes(word) ? [5, 5] : [0, 0]));
  const model = encodeModel({
    name: "tiny_qa",
    node: [
      { name: "score", opType: "Gather", input: ["table", "input_ids"], output: ["scores"] },
      {
        name: "split",
        opType: "Split",
        input: ["scores", "halves"],
        output: ["start3", "end3"],
        attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
      },
      { name: "start", opType: "Squeeze", input: ["start3", "last_axis"], output: ["start_logits"] },
      { name: "end", opType: "Squeeze", input: ["end3", "last_axis"], output: ["end_logits"] },
    ],
    initializer: [
      floats("table", [QA_VOCAB.length, 2], table),
      int64s("halves", [1, 1]),
      int64s("last_axis", [2]),
    ],
    input: [info("input_ids", INT64, ["batch", "sequence"])],
    output: [
      info("start_logits", FLOAT, ["batch", "sequence"]),
      info("end_logits", FLOAT, ["batch", "sequence"]),
    ],
  });
  return {
    "README.md": card("question-answering", "Tiny extractive QA"),
    "config.json": JSON.stringify({
      architectures: ["BertForQuestionAnswering"],
      model_type: "bert",
      vocab_size: QA_VOCAB.length,
      max_position_embeddings: 24,
    }),
    "tokenizer.json": JSON.stringify(wordTokenizer(QA_VOCAB, BERT_SPECIALS, true)),
    "tokenizer_config.json": bertTokenizerConfig(24),
    "onnx/model.onnx": model,
  };
}

const LM_SPECIALS = ["[PAD]", "[UNK]", "<eos>", "<user>", "<assistant>"] as const;
const COUNTING = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
const LM_VOCAB = [...LM_SPECIALS, "hello", "i", "am", "fine", ".", "say", "count", ...COUNTING];
/** The LM's context limit, in tokens. */
export const TINY_LM_MAX_TOKENS = 64;

/** What the bigram LM says after a token: a fixed next word. */
function nextWord(word: string): string {
  if (word === "<assistant>") return "hello";
  if (word === "hello") return "i";
  if (word === "i") return "am";
  if (word === "am") return "fine";
  if (word === "fine") return ".";
  const counting = COUNTING.indexOf(word);
  // Counting never ends on its own: ten is followed by one again (for cancellation tests).
  if (counting >= 0) return COUNTING[(counting + 1) % COUNTING.length]!;
  if (word === "count") return "one";
  return "<eos>";
}

/**
 * A causal LM (gpt2 layout with a key/value cache, so transformers.js generates and streams with it) whose
 * next token depends only on the last one: after the chat template's `<assistant>` it says
 * "hello i am fine ." then stops; after "count" or a number it counts forever.
 */
export function tinyLmFiles(): Record<string, string | Uint8Array> {
  const size = LM_VOCAB.length;
  const table: number[] = [];
  for (const word of LM_VOCAB) {
    const next = LM_VOCAB.indexOf(nextWord(word));
    for (let index = 0; index < size; index++) table.push(index === next ? 10 : 0);
  }
  const past = (kind: string) =>
    info(`past_key_values.0.${kind}`, FLOAT, ["batch_size", 1, "past_sequence_length", 1]);
  const present = (kind: string) =>
    info(`present.0.${kind}`, FLOAT, ["batch_size", 1, "total_sequence_length", 1]);
  const model = encodeModel({
    name: "tiny_lm",
    node: [
      { name: "next", opType: "Gather", input: ["table", "input_ids"], output: ["logits"] },
      {
        name: "as_float",
        opType: "Cast",
        input: ["input_ids"],
        output: ["ids_float"],
        attribute: [{ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      },
      { name: "zeros", opType: "Mul", input: ["ids_float", "zero"], output: ["step_zeros"] },
      { name: "shape", opType: "Unsqueeze", input: ["step_zeros", "cache_axes"], output: ["step_cache"] },
      {
        name: "keys",
        opType: "Concat",
        input: ["past_key_values.0.key", "step_cache"],
        output: ["present.0.key"],
        attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
      },
      {
        name: "values",
        opType: "Concat",
        input: ["past_key_values.0.value", "step_cache"],
        output: ["present.0.value"],
        attribute: [{ name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 2 }],
      },
    ],
    initializer: [
      floats("table", [size, size], table),
      floats("zero", [], [0]),
      int64s("cache_axes", [1, 3]),
    ],
    input: [info("input_ids", INT64, ["batch_size", "sequence_length"]), past("key"), past("value")],
    output: [
      info("logits", FLOAT, ["batch_size", "sequence_length", size]),
      present("key"),
      present("value"),
    ],
  });
  return {
    "README.md": card("text-generation", "Tiny bigram LM"),
    "config.json": JSON.stringify({
      architectures: ["GPT2LMHeadModel"],
      model_type: "gpt2",
      vocab_size: size,
      n_head: 1,
      n_layer: 1,
      n_embd: 1,
      n_positions: TINY_LM_MAX_TOKENS,
      bos_token_id: 2,
      eos_token_id: 2,
      pad_token_id: 0,
    }),
    "tokenizer.json": JSON.stringify(wordTokenizer(LM_VOCAB, LM_SPECIALS, false)),
    "tokenizer_config.json": JSON.stringify({
      tokenizer_class: "PreTrainedTokenizer",
      do_lower_case: true,
      model_max_length: TINY_LM_MAX_TOKENS,
      eos_token: "<eos>",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      chat_template:
        "{% for message in messages %}{% if message['role'] == 'user' %}<user> {{ message['content'] }} {% endif %}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
    }),
    "onnx/model.onnx": model,
  };
}

export const TINY_MODELS = {
  "tests/tiny-sentiment": tinyClassifierFiles,
  "tests/tiny-ner": tinyNerFiles,
  "tests/tiny-embedder": tinyEmbedderFiles,
  "tests/tiny-lm": tinyLmFiles,
  "tests/tiny-qa": tinyQaFiles,
} as const;

/** Imports the tiny models into a hub as `tests/<name>` repos. */
export async function importTinyModels(
  hub: HubContext,
  names: ReadonlyArray<keyof typeof TINY_MODELS> = Object.keys(TINY_MODELS) as Array<
    keyof typeof TINY_MODELS
  >,
): Promise<void> {
  for (const id of names) {
    const folder = await makeTempDir("hangar-tiny-model-");
    try {
      await writeRepoFolder(folder.path, TINY_MODELS[id]());
      const [namespace, name] = id.split("/") as [string, string];
      await importFolder(hub, localAdministrator(), {
        folder: folder.path,
        repo: { type: "model", namespace, name },
      });
    } finally {
      await folder.remove();
    }
  }
}
