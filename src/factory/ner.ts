import { readTsv } from "./data-files.ts";
import { predictLabel, type SparseExample, trainSoftmaxRegression } from "./softmax-regression.ts";
import {
  buildVocabulary,
  CLS,
  encode,
  PAD,
  SEP,
  UNK,
  type Vocabulary,
  wordPieces,
  words,
} from "./wordpiece.ts";

export const NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"] as const;
const CASED = { lowercase: false };
const SEED = 7;

/** How many `##` pieces after a word's first piece inherit its entity (longer unseen words are rare). */
export const CARRIED_PIECES = 8;
/**
 * Question words, as written mid-sentence and at the start, so the question-answering model (which shares
 * this vocabulary) sees them as whole tokens.
 */
const QUESTION_TOKENS = [
  "who",
  "whom",
  "whose",
  "where",
  "when",
  "what",
  "which",
  "how",
  "why",
  "year",
  "company",
  "city",
  "country",
].flatMap((word) => [word, word[0]!.toUpperCase() + word.slice(1)]);

export interface TaggedSentence {
  text: string;
  words: string[];
  labels: string[];
}

/** Reads data/ner/train.tsv, where entities are written `[PER Maria Lopez]`. */
export async function readNerCorpus(): Promise<TaggedSentence[]> {
  const rows = await readTsv("ner/train.tsv");
  return rows.map((row) => parseMarkup(row.sentence ?? ""));
}

export function parseMarkup(sentence: string): TaggedSentence {
  const sentenceWords: string[] = [];
  const labels: string[] = [];
  const pattern = /\[(PER|LOC|ORG) ([^\]]+)\]|([^[]+)/g;
  for (const match of sentence.matchAll(pattern)) {
    if (match[1]) {
      words(match[2]!, CASED).forEach((word, index) => {
        sentenceWords.push(word);
        labels.push(`${index === 0 ? "B" : "I"}-${match[1]}`);
      });
    } else {
      for (const word of words(match[3]!, CASED)) {
        sentenceWords.push(word);
        labels.push("O");
      }
    }
  }
  return { text: sentenceWords.join(" "), words: sentenceWords, labels };
}

/** Word-shape features of a vocabulary token: what lets the tagger handle names it never saw. */
const SHAPES = [
  (token: string) => /^\[.*\]$/.test(token),
  (token: string) => /^\p{Lu}/u.test(token),
  (token: string) => /^\p{Ll}/u.test(token),
  (token: string) => token.length > 1 && /^\p{Lu}+$/u.test(token),
  (token: string) => /\d/.test(token),
  (token: string) => /^\p{P}$/u.test(token),
  (token: string) => token.startsWith("##"),
  (token: string) => /^\p{Lu}$/u.test(token),
  (token: string) => token.startsWith("##") && token.length > 4,
] as const;

function shapesOf(token: string): number[] {
  return SHAPES.flatMap((test, index) => (test(token) ? [index] : []));
}

/**
 * Features of one token position: the identities of the token and its two neighbours and their shapes.
 * Because they are linear per (role, token), training folds them into three [vocab, labels] tables.
 */
function positionFeatures(
  vocabulary: Vocabulary,
  ids: readonly number[],
  position: number,
): Pick<SparseExample, "indices" | "values"> {
  const size = vocabulary.tokens.length;
  const pad = vocabulary.ids.get(PAD)!;
  const roles = [ids[position]!, ids[position - 1] ?? pad, ids[position + 1] ?? pad];
  const indices: number[] = [];
  roles.forEach((id, role) => {
    indices.push(role * size + id);
    for (const shape of shapesOf(vocabulary.tokens[id]!))
      indices.push(3 * size + role * SHAPES.length + shape);
  });
  return { indices, values: indices.map(() => 1) };
}

/**
 * The label of each token: a word's first piece takes its label, later pieces continue the entity (I-).
 * With `spellEntities`, entity words are split into single characters (`G ##r ##e ##t ##a`), the way an
 * unseen name is tokenized, so the tagger also learns from names it does not know.
 */
function pieceLabels(
  sentence: TaggedSentence,
  vocabulary: Vocabulary,
  spellEntities = false,
): { ids: number[]; labels: number[] } {
  const ids = [vocabulary.ids.get(CLS)!];
  const labels = [0];
  sentence.words.forEach((word, wordIndex) => {
    const label = sentence.labels[wordIndex]!;
    const pieces =
      spellEntities && label !== "O"
        ? [...word].map((character, index) => (index === 0 ? character : `##${character}`))
        : wordPieces(word, vocabulary);
    pieces.forEach((piece, index) => {
      const name = index > 0 && label !== "O" ? `I-${label.slice(2)}` : label;
      ids.push(vocabulary.ids.get(piece) ?? vocabulary.ids.get(UNK)!);
      labels.push(NER_LABELS.indexOf(name as (typeof NER_LABELS)[number]));
    });
  });
  ids.push(vocabulary.ids.get(SEP)!);
  labels.push(0);
  return { ids, labels };
}

/** Entity spans (type, first word, last word) of per-word BIO labels. */
export function entitySpans(labels: readonly string[]): string[] {
  const spans: string[] = [];
  let open: { type: string; start: number } | undefined;
  labels.forEach((label, index) => {
    const type = label === "O" ? undefined : label.slice(2);
    if (open && (label.startsWith("B-") || type !== open.type)) {
      spans.push(`${open.type}:${open.start}-${index - 1}`);
      open = undefined;
    }
    if (type && !open) open = { type, start: index };
  });
  if (open) spans.push(`${open.type}:${open.start}-${labels.length - 1}`);
  return spans;
}

