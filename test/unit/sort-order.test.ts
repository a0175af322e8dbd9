import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sortOrder, sortOrderInTurns } from "../../src/discovery/sort-order.ts";

/** A small deterministic generator, so a failure names the same data every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The order by comparison: key descending, then downloads descending, then pk ascending. */
function byComparison(keys: number[], downloads: Float64Array, pk: Int32Array): number[] {
  return keys
    .map((_, doc) => doc)
    .sort((a, b) => {
      const difference = keys[b]! - keys[a]!;
      // Infinity - Infinity is NaN: equal infinities tie, as in SearchIndex.sortedDocs before.
      if (difference > 0 || difference < 0) return difference;
      return downloads[b]! - downloads[a]! || pk[a]! - pk[b]!;
    });
}

describe("sortOrder", () => {
  it("orders by key, then downloads, then pk, as a comparison sort does", () => {
    const next = random(19);
    const count = 5000;
    // Few distinct values, so ties are common; negatives, zeros of both signs, fractions and infinities.
    const pool = [-Infinity, -1e12, -3.5, -1, -0, 0, 0.25, 1, 2, 2.5, 7, 1e9, 2 ** 40 + 0.5, Infinity];
    const keys = Array.from({ length: count }, () => pool[Math.floor(next() * pool.length)]!);
    const downloads = Float64Array.from({ length: count }, () => Math.floor(next() * 20) * 1000);
    const pk = Int32Array.from({ length: count }, (_, doc) => (doc * 7919) % 100_003);
    const order = sortOrder(count, (doc) => keys[doc]!, downloads, pk);
    assert.deepEqual([...order], byComparison(keys, downloads, pk));
  });

  it("puts documents without a key (NaN) last, by downloads then pk", () => {
    const keys = [Number.NaN, 3, Number.NaN, -Infinity, 5];
    const downloads = Float64Array.from([10, 0, 20, 0, 0]);
    const pk = Int32Array.from([1, 2, 3, 4, 5]);
    assert.deepEqual([...sortOrder(5, (doc) => keys[doc]!, downloads, pk)], [4, 1, 3, 2, 0]);
  });

  it("handles an empty index", () => {
    assert.equal(sortOrder(0, () => 0, new Float64Array(0), new Int32Array(0)).length, 0);
  });
});

describe("sortOrderInTurns", () => {
  it("gives sortOrder's order, over runs merged a slice a turn, NaN keys and ties included", async () => {
    const next = random(23);
    // Past four runs of 131,072, with an odd last run, so every merge level has a left-over block.
    const count = 4 * 131_072 + 12_345;
    const pool = [Number.NaN, -Infinity, -2, -0, 0, 0.5, 1, 3, 1e6, Infinity];
    const keys = Float64Array.from({ length: count }, () => pool[Math.floor(next() * pool.length)]!);
    const downloads = Float64Array.from({ length: count }, () =>
      next() < 0.1 ? Number.NaN : Math.floor(next() * 50),
    );
    const pk = Int32Array.from({ length: count }, (_, doc) => (doc * 7919) % 1_000_003);
    let turns = 0;
    const inTurns = await sortOrderInTurns(
      count,
      (doc) => keys[doc]!,
      downloads,
      pk,
      async () => {
        turns++;
      },
    );
    assert.deepEqual(
      inTurns,
      sortOrder(count, (doc) => keys[doc]!, downloads, pk),
    );
    assert.ok(turns >= 8, `cut into slices: ${turns} turns`);
    const none = await sortOrderInTurns(
      0,
      () => 0,
      new Float64Array(0),
      new Int32Array(0),
      async () => {},
    );
    assert.equal(none.length, 0);
  });
});
