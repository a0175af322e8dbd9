import { residentArrayBytes } from "./index-columns.ts";
import { editNeighbours } from "./tokenize.ts";

/** Where in a model a word occurs; one bit each, so a posting stores every field it was seen in. */
export const FIELD_NAME = 1;
export const FIELD_AUTHOR = 2;
export const FIELD_TAGS = 4;
export const FIELD_PROSE = 8;

/** How much a match in each field counts, best field first (see docs/search-ranking.md). */
export const FIELD_WEIGHTS = { name: 1, author: 0.8, tags: 0.6, prose: 0.4 } as const;

/** The weight of a posting: the best field it occurs in. */
const FIELD_FACTOR = (() => {
  const factors = new Float32Array(16);
  for (let mask = 1; mask < 16; mask++) {
    factors[mask] =
      mask & FIELD_NAME
        ? FIELD_WEIGHTS.name
        : mask & FIELD_AUTHOR
          ? FIELD_WEIGHTS.author
          : mask & FIELD_TAGS
            ? FIELD_WEIGHTS.tags
            : FIELD_WEIGHTS.prose;
  }
  return factors;
})();

/** How a query word matched a term. */
export const MATCH_FACTORS = { exact: 1, prefix: 0.8, typo: 0.5 } as const;

/** A prefix of one or two letters would expand to most of the dictionary: only the most frequent terms count. */
export const MAX_PREFIX_EXPANSIONS = 256;
/** Typo tolerance (one edit) starts at this word length: shorter words have too many neighbours. */
export const TYPO_MIN_LENGTH = 4;
export const PREFIX_MIN_LENGTH = 2;

/** FNV-1a over a string's UTF-16 code units. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < text.length; at++) hash = Math.imul(hash ^ text.charCodeAt(at), 0x01000193);
  return hash >>> 0;
}

/** A Bloom filter over `terms` for `TextIndex.mayHold`: 16 bits a term, rounded up to a power of two. */
function bloomFilter(terms: readonly string[]): Uint32Array {
  let bits = 1024;
  while (bits < terms.length * 16) bits *= 2;
  const filter = new Uint32Array(bits / 32);
  const mask = bits - 1;
  for (const term of terms) {
    const first = hashOf(term);
    const step = Math.imul(first ^ (first >>> 16), 0x85ebca6b) | 1;
    for (let probe = 0; probe < 4; probe++) {
      const bit = (first + Math.imul(probe, step)) & mask;
      filter[bit >>> 5]! |= 1 << (bit & 31);
    }
  }
  return filter;
}

/** Terms of one document with the fields they occur in. */
export type DocumentTerms = Map<string, number>;

/** The postings of one term: `docs[start..end)` and their field bits. */
export interface Postings {
  docs: Uint32Array;
  fields: Uint8Array;
  start: number;
  end: number;
}

/** One term a query word expanded to, with how well it matched. */
interface Expansion {
  /** Rank in the main dictionary, or -1 for a term only in the delta. */
  rank: number;
  term: string;
  factor: number;
}

/** A query word: quoted words match exactly (no prefix, no typo). */
export interface QueryWord {
  text: string;
  exact: boolean;
}

export interface TextMatch {
  /** Matching documents (every word matched), in no particular order. */
  docs: Uint32Array;
  count: number;
  /** Text relevance in [0, 1] by document, valid for the matching documents. */
  scores: Float32Array;
  /** Per word: what it expanded to (for explain and related searches). */
  words: Array<{ word: string; exact: boolean; prefixes: number; typos: number }>;
}

/**
 * An inverted index over model ids, tags and prose: a sorted term dictionary (binary search gives every term
 * with a prefix), postings in compressed-row form (documents ascending, with their field bits), and a small
 * delta for documents changed since the build: their old postings are masked out and their new terms live in
 * a map until the next full build.
 */
export class TextIndex {
  private deltaTerms = new Map<string, { docs: number[]; fields: number[] }>();
  private deltaSorted: string[] = [];
  private readonly patchedTerms = new Map<number, DocumentTerms>();
  private scratch: {
    best: Float32Array;
    bestStamp: Uint32Array;
    count: Uint8Array;
    countStamp: Uint32Array;
    accumulated: Float32Array;
    touched: Uint32Array;
  } | null = null;
  private stamp = 0;
  private termFilter: Uint32Array | null = null;
  private lookups = 0;

  /**
   * No term-to-rank map: a binary search over the sorted terms finds a term, so an index read back from a
   * snapshot needs no map of millions of strings rebuilt before its first query.
   */
  constructor(
    readonly sortedTerms: string[],
    readonly offsets: Uint32Array,
    readonly docs: Uint32Array,
    readonly fields: Uint8Array,
  ) {}

