/**
 * A BERT-style WordPiece tokenizer: the vocabulary built from a training corpus, the `tokenizer.json` and
 * `tokenizer_config.json` that describe it to transformers.js, and a TypeScript implementation of the same
 * normaliser, pre-tokeniser and WordPiece model, so training sees exactly the ids the pipeline will feed.
 */

export const PAD = "[PAD]";
export const UNK = "[UNK]";
export const CLS = "[CLS]";
export const SEP = "[SEP]";
export const MASK = "[MASK]";
export const BERT_SPECIAL_TOKENS = [PAD, UNK, CLS, SEP, MASK] as const;

export interface WordPieceOptions {
  /** Lower-cases and strips accents (uncased models); cased models keep capitalisation (NER, QA). */
  lowercase: boolean;
}

export interface Vocabulary {
  /** Tokens in id order. */
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  readonly options: WordPieceOptions;
  readonly specialTokens: readonly string[];
}

/** Whether a character is punctuation the way BertPreTokenizer sees it (ASCII symbols and Unicode P*). */
function isPunctuation(character: string): boolean {
  const code = character.codePointAt(0)!;
  if (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  )
    return true;
  return /\p{P}/u.test(character);
}

export function normalize(text: string, options: WordPieceOptions): string {
  // clean_text: drop control characters, turn every whitespace into a plain space.
  let cleaned = "";
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code === 0 || code === 0xfffd) continue;
    if (/\s/u.test(character)) cleaned += " ";
    else if (/\p{Cc}|\p{Cf}/u.test(character)) continue;
    else cleaned += character;
  }
  if (!options.lowercase) return cleaned;
  return cleaned
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase();
}

/** Splits on whitespace and makes every punctuation character a word of its own. */
export function preTokenize(text: string): string[] {
  const words: string[] = [];
  let current = "";
  for (const character of text) {
    if (character === " ") {
      if (current) words.push(current);
      current = "";
    } else if (isPunctuation(character)) {
      if (current) words.push(current);
      words.push(character);
      current = "";
    } else current += character;
  }
  if (current) words.push(current);
  return words;
}

/** The words of a text as the tokenizer sees them (normalised and pre-tokenised). */
export function words(text: string, options: WordPieceOptions): string[] {
  return preTokenize(normalize(text, options));
}

const MAX_CHARS_PER_WORD = 100;

/** Greedy longest-match-first WordPiece; a word with a character the vocabulary lacks becomes [UNK]. */
export function wordPieces(word: string, vocabulary: Vocabulary): string[] {
  const characters = [...word];
  if (characters.length > MAX_CHARS_PER_WORD) return [UNK];
  const pieces: string[] = [];
  let start = 0;
  while (start < characters.length) {
    let end = characters.length;
    let found: string | undefined;
    while (start < end) {
      const piece = (start > 0 ? "##" : "") + characters.slice(start, end).join("");
      if (vocabulary.ids.has(piece)) {
        found = piece;
        break;
      }
      end--;
    }
    if (!found) return [UNK];
    pieces.push(found);
    start = end;
  }
  return pieces;
}

export interface EncodedText {
  /** Tokens with [CLS] and [SEP] around them. */
  tokens: string[];
  ids: number[];
  /** For each token, the index of the word it came from (-1 for special tokens). */
  wordIndex: number[];
}

/** Encodes a text (or a list of pre-split words) as `[CLS] pieces... [SEP]`. */
export function encode(input: string | readonly string[], vocabulary: Vocabulary): EncodedText {
  const split =
    typeof input === "string"
      ? words(input, vocabulary.options)
      : input.flatMap((word) => words(word, vocabulary.options));
  const tokens = [CLS];
  const wordIndex = [-1];
  split.forEach((word, index) => {
    for (const piece of wordPieces(word, vocabulary)) {
      tokens.push(piece);
      wordIndex.push(index);
    }
  });
  tokens.push(SEP);
  wordIndex.push(-1);
  return { tokens, ids: tokens.map((token) => vocabulary.ids.get(token)!), wordIndex };
}

export interface BuildVocabularyParams {
  /** Texts whose words become whole tokens. */
  texts: readonly string[];
  options: WordPieceOptions;
  /** A word must occur this often to become a token (default 1). */
  minCount?: number;
  /** Special tokens first, in id order (default the BERT five). */
  specialTokens?: readonly string[];
  /** Extra whole tokens (e.g. words a model must know). */
  extraTokens?: readonly string[];
}

/** Frequent word endings, so unseen inflections split into a known stem and a known suffix. */
const SUFFIXES = [
  "s",
  "es",
  "ed",
  "d",
  "ing",
  "ly",
  "er",
  "ers",
  "est",
  "ness",
  "ful",
  "less",
  "ion",
  "ions",
  "y",
  "ies",
  "able",
  "ment",
];

