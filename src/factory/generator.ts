import { readGeneralSentences } from "./corpus.ts";
import { modelCard } from "./model-card.ts";
import { type BuiltModel, jsonFile } from "./model-files.ts";
import { ElementType, GraphBuilder } from "./onnx-graph.ts";
import { readSentimentSplit } from "./sentiment.ts";
import {
  buildVocabulary,
  CLS,
  encode,
  MASK,
  PAD,
  SEP,
  tokenizerConfig,
  tokenizerJson,
  UNK,
  type Vocabulary,
} from "./wordpiece.ts";

/** Absolute discount of the bigram counts (the mass moved to the back-off distribution). */
const DISCOUNT = 0.5;
/** The most probability a seen word gives to words it was never followed by. */
const MAX_BACK_OFF = 0.05;
/** Log-probability of tokens the model must never produce. */
const NEVER = -30;

/**
 * Chat turns joined as plain text; the generation prompt starts a new sentence ([CLS] is the model's
 * beginning of text), so the answer is a fresh sentence in the corpus's style.
 */
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ message['content'] }}{% if not loop.last %}\n{% endif %}{% endfor %}{% if add_generation_prompt %} [CLS]{% endif %}";

export interface BigramModel {
  vocabulary: Vocabulary;
  /** [vocab, vocab]: log P(next | token), row-major by the conditioning token. */
  logProbabilities: Float32Array;
  sentences: number;
}

/**
 * A bigram language model (or, with `reverse`, a model of the previous token given the next) with absolute discounting and a Kneser-Ney style back-off (how many distinct
 * tokens a word follows), over `[CLS] tokens [SEP]` sequences of the given sentences.
 */
export function trainBigramModel(
  sentences: readonly string[],
  vocabulary: Vocabulary,
  options: { reverse?: boolean; forbidden?: readonly string[] } = {},
): BigramModel {
  const size = vocabulary.tokens.length;
  const counts = new Map<number, Map<number, number>>();
  const followers = new Float64Array(size);
  for (const sentence of sentences) {
    const { ids: forward } = encode(sentence, vocabulary);
    const ids = options.reverse ? forward.reverse() : forward;
    for (let i = 0; i + 1 < ids.length; i++) {
      const row = counts.get(ids[i]!) ?? new Map<number, number>();
      const previous = row.get(ids[i + 1]!) ?? 0;
      if (previous === 0) followers[ids[i + 1]!]!++;
      row.set(ids[i + 1]!, previous + 1);
      counts.set(ids[i]!, row);
    }
  }
  const forbidden = new Set(
    (options.forbidden ?? [PAD, UNK, MASK, CLS]).map((token) => vocabulary.ids.get(token)!),
  );
  // Punctuation and the end of text come only from seen pairs: backing off to them ends sentences early.
  const endsText = (id: number) => id === vocabulary.ids.get(SEP) || /^\p{P}$/u.test(vocabulary.tokens[id]!);
  const backOffWeights = Array.from(followers, (count, id) =>
    forbidden.has(id) || endsText(id) ? 0 : count,
  );
  const totalFollowers = backOffWeights.reduce((sum, count) => sum + count, 0);
  const backOff = backOffWeights.map((count) => count / totalFollowers);
  const logProbabilities = new Float32Array(size * size).fill(NEVER);
  for (let from = 0; from < size; from++) {
    const row = counts.get(from);
    const total = row ? [...row.values()].reduce((sum, count) => sum + count, 0) : 0;
    // With so little text, a word like "the" has hundreds of followers seen once: capping the back-off
    // mass keeps the seen pairs ahead of words that merely follow many others.
    const kept = row ? Math.min((DISCOUNT * row.size) / total, MAX_BACK_OFF) : 1;
    const probabilities = new Float64Array(size);
    let rowTotal = 0;
    for (let to = 0; to < size; to++) {
      if (forbidden.has(to)) continue;
      const seen = row?.get(to) ?? 0;
      probabilities[to] = (total > 0 ? Math.max(seen - DISCOUNT, 0) / total : 0) + kept * backOff[to]!;
      rowTotal += probabilities[to]!;
    }
    for (let to = 0; to < size; to++)
      if (probabilities[to]! > 0)
        logProbabilities[from * size + to] = Math.log(probabilities[to]! / rowTotal);
  }
  return { vocabulary, logProbabilities, sentences: sentences.length };
}

