import { makeClassifier } from "./classify.ts";
import { wordCount } from "./doc-bitsets.ts";
import type { FilterPlan } from "./plan.ts";
import { RANKING_WEIGHTS } from "./ranking.ts";
import type { SearchIndex } from "./search-index.ts";
import type { SearchSort } from "./search-params.ts";

export type KeyFunction = (doc: number) => number;

export function sortKey(
  index: SearchIndex,
  sort: SearchSort,
  ascending: boolean,
  textScores: Float32Array | undefined,
  exactOf: (doc: number) => number,
): KeyFunction {
  const sign = ascending && sort !== "relevance" ? -1 : 1;
  switch (sort) {
    case "relevance":
      if (!textScores) return (doc) => index.staticScore[doc]!;
      return (doc) =>
        RANKING_WEIGHTS.text * textScores[doc]! +
        RANKING_WEIGHTS.exactMatch * exactOf(doc) +
        index.staticScore[doc]!;
    case "trending":
      return (doc) => sign * index.trend[doc]!;
    case "downloads":
      return (doc) => sign * index.downloads[doc]!;
    case "likes":
      return (doc) => sign * index.likes[doc]!;
    case "updated":
      return (doc) => sign * index.lastModified[doc]!;
    case "created":
      return (doc) => sign * index.createdAt[doc]!;
    case "parameters":
      // Unknown sizes go last either way.
      return (doc) => {
        const value = index.parameters[doc]!;
        return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : sign * value;
      };
  }
}

/**
 * The best `k` documents by key (ties: more downloads, then older row), best first: a bounded min-heap over
 * the results, O(n log k).
 */
export function topK(
  index: SearchIndex,
  results: Uint32Array,
  total: number,
  k: number,
  keyOf: KeyFunction,
): number[] {
  if (k === 0) return [];
  const heapDocs = new Uint32Array(k);
  const heapKeys = new Float64Array(k);
  let size = 0;
  const downloads = index.downloads;
  const pk = index.pk;
  // Whether a ranks below b (a is worse).
  const worse = (keyA: number, docA: number, keyB: number, docB: number): boolean => {
    if (keyA !== keyB) return keyA < keyB;
    const downloadsA = downloads[docA]!;
    const downloadsB = downloads[docB]!;
    if (downloadsA !== downloadsB) return downloadsA < downloadsB;
    return pk[docA]! > pk[docB]!;
  };
  const siftDown = (from: number): void => {
    let at = from;
    for (;;) {
      const left = at * 2 + 1;
      if (left >= size) return;
      const right = left + 1;
      let child = left;
      if (right < size && worse(heapKeys[right]!, heapDocs[right]!, heapKeys[left]!, heapDocs[left]!))
        child = right;
      if (!worse(heapKeys[child]!, heapDocs[child]!, heapKeys[at]!, heapDocs[at]!)) return;
      const doc = heapDocs[at]!;
      const key = heapKeys[at]!;
      heapDocs[at] = heapDocs[child]!;
      heapKeys[at] = heapKeys[child]!;
      heapDocs[child] = doc;
      heapKeys[child] = key;
      at = child;
    }
  };
  for (let at = 0; at < total; at++) {
    const doc = results[at]!;
    const key = keyOf(doc);
    if (size < k) {
      let position = size++;
      heapDocs[position] = doc;
      heapKeys[position] = key;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!worse(heapKeys[position]!, heapDocs[position]!, heapKeys[parent]!, heapDocs[parent]!)) break;
        const parentDoc = heapDocs[parent]!;
        const parentKey = heapKeys[parent]!;
        heapDocs[parent] = heapDocs[position]!;
        heapKeys[parent] = heapKeys[position]!;
        heapDocs[position] = parentDoc;
        heapKeys[position] = parentKey;
        position = parent;
      }
    } else if (worse(heapKeys[0]!, heapDocs[0]!, key, doc)) {
      heapDocs[0] = doc;
      heapKeys[0] = key;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, at) => at);
  order.sort((a, b) =>
    worse(heapKeys[a]!, heapDocs[a]!, heapKeys[b]!, heapDocs[b]!)
      ? 1
      : worse(heapKeys[b]!, heapDocs[b]!, heapKeys[a]!, heapDocs[a]!)
        ? -1
        : 0,
  );
  return order.map((at) => heapDocs[at]!);
}

/**
 * The best `k` documents in a precomputed order (built documents only), skipping ones that do not `pass`;
 * documents changed since the build are ranked separately and merged in.
 */
export function walkTop(
  index: SearchIndex,
  passes: (doc: number) => boolean,
  order: Uint32Array,
  k: number,
  keyOf: KeyFunction,
): number[] {
  const picked: number[] = [];
  for (let at = 0; at < order.length && picked.length < k; at++) {
    const doc = order[at]!;
    if (index.patched[doc] === 1) continue;
    if (passes(doc)) picked.push(doc);
  }
  if (index.patchedList.length === 0) return picked;
  const merged = [...picked];
  for (const doc of index.patchedList) if (passes(doc)) merged.push(doc);
  return topK(index, Uint32Array.from(merged), merged.length, Math.min(k, merged.length), keyOf);
}

/** Whether a document passes a plan's filters (and is visible). */
export function passesPlan(index: SearchIndex, plan: FilterPlan): (doc: number) => boolean {
  const classify = makeClassifier(index, plan);
  return (doc) => classify(doc) === -1;
}

/** Whether a document is one of `docs[0..count)`: a bitset over the index's documents. */
export function memberOf(index: SearchIndex, docs: Uint32Array, count: number): (doc: number) => boolean {
  const bits = new Uint32Array(wordCount(index.size));
  for (let at = 0; at < count; at++) {
    const doc = docs[at]!;
    bits[doc >>> 5]! |= 1 << (doc & 31);
  }
  return (doc) => (bits[doc >>> 5]! & (1 << (doc & 31))) !== 0;
}