  /** The rank of a term in the sorted dictionary, or -1. */
  private rankOf(term: string): number {
    if (!this.mayHold(term)) return -1;
    const rank = this.lowerBound(term);
    return rank < this.sortedTerms.length && this.sortedTerms[rank] === term ? rank : -1;
  }

  /**
   * Whether the dictionary may hold a term (false: surely not), from a Bloom filter over its terms (16 bits
   * and 4 probes a term: 2-4 MiB at a million terms, a false "may" once in a few thousand). Most lookups are
   * typo variants that do not exist, and the filter answers them without a binary search over the strings.
   * It is made after this index's first 4,096 lookups (a few typo-tolerant words), so a one-shot process
   * does not hash every term.
   */
  private mayHold(term: string): boolean {
    if (this.termFilter === null) {
      if (++this.lookups < 4096) return true;
      this.termFilter = bloomFilter(this.sortedTerms);
    }
    const filter = this.termFilter;
    const mask = filter.length * 32 - 1;
    const first = hashOf(term);
    const step = Math.imul(first ^ (first >>> 16), 0x85ebca6b) | 1;
    for (let probe = 0; probe < 4; probe++) {
      const bit = (first + Math.imul(probe, step)) & mask;
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  get termCount(): number {
    return this.sortedTerms.length;
  }

  get postingCount(): number {
    // offsets has one entry per term and one more: indexed by the term count, a lazy one reads one value.
    return this.offsets[this.termCount]!;
  }

  /**
   * The postings of the term of rank `rank`: `docs[start..end)` with their `fields`. An index read from a
   * snapshot reads just these from the file (see snapshot-load.ts) instead of every posting.
   */
  protected postingsOf(rank: number): Postings {
    return { docs: this.docs, fields: this.fields, start: this.offsets[rank]!, end: this.offsets[rank + 1]! };
  }

  /** Bytes of the typed arrays in memory (the dictionary strings come on top). */
  get arrayBytes(): number {
    return residentArrayBytes(this);
  }

  /** Replaces a changed document's terms (null when it is gone). Its build-time postings must be masked by the caller. */
  setPatched(doc: number, terms: DocumentTerms | null): void {
    if (terms) this.patchedTerms.set(doc, terms);
    else this.patchedTerms.delete(doc);
    const delta = new Map<string, { docs: number[]; fields: number[] }>();
    for (const [patchedDoc, patched] of this.patchedTerms) {
      for (const [term, fields] of patched) {
        let postings = delta.get(term);
        if (!postings) {
          postings = { docs: [], fields: [] };
          delta.set(term, postings);
        }
        postings.docs.push(patchedDoc);
        postings.fields.push(fields);
      }
    }
    this.deltaTerms = delta;
    this.deltaSorted = [...delta.keys()].sort();
  }

  private documentFrequency(expansion: Expansion): number {
    const main = expansion.rank >= 0 ? this.offsets[expansion.rank + 1]! - this.offsets[expansion.rank]! : 0;
    return main + (this.deltaTerms.get(expansion.term)?.docs.length ?? 0);
  }

  private lowerBound(prefix: string): number {
    let low = 0;
    let high = this.sortedTerms.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sortedTerms[middle]! < prefix) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** What one query word matches: the term itself, longer terms it starts, and terms one typo away. */
  private expand(word: QueryWord): { expansions: Expansion[]; prefixes: number; typos: number } {
    const expansions: Expansion[] = [];
    const seen = new Set<string>();
    const add = (term: string, factor: number): void => {
      if (seen.has(term)) return;
      const rank = this.rankOf(term);
      if (rank < 0 && !this.deltaTerms.has(term)) return;
      seen.add(term);
      expansions.push({ rank, term, factor });
    };
    add(word.text, MATCH_FACTORS.exact);
    let prefixes = 0;
    let typos = 0;
    if (word.exact) return { expansions, prefixes, typos };
    if (word.text.length >= PREFIX_MIN_LENGTH) {
      const start = this.lowerBound(word.text);
      let end = start;
      while (end < this.sortedTerms.length && this.sortedTerms[end]!.startsWith(word.text)) end++;
      let ranks: number[] = [];
      for (let rank = start; rank < end; rank++) if (this.sortedTerms[rank] !== word.text) ranks.push(rank);
      if (ranks.length > MAX_PREFIX_EXPANSIONS) {
        const frequency = (rank: number) => this.offsets[rank + 1]! - this.offsets[rank]!;
        ranks = ranks.sort((a, b) => frequency(b) - frequency(a)).slice(0, MAX_PREFIX_EXPANSIONS);
      }
      for (const rank of ranks) add(this.sortedTerms[rank]!, MATCH_FACTORS.prefix);
      for (const term of this.deltaSorted) {
        if (term !== word.text && term.startsWith(word.text)) add(term, MATCH_FACTORS.prefix);
      }
      prefixes = expansions.length - (seen.has(word.text) ? 1 : 0);
    }
    if (word.text.length >= TYPO_MIN_LENGTH) {
      const before = expansions.length;
      for (const variant of editNeighbours(word.text)) add(variant, MATCH_FACTORS.typo);
      typos = expansions.length - before;
    }
    return { expansions, prefixes, typos };
  }

  /**
   * Documents matching every word, scored in [0, 1]: each word contributes its best match (match factor ×
   * field weight), weighted by the word's inverse document frequency so rare words decide more.
   * `masked[doc]` hides a document's build-time postings (it changed since, and its terms are in the delta).
   */
  match(words: QueryWord[], documentCount: number, capacity: number, masked: Uint8Array): TextMatch {
    if (!this.scratch || this.scratch.best.length < capacity) {
      this.scratch = {
        best: new Float32Array(capacity),
        bestStamp: new Uint32Array(capacity),
        count: new Uint8Array(capacity),
        countStamp: new Uint32Array(capacity),
        accumulated: new Float32Array(capacity),
        touched: new Uint32Array(capacity),
      };
      this.stamp = 0;
    }
    const { best, bestStamp, count, countStamp, accumulated, touched } = this.scratch;
    const expanded = words.map((word) => {
      const result = this.expand(word);
      let total = 0;
      let exactFrequency = -1;
      let maxFrequency = 0;
      for (const expansion of result.expansions) {
        const frequency = this.documentFrequency(expansion);
        total += frequency;
        if (expansion.factor === MATCH_FACTORS.exact) exactFrequency = frequency;
        if (frequency > maxFrequency) maxFrequency = frequency;
      }
      const frequency = exactFrequency >= 0 ? exactFrequency : maxFrequency;
      const weight = Math.log(1 + (documentCount + 1) / (frequency + 1));
      return { word, ...result, total, weight };
    });
    const report = expanded.map((entry) => ({
      word: entry.word.text,
      exact: entry.word.exact,
      prefixes: entry.prefixes,
      typos: entry.typos,
    }));
    // The most selective word goes first: later words only look at documents that matched so far.
    const order = [...expanded].sort((a, b) => a.total - b.total);
    const queryStamp = ++this.stamp;
    let touchedCount = 0;
    let totalWeight = 0;
    for (let wordIndex = 0; wordIndex < order.length; wordIndex++) {
      const entry = order[wordIndex]!;
      totalWeight += entry.weight;
      const wordStamp = ++this.stamp;
      touchedCount = 0;
      const visit = (doc: number, fieldMask: number, factor: number): void => {
        if (wordIndex > 0 && (countStamp[doc] !== queryStamp || count[doc] !== wordIndex)) return;
        const score = factor * FIELD_FACTOR[fieldMask]!;
        if (bestStamp[doc] !== wordStamp) {
          bestStamp[doc] = wordStamp;
          best[doc] = score;
          touched[touchedCount++] = doc;
        } else if (score > best[doc]!) best[doc] = score;
      };
      for (const expansion of entry.expansions) {
        if (expansion.rank >= 0) {
          const { docs, fields, start, end } = this.postingsOf(expansion.rank);
          for (let at = start; at < end; at++) {
            const doc = docs[at]!;
            if (masked[doc] === 1) continue;
            visit(doc, fields[at]!, expansion.factor);
          }
        }
        const delta = this.deltaTerms.get(expansion.term);
        if (delta)
          for (let at = 0; at < delta.docs.length; at++)
            visit(delta.docs[at]!, delta.fields[at]!, expansion.factor);
      }
      for (let at = 0; at < touchedCount; at++) {
        const doc = touched[at]!;
        if (wordIndex === 0) {
          countStamp[doc] = queryStamp;
          count[doc] = 1;
          accumulated[doc] = entry.weight * best[doc]!;
        } else {
          count[doc] = wordIndex + 1;
          accumulated[doc]! += entry.weight * best[doc]!;
        }
      }
      if (touchedCount === 0) break;
    }
    // The stamps wrap after 4 billion words; start over cleanly long before.
    if (this.stamp > 0xfff00000) this.scratch = null;
    const docs = touched.slice(0, touchedCount);
    const scores = accumulated;
    if (totalWeight > 0) for (const doc of docs) scores[doc] = scores[doc]! / totalWeight;
    return { docs, count: touchedCount, scores, words: report };
  }
}
