/**
 * The order of a search index's documents under a sort: best first by a key, ties broken by more downloads,
 * then by the older row (lower pk). A least-significant-digit radix sort over the bits of the three keys
 * (16-bit digits, a pass skipped when every document has the same digit), so ordering a million documents
 * costs a few linear passes instead of some twenty million calls of a comparison function.
 *
 * Keys compare as numbers do, with -0 equal to 0; a NaN key (no value) goes after every number.
 */
export function sortOrder(
  count: number,
  keyOf: (doc: number) => number,
  downloads: Float64Array,
  pk: Int32Array,
): Uint32Array {
  // Each key as an unsigned 64-bit value, high and low words, that is smaller for a better document.
  const keyHigh = new Uint32Array(count);
  const keyLow = new Uint32Array(count);
  const scratch = new Float64Array(1);
  const bits = new Uint32Array(scratch.buffer);
  for (let doc = 0; doc < count; doc++) {
    const key = keyOf(doc);
    if (Number.isNaN(key)) {
      keyHigh[doc] = 0xffffffff;
      keyLow[doc] = 0xffffffff;
      continue;
    }
    scratch[0] = key === 0 ? 0 : key;
    descending(bits[1]!, bits[0]!, keyHigh, keyLow, doc);
  }
  const downloadsHigh = new Uint32Array(count);
  const downloadsLow = new Uint32Array(count);
  const downloadBits = new Uint32Array(downloads.buffer, downloads.byteOffset, downloads.length * 2);
  for (let doc = 0; doc < count; doc++) {
    const value = downloads[doc]!;
    if (Number.isNaN(value)) {
      downloadsHigh[doc] = 0xffffffff;
      downloadsLow[doc] = 0xffffffff;
    } else if (value === 0) {
      descending(0, 0, downloadsHigh, downloadsLow, doc);
    } else {
      descending(downloadBits[doc * 2 + 1]!, downloadBits[doc * 2]!, downloadsHigh, downloadsLow, doc);
    }
  }
  const pkAscending = new Uint32Array(count);
  for (let doc = 0; doc < count; doc++) pkAscending[doc] = (pk[doc]! ^ 0x80000000) >>> 0;

  let order = new Uint32Array(count);
  for (let doc = 0; doc < count; doc++) order[doc] = doc;
  let next = new Uint32Array(count);
  const digits = new Uint16Array(count);
  const counts = new Uint32Array(65536);
  // Least significant first: pk, then downloads, then the key.
  for (const words of [pkAscending, downloadsLow, downloadsHigh, keyLow, keyHigh]) {
    for (const shift of [0, 16]) {
      counts.fill(0);
      for (let doc = 0; doc < count; doc++) {
        const digit = (words[doc]! >>> shift) & 0xffff;
        digits[doc] = digit;
        counts[digit]!++;
      }
      if (count === 0 || counts[digits[0]!] === count) continue;
      let sum = 0;
      for (let digit = 0; digit < 65536; digit++) {
        const here = counts[digit]!;
        counts[digit] = sum;
        sum += here;
      }
      for (let at = 0; at < count; at++) {
        const doc = order[at]!;
        next[counts[digits[doc]!]!++] = doc;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}

/**
 * The 64-bit pattern of a double (high and low words) turned into one whose unsigned order is the double's
 * descending order.
 */
function descending(high: number, low: number, highs: Uint32Array, lows: Uint32Array, at: number): void {
  if (high & 0x80000000) {
    // Negative: the ascending pattern is every bit flipped; descending flips it back.
    highs[at] = high;
    lows[at] = low;
  } else {
    highs[at] = (high ^ 0x7fffffff) >>> 0;
    lows[at] = ~low >>> 0;
  }
}
