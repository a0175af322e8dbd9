import { nextTurn as defaultTurn } from "../core/next-turn.ts";
import { type DocumentTerms, TextIndex } from "./text-index.ts";

/**
 * Builds a TextIndex (text-index.ts): postings collected as (term, document, fields) pairs while the search
 * index reads the catalog, then sorted into the compressed-row form the index holds.
 */

/** Work done between two turns of the event loop: tens of milliseconds each. */
const TERMS_PER_TURN = 1 << 18;
const PAIRS_PER_TURN = 1 << 21;
const RUN_LENGTH = 1 << 17;

/** `terms` sorted (as `[...terms].sort()` would), in runs sorted natively and merged pairwise, a slice a turn. */
export async function sortInTurns(
  terms: readonly string[],
  nextTurn: () => Promise<void> = defaultTurn,
): Promise<string[]> {
  let runs: string[][] = [];
  for (let start = 0; start < terms.length; start += RUN_LENGTH) {
    runs.push(terms.slice(start, start + RUN_LENGTH).sort());
    await nextTurn();
  }
  if (runs.length === 0) return [];
  while (runs.length > 1) {
    const merged: string[][] = [];
    for (let at = 0; at < runs.length; at += 2) {
      merged.push(at + 1 < runs.length ? await mergeInTurns(runs[at]!, runs[at + 1]!, nextTurn) : runs[at]!);
    }
    runs = merged;
  }
  return runs[0]!;
}

async function mergeInTurns(a: string[], b: string[], nextTurn: () => Promise<void>): Promise<string[]> {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < out.length) {
    const end = Math.min(out.length, k + TERMS_PER_TURN);
    while (k < end) {
      if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out[k++] = a[i++]!;
      else out[k++] = b[j++]!;
    }
    await nextTurn();
  }
  return out;
}

class GrowableUint32 {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

/** Collects (term, document, fields) postings, documents in increasing order, then freezes them. */
export class TextIndexBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private readonly pairs = new GrowableUint32();

  add(doc: number, terms: DocumentTerms): void {
    for (const [term, fields] of terms) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.terms.length;
        this.termIds.set(term, id);
        this.terms.push(term);
      }
      this.pairs.push(id);
      // Documents fit in 28 bits (268M), the four field bits in the rest.
      this.pairs.push((doc << 4) | fields);
    }
  }

  /**
   * The index, built in slices with `nextTurn` awaited between them (requests get in between: at a million
   * models the dictionary holds about a million terms and 13 million postings, over a second of work in one
   * piece). The dictionary is sorted in runs that are then merged, in the order of `<` on strings (UTF-16 code
   * units, as the built-in sort without a comparator).
   */
  async finish(nextTurn: () => Promise<void> = defaultTurn): Promise<TextIndex> {
    const termCount = this.terms.length;
    const sortedTerms = await sortInTurns(this.terms, nextTurn);
    const rankOf = new Uint32Array(termCount);
    for (let start = 0; start < termCount; start += TERMS_PER_TURN) {
      const end = Math.min(termCount, start + TERMS_PER_TURN);
      for (let rank = start; rank < end; rank++) rankOf[this.termIds.get(sortedTerms[rank]!)!] = rank;
      await nextTurn();
    }
    const pairCount = this.pairs.length / 2;
    const pairs = this.pairs.data;
    const offsets = new Uint32Array(termCount + 1);
    for (let start = 0; start < pairCount; start += PAIRS_PER_TURN) {
      const end = Math.min(pairCount, start + PAIRS_PER_TURN);
      for (let index = start; index < end; index++) offsets[rankOf[pairs[index * 2]!]! + 1]!++;
      await nextTurn();
    }
    for (let rank = 0; rank < termCount; rank++) offsets[rank + 1]! += offsets[rank]!;
    const cursor = offsets.slice(0, termCount);
    const docs = new Uint32Array(pairCount);
    const fields = new Uint8Array(pairCount);
    for (let start = 0; start < pairCount; start += PAIRS_PER_TURN) {
      const end = Math.min(pairCount, start + PAIRS_PER_TURN);
      for (let index = start; index < end; index++) {
        const rank = rankOf[pairs[index * 2]!]!;
        const packed = pairs[index * 2 + 1]!;
        const at = cursor[rank]!++;
        docs[at] = packed >>> 4;
        fields[at] = packed & 15;
      }
      await nextTurn();
    }
    return new TextIndex(sortedTerms, offsets, docs, fields);
  }
}