/**
 * A vocabulary: special tokens, then every character alone and as `##x` (so no word of the corpus's
 * alphabet is ever [UNK]), common suffixes, then the corpus's words by descending frequency.
 */
export function buildVocabulary(params: BuildVocabularyParams): Vocabulary {
  const counts = new Map<string, number>();
  const characters = new Set<string>();
  for (const text of params.texts) {
    for (const word of words(text, params.options)) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      for (const character of word) characters.add(character);
    }
  }
  for (const letter of "abcdefghijklmnopqrstuvwxyz0123456789") characters.add(letter);
  if (!params.options.lowercase) for (const letter of "ABCDEFGHIJKLMNOPQRSTUVWXYZ") characters.add(letter);
  const tokens: string[] = [...(params.specialTokens ?? BERT_SPECIAL_TOKENS)];
  const seen = new Set(tokens);
  const add = (token: string) => {
    if (seen.has(token)) return;
    seen.add(token);
    tokens.push(token);
  };
  const sortedCharacters = [...characters].sort();
  for (const character of sortedCharacters) add(character);
  for (const character of sortedCharacters) if (!isPunctuation(character)) add(`##${character}`);
  for (const suffix of SUFFIXES) add(`##${suffix}`);
  for (const token of params.extraTokens ?? []) add(token);
  const minCount = params.minCount ?? 1;
  const frequent = [...counts.entries()]
    .filter(([, count]) => count >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [word] of frequent) add(word);
  return vocabularyOf(tokens, params.options, params.specialTokens ?? BERT_SPECIAL_TOKENS);
}

export function vocabularyOf(
  tokens: readonly string[],
  options: WordPieceOptions,
  specialTokens: readonly string[] = BERT_SPECIAL_TOKENS,
): Vocabulary {
  return { tokens, ids: new Map(tokens.map((token, id) => [token, id])), options, specialTokens };
}

export interface TokenizerJsonOptions {
  /** `bert` wraps texts in [CLS] ... [SEP] (pairs: [CLS] A [SEP] B [SEP]); `none` adds nothing (generators). */
  template: "bert" | "none";
}

/** The `tokenizer.json` of the vocabulary (Hugging Face tokenizers format). */
export function tokenizerJson(
  vocabulary: Vocabulary,
  options: TokenizerJsonOptions = { template: "bert" },
): Record<string, unknown> {
  const vocab = Object.fromEntries(vocabulary.tokens.map((token, id) => [token, id]));
  const special = (token: string) => ({ id: token, ids: [vocab[token]], tokens: [token] });
  const lowercase = vocabulary.options.lowercase;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: vocabulary.specialTokens.map((content) => ({
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
      strip_accents: lowercase,
      lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor:
      options.template === "bert"
        ? {
            type: "TemplateProcessing",
            single: [
              { SpecialToken: { id: CLS, type_id: 0 } },
              { Sequence: { id: "A", type_id: 0 } },
              { SpecialToken: { id: SEP, type_id: 0 } },
            ],
            pair: [
              { SpecialToken: { id: CLS, type_id: 0 } },
              { Sequence: { id: "A", type_id: 0 } },
              { SpecialToken: { id: SEP, type_id: 0 } },
              { Sequence: { id: "B", type_id: 1 } },
              { SpecialToken: { id: SEP, type_id: 1 } },
            ],
            special_tokens: { [CLS]: special(CLS), [SEP]: special(SEP) },
          }
        : {
            type: "TemplateProcessing",
            single: [{ Sequence: { id: "A", type_id: 0 } }],
            pair: [{ Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
            special_tokens: {},
          },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: UNK,
      continuing_subword_prefix: "##",
      max_input_chars_per_word: MAX_CHARS_PER_WORD,
      vocab,
    },
  };
}

/** `tokenizer_config.json`: transformers.js v4 loads no tokenizer without it. */
export function tokenizerConfig(
  vocabulary: Vocabulary,
  extra: Record<string, unknown> = {},
  maxLength = 512,
): Record<string, unknown> {
  const has = (token: string) => vocabulary.ids.has(token);
  return {
    tokenizer_class: "BertTokenizer",
    do_lower_case: vocabulary.options.lowercase,
    model_max_length: maxLength,
    ...(has(CLS) ? { cls_token: CLS } : {}),
    ...(has(SEP) ? { sep_token: SEP } : {}),
    ...(has(PAD) ? { pad_token: PAD } : {}),
    ...(has(UNK) ? { unk_token: UNK } : {}),
    ...(has(MASK) ? { mask_token: MASK } : {}),
    clean_up_tokenization_spaces: true,
    ...extra,
  };
}
