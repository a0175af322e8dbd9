import { FacetTally } from "./facet-tally.ts";
import { countOne, DIM, emptyFacetArrays, type FacetArrays, type FilterPlan } from "./scan.ts";
import type { SearchIndex } from "./search-index.ts";

/**
 * The counting pass over every document once the filters have been judged a column at a time
 * (`failCount`: how many filters a document fails, `failedDim`: the last one). Collects the documents that
 * pass into `results` (in document order) and counts the facets, disjunctively: a document failing exactly
 * one filter still counts in that filter's own dimension.
 *
 * When the filters keep most of the public catalog, counting what they keep costs more than counting what
 * they reject: the pass then starts from the cached whole-catalog counts and subtracts the public documents
 * that fail (all of their dimensions, but the one dimension whose filter alone they fail). Private documents
 * are not in the cached counts and are always counted directly.
 */
export function countWholeCatalog(
  index: SearchIndex,
  plan: FilterPlan,
  failCount: Uint8Array,
  failedDim: Uint8Array,
  results: Uint32Array,
): { total: number; counts: FacetArrays } {
  const size = index.size;
  const { removed, isPrivate, patched, author } = index;
  const { seeAll, visibleAuthors } = plan;
  const codes = index.facetCodes();
  const add = new FacetTally(index, codes, emptyFacetArrays(index));
  const complement = keepsMost(index, failCount);
  const base = complement ? index.baseCounts().counts : null;
  const subtract = complement ? new FacetTally(index, codes, emptyFacetArrays(index)) : null;
  let total = 0;
  for (let doc = 0; doc < size; doc++) {
    if (removed[doc] === 1) continue;
    const fails = failCount[doc]!;
    if (isPrivate[doc] === 1) {
      if (!seeAll && visibleAuthors[author[doc]!] !== 1) continue;
    } else if (subtract !== null) {
      if (fails === 0) {
        results[total++] = doc;
        continue;
      }
      const isPatched = patched[doc] === 1;
      subtract.all(doc, isPatched);
      if (fails === 1) add.one(failedDim[doc]!, doc, isPatched);
      continue;
    }
    if (fails > 1) continue;
    if (fails === 1) {
      add.one(failedDim[doc]!, doc, patched[doc] === 1);
      continue;
    }
    results[total++] = doc;
    add.all(doc, patched[doc] === 1);
  }
  const counts = emptyFacetArrays(index);
  if (base !== null) addArrays(counts, base);
  add.spreadInto(counts);
  if (subtract !== null) {
    const minus = emptyFacetArrays(index);
    subtract.spreadInto(minus);
    subtractArrays(counts, minus);
  }
  return { total, counts };
}

/** Built on first use: scan.ts (DIM) and this module import each other. */
const keyOf = (dimension: number): keyof FacetArrays =>
  ({
    [DIM.task]: "task",
    [DIM.modality]: "modality",
    [DIM.library]: "library",
    [DIM.language]: "language",
    [DIM.license]: "license",
    [DIM.commercial]: "commercial",
    [DIM.author]: "author",
    [DIM.parameters]: "parameters",
    [DIM.storage]: "storage",
    [DIM.gated]: "gated",
    [DIM.runsLocally]: "runsLocally",
    [DIM.scan]: "scan",
    [DIM.baseModel]: "baseModel",
    [DIM.dataset]: "dataset",
  })[dimension] as keyof FacetArrays;

/**
 * One dimension's counts over the documents passing every filter (a driver's own disjunctive facet), into
 * `counts`; the passing documents go to `results`. When the filters keep most of the public catalog, the
 * dimension's cached whole-catalog counts minus the public documents they reject (complement counting).
 */
export function countOneDimensionWhole(
  index: SearchIndex,
  plan: FilterPlan,
  failCount: Uint8Array,
  results: Uint32Array,
  counts: FacetArrays,
  dimension: number,
): number {
  const size = index.size;
  const { removed, isPrivate, author } = index;
  const { seeAll, visibleAuthors } = plan;
  const complement = keepsMost(index, failCount);
  const minus = complement ? emptyFacetArrays(index) : null;
  let total = 0;
  for (let doc = 0; doc < size; doc++) {
    if (removed[doc] === 1) continue;
    const fails = failCount[doc]!;
    if (isPrivate[doc] === 1) {
      if (!seeAll && visibleAuthors[author[doc]!] !== 1) continue;
    } else if (minus !== null) {
      if (fails === 0) results[total++] = doc;
      else countOne(index, minus, dimension, doc);
      continue;
    }
    if (fails !== 0) continue;
    results[total++] = doc;
    countOne(index, counts, dimension, doc);
  }
  if (minus !== null) {
    const key = keyOf(dimension);
    const into = counts[key] as Uint32Array;
    const base = index.baseCounts().counts[key] as Uint32Array;
    const removedCounts = minus[key] as Uint32Array;
    for (let at = 0; at < into.length; at++) into[at]! += (base[at] ?? 0) - removedCounts[at]!;
  }
  return total;
}

/** Whether more public documents pass every filter than fail one. */
function keepsMost(index: SearchIndex, failCount: Uint8Array): boolean {
  const { removed, isPrivate } = index;
  let kept = 0;
  let rejected = 0;
  for (let doc = 0; doc < index.size; doc++) {
    if (removed[doc] === 1 || isPrivate[doc] === 1) continue;
    if (failCount[doc] === 0) kept++;
    else rejected++;
  }
  return kept > rejected;
}

function addArrays(target: FacetArrays, source: FacetArrays): void {
  for (const key of Object.keys(target) as Array<keyof FacetArrays>) {
    const into = target[key];
    const from = source[key];
    if (into instanceof Uint32Array && from instanceof Uint32Array) {
      for (let at = 0; at < Math.min(into.length, from.length); at++) into[at]! += from[at]!;
    }
  }
  target.withEvaluations += source.withEvaluations;
}

function subtractArrays(target: FacetArrays, source: FacetArrays): void {
  for (const key of Object.keys(target) as Array<keyof FacetArrays>) {
    const into = target[key];
    const from = source[key];
    if (into instanceof Uint32Array && from instanceof Uint32Array) {
      for (let at = 0; at < Math.min(into.length, from.length); at++) into[at]! -= from[at]!;
    }
  }
  target.withEvaluations -= source.withEvaluations;
}
