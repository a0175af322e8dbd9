import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { FIELD_NAME, type TextIndex } from "../../src/discovery/text-index.ts";
import { sortInTurns, TextIndexBuilder } from "../../src/discovery/text-index-builder.ts";
import { seededRandom } from "../../src/hub/catalog/generate-catalog.ts";

/**
 * Term lookups: after enough of them the index answers "no such term" from a Bloom filter instead of a
 * binary search. A typo-tolerant word must match the same documents before and after the filter exists.
 */
describe("text index term lookups", () => {
  const random = seededRandom(7);
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const word = () =>
    Array.from({ length: 5 + Math.floor(random() * 6) }, () => letters[Math.floor(random() * 26)]).join("");
  const builder = new TextIndexBuilder();
  const vocabulary = Array.from({ length: 5000 }, word);
  const named = ["whisper", "mistral", "roberta", "llama", "instruct"];
  for (let doc = 0; doc < 3000; doc++) {
    const terms = new Map<string, number>();
    for (let n = 0; n < 4; n++) terms.set(vocabulary[Math.floor(random() * vocabulary.length)]!, FIELD_NAME);
    if (doc % 10 === 0) terms.set(named[(doc / 10) % named.length]!, FIELD_NAME);
    builder.add(doc, terms);
  }
  let index: TextIndex;
  before(async () => {
    index = await builder.finish();
  });
  const masked = new Uint8Array(3000);
  const matchOf = (text: string) =>
    Array.from(index.match([{ text, exact: false }], 3000, 3000, masked).docs).sort((a, b) => a - b);

  it("finds words one typo away, and the same documents once misses are answered by the filter", () => {
    const typos = ["wisper", "mistrall", "robera", "lama", "instrcut"];
    const before = typos.map(matchOf);
    for (const [n, docs] of before.entries()) assert.equal(docs.length, 60, `${typos[n]} before`);
    // Each typo-tolerant word looks up hundreds of variants: enough rounds to make the filter.
    for (let round = 0; round < 20; round++) for (const typo of typos) matchOf(typo);
    assert.deepEqual(typos.map(matchOf), before);
    // Every dictionary term is still found exactly (no false "no such term").
    for (const term of index.sortedTerms.slice(0, 800)) assert.ok(matchOf(term).length > 0, term);
    assert.deepEqual(matchOf("zzzzqqqqxx"), []);
  });
});

describe("the dictionary sorted a slice at a time", () => {
  it("orders terms as the built-in sort does, across runs that are merged, yielding between slices", async () => {
    const random = seededRandom(11);
    const alphabet = ["a", "b", "z", "A", "0", "é", "ß", "中", "\u{1F600}", "-", "_", " "];
    const terms = new Set<string>(["", "a", "aa", "ab", "b", "é", "e\u0301"]);
    while (terms.size < 300_000) {
      const length = 1 + Math.floor(random() * 8);
      terms.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(""));
    }
    const list = [...terms];
    let turns = 0;
    const sorted = await sortInTurns(list, async () => {
      turns++;
    });
    assert.deepEqual(sorted, [...list].sort());
    assert.ok(turns > 4, `the work was cut into slices: ${turns}`);
    assert.deepEqual(await sortInTurns([]), []);
  });
});
