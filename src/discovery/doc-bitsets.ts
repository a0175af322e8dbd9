import type { MultiValueColumn } from "./index-columns.ts";
import type { SearchIndex } from "./search-index.ts";
import { PARAMETER_BUCKETS, type RangeBucket, SCAN_STATUSES, STORAGE_BUCKETS } from "./vocabulary.ts";

/**
 * Documents as bitsets (one bit per built document, 32 to a Uint32Array word), so that a filter is an OR of
 * per-value bitsets and a combination of filters is a word-wise AND: 32 documents a step instead of one.
 *
 * Derived from the index's columns on first use, never stored in a snapshot. They describe the documents of
 * the build that have not changed since (`plain`): their columns never change, so the bitsets stay right
 * for the index's lifetime; changed documents (and private ones) are judged one by one by the caller.
 */

/** Dimensions that may have a bitset per value: the ones with few values (see `MAX_BITSET_VALUES`). */
export type BitsetDimension =
  | "task"
  | "library"
  | "license"
  | "language"
  | "gated"
  | "runsLocally"
  | "scan"
  | "parameterBucket"
  | "storageBucket";

/**
 * Past this many values a dimension gets no per-value bitsets (they would cost 125 KB each at a million
 * documents): its filters are built from its column instead.
 */
export const MAX_BITSET_VALUES = 64;

export function wordCount(documents: number): number {
  return (documents + 31) >>> 5;
}

export class DocBitsets {
  readonly words: number;
  private readonly byValue = new Map<BitsetDimension, Uint32Array[]>();
  private plainDocs: Uint32Array | null = null;

  constructor(private readonly index: SearchIndex) {
    this.words = wordCount(index.builtCount);
  }

  /**
   * Built documents that are public, not removed and not changed since the build. Recomputed after a patch
   * (`forgetPlain`); a changed document leaves it for good.
   */
  plain(): Uint32Array {
    if (this.plainDocs === null) {
      const { patched, isPrivate, removed } = this.index;
      const bits = new Uint32Array(this.words);
      for (let doc = 0; doc < this.index.builtCount; doc++) {
        if (patched[doc] === 0 && isPrivate[doc] === 0 && removed[doc] === 0) {
          bits[doc >>> 5]! |= 1 << (doc & 31);
        }
      }
      this.plainDocs = bits;
    }
    return this.plainDocs;
  }

  forgetPlain(): void {
    this.plainDocs = null;
  }

  /**
   * One bitset per value id of a small dimension (built documents, as built), computed on first use; null
   * when the dimension has more than `MAX_BITSET_VALUES` values.
   */
  values(dimension: BitsetDimension): Uint32Array[] | null {
    const known = this.byValue.get(dimension);
    if (known) return known;
    const index = this.index;
    const count = index.builtCount;
    const size = {
      task: index.tasks.size,
      library: index.libraries.size,
      license: index.licenses.size,
      language: index.languages.dictionary.size,
      gated: 3,
      runsLocally: 2,
      scan: SCAN_STATUSES.length,
      parameterBucket: PARAMETER_BUCKETS.length + 1,
      storageBucket: STORAGE_BUCKETS.length + 1,
    }[dimension];
    if (size > MAX_BITSET_VALUES) return null;
    const sets = Array.from({ length: size }, () => new Uint32Array(this.words));
    if (dimension === "language") fillMulti(sets, index.languages, count);
    else {
      const column = {
        task: index.task,
        library: index.library,
        license: index.license,
        gated: index.gated,
        runsLocally: index.runsLocally,
        scan: index.scanStatus,
        parameterBucket: index.parameterBucket,
        storageBucket: index.storageBucket,
      }[dimension];
      for (let doc = 0; doc < count; doc++) sets[column[doc]!]![doc >>> 5]! |= 1 << (doc & 31);
    }
    this.byValue.set(dimension, sets);
    return sets;
  }

  /** Bytes held, for the index's statistics. */
  get byteLength(): number {
    let bytes = this.plainDocs?.byteLength ?? 0;
    for (const sets of this.byValue.values()) for (const set of sets) bytes += set.byteLength;
    return bytes;
  }
}

function fillMulti(sets: Uint32Array[], column: MultiValueColumn, count: number): void {
  const { offsets, values } = column;
  for (let doc = 0; doc < count; doc++) {
    for (let at = offsets[doc]!, end = offsets[doc + 1]!; at < end; at++) {
      sets[values[at]!]![doc >>> 5]! |= 1 << (doc & 31);
    }
  }
}

