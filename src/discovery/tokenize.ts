/** Splits text into lowercase words of letters and digits: `org-1/Llama-3-8B` → org, 1, llama, 3, 8b. */
const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

export function tokenize(text: string): string[] {
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