/**
 * The word labels the graph gives a sentence, computed in TypeScript the same way (neighbour tables, then
 * the entity carried along word pieces); a word takes its first piece's label.
 */
export function tagWords(training: NerTraining, sentenceWords: readonly string[]): string[] {
  const { vocabulary, tables } = training;
  const labels = NER_LABELS.length;
  const encoded = encode(sentenceWords, vocabulary);
  const pad = vocabulary.ids.get(PAD)!;
  const ids = encoded.ids;
  const logits = ids.map((id, position) =>
    NER_LABELS.map(
      (_, label) =>
        tables.current[id * labels + label]! +
        tables.previous[(ids[position - 1] ?? pad) * labels + label]! +
        tables.next[(ids[position + 1] ?? pad) * labels + label]!,
    ),
  );
  let current = logits;
  for (let step = 0; step < CARRIED_PIECES; step++) {
    current = logits.map((row, position) => {
      if (!vocabulary.tokens[ids[position]!]!.startsWith("##")) return row;
      const previous = position > 0 ? current[position - 1]! : NER_LABELS.map(() => 0);
      const max = Math.max(...previous);
      const exponentials = previous.map((value) => Math.exp(value - max));
      const total = exponentials.reduce((sum, value) => sum + value, 0);
      const carried = NER_LABELS.map(() => 0);
      NER_LABELS.forEach((from, index) => {
        const to = from === "O" ? "O" : `I-${from.slice(2)}`;
        carried[NER_LABELS.indexOf(to as (typeof NER_LABELS)[number])]! += exponentials[index]! / total;
      });
      return carried.map((probability) => Math.log(probability + 1e-6));
    });
  }
  const wordLabels: string[] = sentenceWords.map(() => "O");
  const seen = new Set<number>();
  encoded.wordIndex.forEach((wordIndex, position) => {
    if (wordIndex < 0 || seen.has(wordIndex)) return;
    seen.add(wordIndex);
    const row = current[position]!;
    wordLabels[wordIndex] = NER_LABELS[row.indexOf(Math.max(...row))]!;
  });
  return wordLabels;
}

/** Entity-level precision, recall and F1 (exact type and span) on data/ner/test.tsv. */
export async function evaluateNer(
  training: NerTraining,
): Promise<{ precision: number; recall: number; f1: number; sentences: number }> {
  const rows = await readTsv("ner/test.tsv");
  let predicted = 0;
  let gold = 0;
  let correct = 0;
  for (const row of rows) {
    const sentence = parseMarkup(row.sentence ?? "");
    const expected = new Set(entitySpans(sentence.labels));
    const found = entitySpans(tagWords(training, sentence.words));
    predicted += found.length;
    gold += expected.size;
    correct += found.filter((span) => expected.has(span)).length;
  }
  const precision = predicted ? correct / predicted : 0;
  const recall = gold ? correct / gold : 0;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    sentences: rows.length,
  };
}

export interface NerTraining {
  vocabulary: Vocabulary;
  /** Three [vocab, labels] tables: the token, its previous and its next neighbour. */
  tables: { current: Float32Array; previous: Float32Array; next: Float32Array };
  trainTokenAccuracy: number;
  sentences: number;
}

let nerTraining: Promise<NerTraining> | undefined;

/** Trains the tagger once per process (the NER and question-answering models share it). */
export function trainNer(): Promise<NerTraining> {
  nerTraining ??= trainNerNow();
  return nerTraining;
}

async function trainNerNow(): Promise<NerTraining> {
  const corpus = await readNerCorpus();
  const vocabulary = buildVocabulary({
    texts: corpus.map((sentence) => sentence.text),
    options: CASED,
    extraTokens: QUESTION_TOKENS,
  });
  const size = vocabulary.tokens.length;
  const labelCount = NER_LABELS.length;
  const examples: SparseExample[] = [];
  const asWritten: SparseExample[] = [];
  for (const sentence of corpus) {
    for (const spellEntities of [false, true]) {
      const { ids, labels } = pieceLabels(sentence, vocabulary, spellEntities);
      ids.forEach((_, position) => {
        const example = { ...positionFeatures(vocabulary, ids, position), label: labels[position]! };
        examples.push(example);
        if (!spellEntities) asWritten.push(example);
      });
    }
  }
  const model = trainSoftmaxRegression({
    examples,
    featureCount: 3 * size + 3 * SHAPES.length,
    labelCount,
    epochs: 40,
    learningRate: 0.03,
    l2: 3e-3,
    seed: SEED,
    batchSize: 32,
  });
  const correct = asWritten.filter(
    (example) => predictLabel(model, example, labelCount) === example.label,
  ).length;
  const table = (role: number) => {
    const values = new Float32Array(size * labelCount);
    for (let id = 0; id < size; id++) {
      for (let label = 0; label < labelCount; label++) {
        let value = model.weights[(role * size + id) * labelCount + label]!;
        for (const shape of shapesOf(vocabulary.tokens[id]!))
          value += model.weights[(3 * size + role * SHAPES.length + shape) * labelCount + label]!;
        if (role === 0) value += model.bias[label]!;
        values[id * labelCount + label] = value;
      }
    }
    return values;
  };
  return {
    vocabulary,
    tables: { current: table(0), previous: table(1), next: table(2) },
    trainTokenAccuracy: correct / asWritten.length,
    sentences: corpus.length,
  };
}