export async function generatorSentences(): Promise<string[]> {
  const reviews = (await readSentimentSplit("train")).map((row) => row.text);
  return [...(await readGeneralSentences()), ...reviews];
}

export async function buildGeneratorModel(params: { name: string }): Promise<BuiltModel> {
  const sentences = await generatorSentences();
  const vocabulary = buildVocabulary({ texts: sentences, options: { lowercase: true } });
  const model = trainBigramModel(sentences, vocabulary);
  const size = vocabulary.tokens.length;
  const graph = new GraphBuilder("bigram_generator");
  const ids = graph.input("input_ids", ElementType.int64, ["batch_size", "sequence_length"]);
  const table = graph.weight("next_token_log_probabilities", [size, size], model.logProbabilities);
  graph.output("logits", graph.op("Gather", [table, ids]), ElementType.float, [
    "batch_size",
    "sequence_length",
    size,
  ]);
  const bos = vocabulary.ids.get(CLS)!;
  const eos = vocabulary.ids.get(SEP)!;
  const pad = vocabulary.ids.get(PAD)!;
  return {
    pipelineTag: "text-generation",
    facts: { vocabulary: size, sentences: model.sentences },
    files: {
      "README.md": modelCard({
        name: params.name,
        title: "Bigram text generator (Hangar factory)",
        pipelineTag: "text-generation",
        tags: ["text-generation", "conversational", "bigram"],
        description:
          "A very small causal language model that continues English text one word at a time and can be streamed token by token (transformers.js `TextStreamer`, Hangar's streaming APIs). It has a chat template, so chat completion works: the answer is a new sentence in the style of its corpus.",
        howItWasMade: `Word-bigram statistics of ${model.sentences} sentences shipped with Hangar (\`data/corpus/sentences.txt\` and \`data/sentiment/train.tsv\`), with absolute discounting (${DISCOUNT}) and a Kneser-Ney style back-off, stored as a [${size}, ${size}] table of log-probabilities. The ONNX graph is Gather(table, input_ids) -> \`logits\` [batch, seq, vocab]: the next-token scores at every position depend on that position's token only. It declares no \`past_key_values\`, so transformers.js feeds it the last token at each step. config.json says \`model_type: gpt2\` so transformers.js treats it as a causal LM; generation_config.json sets greedy decoding with \`no_repeat_ngram_size\` and a repetition penalty so it does not loop.`,
        intendedUse:
          "Demos and tests of text generation, token streaming, chat completion and the OpenAI-compatible API in Hangar, offline.",
        limitations:
          "It only knows which word tends to follow which: it does not understand the prompt, answer questions, follow instructions or stay on topic, and its output is lower-case. Never use its text as information.",
      }),
      "config.json": jsonFile({
        architectures: ["GPT2LMHeadModel"],
        model_type: "gpt2",
        vocab_size: size,
        n_embd: 8,
        n_layer: 1,
        n_head: 1,
        n_positions: 1024,
        n_ctx: 1024,
        bos_token_id: bos,
        eos_token_id: eos,
        pad_token_id: pad,
        use_cache: false,
      }),
      "generation_config.json": jsonFile({
        bos_token_id: bos,
        eos_token_id: eos,
        pad_token_id: pad,
        max_new_tokens: 30,
        do_sample: false,
        no_repeat_ngram_size: 2,
        repetition_penalty: 1.3,
      }),
      "tokenizer.json": jsonFile(tokenizerJson(vocabulary, { template: "none" })),
      "tokenizer_config.json": jsonFile(
        tokenizerConfig(vocabulary, { bos_token: CLS, eos_token: SEP, chat_template: CHAT_TEMPLATE }, 1024),
      ),
      "onnx/model.onnx": graph.encode({ docString: "Hangar factory: bigram text generator" }),
    },
  };
}