/** How many bits of a 32-bit word are set. */
function bitCount(word: number): number {
  let bits = word - ((word >>> 1) & 0x55555555);
  bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
  return Math.imul((bits + (bits >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** How many documents a bitset holds. */
export function countOf(bits: Uint32Array): number {
  let count = 0;
  for (let word = 0; word < bits.length; word++) if (bits[word] !== 0) count += bitCount(bits[word]!);
  return count;
}

/** How many documents two bitsets share. */
export function countShared(a: Uint32Array, b: Uint32Array): number {
  let count = 0;
  for (let word = 0; word < a.length; word++) {
    const shared = a[word]! & b[word]!;
    if (shared !== 0) count += bitCount(shared);
  }
  return count;
}

/** `into |= set`, word by word. */
export function orInto(into: Uint32Array, set: Uint32Array): void {
  for (let word = 0; word < into.length; word++) into[word]! |= set[word]!;
}

/** `into &= set`, word by word. */
export function andInto(into: Uint32Array, set: Uint32Array): void {
  for (let word = 0; word < into.length; word++) into[word]! &= set[word]!;
}

/** The union of the bitsets of the allowed value ids. */
export function unionOf(sets: Uint32Array[], allowed: Uint8Array, words: number): Uint32Array {
  const union = new Uint32Array(words);
  const last = Math.min(sets.length, allowed.length);
  for (let id = 0; id < last; id++) if (allowed[id] === 1) orInto(union, sets[id]!);
  return union;
}

/** Writes the set documents, ascending, into `out` from `at`; returns the new end. */
export function collect(bits: Uint32Array, out: Uint32Array, at: number): number {
  let end = at;
  for (let word = 0; word < bits.length; word++) {
    let rest = bits[word]!;
    const base = word << 5;
    while (rest !== 0) {
      const lowest = rest & -rest;
      out[end++] = base + 31 - Math.clz32(lowest);
      rest ^= lowest;
    }
  }
  return end;
}

/**
 * Built documents whose `column` value lies in `[low, high]` (NaN never does), from the bitsets of the
 * column's buckets (`bucketSets`, by bucket index): buckets wholly inside the range are taken whole, buckets
 * wholly outside skipped, and only the documents of a bucket the range cuts are checked one by one.
 */
export function bitsInRange(
  column: Float64Array,
  buckets: readonly RangeBucket[],
  bucketSets: Uint32Array[],
  low: number,
  high: number,
): Uint32Array {
  const bits = new Uint32Array(bucketSets[0]!.length);
  for (let bucket = 0; bucket < buckets.length; bucket++) {
    const min = buckets[bucket]!.min ?? Number.NEGATIVE_INFINITY;
    const max = buckets[bucket]!.max ?? Number.POSITIVE_INFINITY;
    const set = bucketSets[bucket]!;
    // A bucket holds [min, max).
    if (min >= low && max <= high) orInto(bits, set);
    else if (max > low && min <= high) {
      for (let word = 0; word < set.length; word++) {
        let rest = set[word]!;
        while (rest !== 0) {
          const lowest = rest & -rest;
          const doc = (word << 5) + 31 - Math.clz32(lowest);
          const value = column[doc]!;
          if (value >= low && value <= high) bits[word]! |= lowest;
          rest ^= lowest;
        }
      }
    }
  }
  return bits;
}

/** Built documents with at least one allowed value in a multi-valued column. */
export function bitsWithAny(column: MultiValueColumn, allowed: Uint8Array, count: number): Uint32Array {
  const bits = new Uint32Array(wordCount(count));
  const { offsets, values } = column;
  for (let doc = 0; doc < count; doc++) {
    for (let at = offsets[doc]!, end = offsets[doc + 1]!; at < end; at++) {
      if (allowed[values[at]!] === 1) {
        bits[doc >>> 5]! |= 1 << (doc & 31);
        break;
      }
    }
  }
  return bits;
}

/** Built documents holding every one of `required` in a multi-valued column. */
export function bitsWithAll(
  column: MultiValueColumn,
  required: readonly number[],
  count: number,
): Uint32Array {
  const bits = new Uint32Array(wordCount(count));
  const { offsets, values } = column;
  for (let doc = 0; doc < count; doc++) {
    const held = values.subarray(offsets[doc]!, offsets[doc + 1]!);
    if (required.every((id) => held.includes(id))) bits[doc >>> 5]! |= 1 << (doc & 31);
  }
  return bits;
}
