import { makeClassifier } from "./classify.ts";
import { countDocs, countOne, emptyFacetArrays, type FacetArrays } from "./facet-counts.ts";
import { type FilterPlan, hasFacetFilter } from "./plan.ts";
import type { SearchIndex } from "./search-index.ts";

export interface ScanResult {
  /** Documents passing every filter, in universe order. */
  results: Uint32Array;
  total: number;
  counts: FacetArrays | null;
}

/**
 * One pass over candidate documents (`universe[0..universeSize)`, or every document when null), judged one
 * by one: collects the ones passing every filter into `results` and, when `withCounts`, counts facets
 * (disjunctive: a document failing exactly one filter counts in that filter's dimension only). Filter-only
 * queries over the whole catalog take the bitset path instead (facet-scan.ts).
 */
export function scan(
  index: SearchIndex,
  plan: FilterPlan,
  universe: Uint32Array | null,
  universeSize: number,
  withCounts: boolean,
  results: Uint32Array,
): ScanResult {
  const counts = withCounts ? emptyFacetArrays(index) : null;
  const filtered = hasFacetFilter(plan) || plan.requiredTags.length > 0 || plan.impossibleTags;
  const classify = makeClassifier(index, plan);
  const { removed, isPrivate, author } = index;
  const seeAll = plan.seeAll;
  const visibleAuthors = plan.visibleAuthors;
  let total = 0;
  for (let at = 0; at < universeSize; at++) {
    const doc = universe === null ? at : universe[at]!;
    if (!filtered) {
      if (removed[doc] === 1) continue;
      if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
      results[total++] = doc;
      continue;
    }
    const verdict = classify(doc);
    if (verdict === -1) results[total++] = doc;
    else if (verdict >= 0 && verdict !== 99 && counts !== null) countOne(index, counts, verdict, doc);
  }
  if (counts !== null) countDocs(index, counts, results, total);
  return { results, total, counts };
}
