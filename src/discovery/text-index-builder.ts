import { type DocumentTerms, TextIndex } from "./text-index.ts";

/**
 * Builds a TextIndex (text-index.ts): postings collected as (term, document, fields) pairs while the search
 * index reads the catalog, then sorted into the compressed-row form the index holds.
 */

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

  finish(): TextIndex {
    const termCount = this.terms.length;
    const terms = this.terms;
    // The built-in sort without a comparator orders strings by UTF-16 code units, as `<` does, in native code.
    const sortedTerms = [...terms].sort();
    const rankOf = new Uint32Array(termCount);
    for (let rank = 0; rank < termCount; rank++) rankOf[this.termIds.get(sortedTerms[rank]!)!] = rank;
    const pairCount = this.pairs.length / 2;
    const pairs = this.pairs.data;
    const offsets = new Uint32Array(termCount + 1);
    for (let index = 0; index < pairCount; index++) offsets[rankOf[pairs[index * 2]!]! + 1]!++;
    for (let rank = 0; rank < termCount; rank++) offsets[rank + 1]! += offsets[rank]!;
    const cursor = offsets.slice(0, termCount);
    const docs = new Uint32Array(pairCount);
    const fields = new Uint8Array(pairCount);
    for (let index = 0; index < pairCount; index++) {
      const rank = rankOf[pairs[index * 2]!]!;
      const packed = pairs[index * 2 + 1]!;
      const at = cursor[rank]!++;
      docs[at] = packed >>> 4;
      fields[at] = packed & 15;
    }
    return new TextIndex(sortedTerms, offsets, docs, fields);
  }
}
