import { ElementType, GraphBuilder } from "../../src/factory/onnx-graph.ts";
import {
  BERT_SPECIAL_TOKENS,
  tokenizerConfig,
  tokenizerJson,
  vocabularyOf,
} from "../../src/factory/wordpiece.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import type { HubContext } from "../../src/hub/hub.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { makeTempDir } from "./test-hangar.ts";
import { tinyClassifierFiles, writeRepoFolder } from "./tiny-models.ts";

const FLOAT = ElementType.float;
const INT64 = ElementType.int64;

function card(pipelineTag: string, title: string): string {
  return `---\npipeline_tag: ${pipelineTag}\nlibrary_name: transformers.js\nlicense: apache-2.0\n---\n# ${title}\n\nA tiny deterministic model for Hangar's tests.\n`;
}

/** A lower-cased whole-word BERT tokenizer (texts wrapped in [CLS] ... [SEP]) with inputs cut at `maxLength`. */
function bertTokenizerFiles(vocab: readonly string[], maxLength: number): Record<string, string> {
  const vocabulary = vocabularyOf(vocab, { lowercase: true });
  return {
    "tokenizer.json": JSON.stringify(tokenizerJson(vocabulary)),
    "tokenizer_config.json": JSON.stringify(tokenizerConfig(vocabulary, {}, maxLength)),
  };
}

const PEOPLE = ["alice", "bob", "carol"];
const PLACES = ["paris", "london", "berlin"];
const NER_VOCAB = [
  ...BERT_SPECIAL_TOKENS,
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
  const graph = new GraphBuilder("tiny_ner");
  const ids = graph.input("input_ids", INT64, ["batch", "sequence"]);
  const table = graph.weight("table", [NER_VOCAB.length, NER_LABELS.length], rows.flat());
  graph.op("Gather", [table, ids], { outputs: ["logits"] });
  graph.output("logits", "logits", FLOAT, ["batch", "sequence", NER_LABELS.length]);
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
    ...bertTokenizerFiles(NER_VOCAB, 16),
    "onnx/model.onnx": graph.encode({ producer: "hangar-tests" }),
  };
}

const EMBEDDER_VOCAB = [
  ...BERT_SPECIAL_TOKENS,
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
  const graph = new GraphBuilder("tiny_embedder");
  const ids = graph.input("input_ids", INT64, ["batch", "sequence"]);
  const vectors = graph.weight("table", [EMBEDDER_VOCAB.length, 4], table);
  graph.op("Gather", [vectors, ids], { outputs: ["last_hidden_state"] });
  graph.output("last_hidden_state", "last_hidden_state", FLOAT, ["batch", "sequence", 4]);
  return {
    "README.md": card("feature-extraction", "Tiny sentence embedder"),
    "config.json": JSON.stringify({
      architectures: ["BertModel"],
      model_type: "bert",
      vocab_size: EMBEDDER_VOCAB.length,
      hidden_size: 4,
      max_position_embeddings: 32,
    }),
    ...bertTokenizerFiles(EMBEDDER_VOCAB, 32),
    "onnx/model.onnx": graph.encode({ producer: "hangar-tests" }),
  };
}

const QA_VOCAB = [
  ...BERT_SPECIAL_TOKENS,
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
  const graph = new GraphBuilder("tiny_qa");
  const ids = graph.input("input_ids", INT64, ["batch", "sequence"]);
  const scores = graph.op("Gather", [graph.weight("table", [QA_VOCAB.length, 2], table), ids]);
  const [start, end] = graph.opOutputs("Split", [scores, graph.ints([1, 1])], {
    attributes: { axis: 2 },
    outputs: ["start3", "end3"],
  }) as [string, string];
  graph.op("Squeeze", [start, graph.ints([2])], { outputs: ["start_logits"] });
  graph.op("Squeeze", [end, graph.ints([2])], { outputs: ["end_logits"] });
  graph.output("start_logits", "start_logits", FLOAT, ["batch", "sequence"]);
  graph.output("end_logits", "end_logits", FLOAT, ["batch", "sequence"]);
  return {
    "README.md": card("question-answering", "Tiny extractive QA"),
    "config.json": JSON.stringify({
      architectures: ["BertForQuestionAnswering"],
      model_type: "bert",
      vocab_size: QA_VOCAB.length,
      max_position_embeddings: 24,
    }),
    ...bertTokenizerFiles(QA_VOCAB, 24),
    "onnx/model.onnx": graph.encode({ producer: "hangar-tests" }),
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
  const graph = new GraphBuilder("tiny_lm");
  const ids = graph.input("input_ids", INT64, ["batch_size", "sequence_length"]);
  const pastKeys = graph.input("past_key_values.0.key", FLOAT, ["batch_size", 1, "past_sequence_length", 1]);
  const pastValues = graph.input("past_key_values.0.value", FLOAT, [
    "batch_size",
    1,
    "past_sequence_length",
    1,
  ]);
  graph.op("Gather", [graph.weight("table", [size, size], table), ids], { outputs: ["logits"] });
  // The cache grows by one zero per new token, so transformers.js sees the key/value shapes it expects.
  const idsFloat = graph.op("Cast", [ids], { attributes: { to: FLOAT } });
  const stepZeros = graph.op("Mul", [idsFloat, graph.floats([0], [])]);
  const stepCache = graph.op("Unsqueeze", [stepZeros, graph.ints([1, 3])]);
  graph.op("Concat", [pastKeys, stepCache], { attributes: { axis: 2 }, outputs: ["present.0.key"] });
  graph.op("Concat", [pastValues, stepCache], { attributes: { axis: 2 }, outputs: ["present.0.value"] });
  graph.output("logits", "logits", FLOAT, ["batch_size", "sequence_length", size]);
  for (const kind of ["key", "value"])
    graph.output(`present.0.${kind}`, `present.0.${kind}`, FLOAT, [
      "batch_size",
      1,
      "total_sequence_length",
      1,
    ]);
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
    "tokenizer.json": JSON.stringify(
      tokenizerJson(vocabularyOf(LM_VOCAB, { lowercase: true }, LM_SPECIALS), { template: "none" }),
    ),
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
    "onnx/model.onnx": graph.encode({ producer: "hangar-tests" }),
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
