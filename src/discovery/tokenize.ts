/** Splits text into lowercase words of letters and digits: `org-1/Llama-3-8B` → org, 1, llama, 3, 8b. */
const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;
/** Anything outside 7-bit ASCII sends the text to the Unicode path. */
const NON_ASCII = /[^ -~\t\n\r]/;

function tokenizeAscii(text: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let at = 0; at <= text.length; at++) {
    const code = at < text.length ? text.charCodeAt(at) : 0;
    const isWordChar =
      (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90);
    if (isWordChar) {
      if (start < 0) start = at;
    } else if (start >= 0) {
      tokens.push(text.slice(start, at).toLowerCase());
      start = -1;
    }
  }
  return tokens;
}

export function tokenize(text: string): string[] {
  // Ids, tags and most cards are ASCII: a char-code loop is several times faster than a Unicode split.
  if (!NON_ASCII.test(text)) return tokenizeAscii(text);
  const words = text.toLowerCase().split(WORD_SEPARATOR);
  const tokens: string[] = [];
  for (const word of words) if (word.length > 0) tokens.push(word);
  return tokens;
}

/** Words too common in prose to tell models apart; dropped from descriptions and card text only. */
export const PROSE_STOP_WORDS: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "for",
  "from",
  "in",
  "is",
  "it",
  "of",
  "on",
  "or",
  "that",
  "the",
  "this",
  "to",
  "with",
]);

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Every string one edit away from `word` (deletion, substitution, insertion, adjacent transposition) over
 * letters and digits. Looking these up in the term dictionary finds typo matches with no extra index: about
 * 75 × length lookups per query word.
 */
export function editNeighbours(word: string): Set<string> {
  const variants = new Set<string>();
  for (let i = 0; i < word.length; i++) {
    variants.add(word.slice(0, i) + word.slice(i + 1));
    if (i + 1 < word.length) variants.add(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
    for (const letter of ALPHABET) {
      if (letter !== word[i]) variants.add(word.slice(0, i) + letter + word.slice(i + 1));
    }
  }
  for (let i = 0; i <= word.length; i++) {
    for (const letter of ALPHABET) variants.add(word.slice(0, i) + letter + word.slice(i));
  }
  variants.delete(word);
  return variants;
}
