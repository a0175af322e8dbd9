/**
 * The order of a search index's documents under a sort: best first by a key, ties broken by more downloads,
 * then by the older row (lower pk). Keys compare as numbers do, with -0 equal to 0; a NaN key (no value)
 * goes after every number, for the sort key and for downloads alike.
 *
 * A comparison sort of the documents. A least-significant-digit radix sort over the keys' bits was tried
 * (2026-12-07): it ordered a million documents in a quarter of the time, yet `bench:search`'s queries after it
 * ran at p95 17-25 ms instead of 15 ms, in alternating runs. The orders were identical; what differed was the
 * heap V8 grew (the comparison sort's working copy lives on the JavaScript heap, the radix sort's scratch
 * arrays off it), and with the smaller heap the queries' own garbage was collected more often.
 */
export function sortOrder(
  count: number,
  keyOf: (doc: number) => number,
  downloads: Float64Array,
  pk: Int32Array,
): Uint32Array {
  const keys = new Float64Array(count);
  for (let doc = 0; doc < count; doc++) keys[doc] = keyOf(doc);
  const order = new Uint32Array(count);
  for (let doc = 0; doc < count; doc++) order[doc] = doc;
  order.sort(
    (a, b) => descending(keys[a]!, keys[b]!) || descending(downloads[a]!, downloads[b]!) || pk[a]! - pk[b]!,
  );
  return order;
}

/** Documents per run sorted in one piece, and documents merged per turn, by `sortOrderInTurns`. */
const RUN = 1 << 17;
const MERGED_PER_TURN = 1 << 18;

/**
 * `sortOrder`'s order, worked out a slice at a time with `nextTurn` awaited between slices, for a caller that
 * must not hold the event loop (writing an index snapshot in a server after a build: seven orders of a
 * million documents, each 0.3-1 s in one piece): runs of 131,072 documents sorted in place, then merged
 * pairwise. The same comparison, so the same order.
 */
export async function sortOrderInTurns(
  count: number,
  keyOf: (doc: number) => number,
  downloads: Float64Array,
  pk: Int32Array,
  nextTurn: () => Promise<void>,
): Promise<Uint32Array> {
  const keys = new Float64Array(count);
  for (let doc = 0; doc < count; doc++) keys[doc] = keyOf(doc);
  // The keys as they are now: changes applied between turns must not make the comparison inconsistent.
  const downloadsNow = downloads.slice(0, count);
  const compare = (a: number, b: number) =>
    descending(keys[a]!, keys[b]!) || descending(downloadsNow[a]!, downloadsNow[b]!) || pk[a]! - pk[b]!;
  let order = new Uint32Array(count);
  for (let doc = 0; doc < count; doc++) order[doc] = doc;
  for (let start = 0; start < count; start += RUN) {
    order.subarray(start, Math.min(count, start + RUN)).sort(compare);
    await nextTurn();
  }
  let merged = new Uint32Array(count);
  for (let width = RUN; width < count; width *= 2) {
    for (let left = 0; left < count; left += 2 * width) {
      const middle = Math.min(left + width, count);
      const right = Math.min(left + 2 * width, count);
      let i = left;
      let j = middle;
      let k = left;
      while (k < right) {
        const end = Math.min(right, k + MERGED_PER_TURN);
        while (k < end) {
          merged[k++] =
            j >= right || (i < middle && compare(order[i]!, order[j]!) <= 0) ? order[i++]! : order[j++]!;
        }
        await nextTurn();
      }
    }
    [order, merged] = [merged, order];
  }
  return order;
}

/** Negative when `x` goes first in descending order, NaN last; 0 for equal values (-0 and 0 included). */
function descending(x: number, y: number): number {
  if (x === y) return 0;
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
  if (Number.isNaN(y)) return -1;
  return y - x;
}
