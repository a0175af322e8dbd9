import {
  andInto,
  type BitsetDimension,
  bitsInRange,
  bitsWithAll,
  bitsWithAny,
  collect,
  countOf,
  countShared,
  unionOf,
  wordCount,
} from "./doc-bitsets.ts";
import {
  addFacetArrays,
  countDimension,
  countDocs,
  emptyFacetArrays,
  type FacetArrays,
} from "./facet-counts.ts";
import { DIM, type FilterPlan, hasFacetFilter } from "./plan.ts";
import { scan } from "./scan.ts";
import type { PostingDimension, SearchIndex } from "./search-index.ts";
import { PARAMETER_BUCKETS, STORAGE_BUCKETS } from "./vocabulary.ts";

/** The built documents passing one filter; `dimension` is the facet it belongs to (-1: tags, no facet). */
interface PassSet {
  dimension: number;
  bits: Uint32Array;
}

/**
 * The documents allowed by a filter over a dictionary dimension: the union of its values' bitsets when the
 * dimension is small, else of its values' postings.
 */
function allowedSet(
  index: SearchIndex,
  bitsetDimension: BitsetDimension,
  postingDimension: PostingDimension | null,
  allowed: Uint8Array,
): Uint32Array {
  const bitsets = index.docBitsets();
  const values = bitsets.values(bitsetDimension);
  if (values !== null) return unionOf(values, allowed, bitsets.words);
  const bits = new Uint32Array(bitsets.words);
  if (postingDimension === null) throw new Error(`No postings for ${bitsetDimension}`);
  const { offsets, docs } = index.postings(postingDimension);
  const last = Math.min(allowed.length, offsets.length - 1);
  for (let value = 0; value < last; value++) {
    if (allowed[value] !== 1) continue;
    for (let at = offsets[value]!; at < offsets[value + 1]!; at++) {
      const doc = docs[at]!;
      bits[doc >>> 5]! |= 1 << (doc & 31);
    }
  }
  return bits;
}

/** A lookup by value id of a derived dimension (modality by task, commercial use by licence). */
function through(derivedOf: Uint8Array, allowed: Uint8Array): Uint8Array {
  const byValue = new Uint8Array(derivedOf.length);
  for (let id = 0; id < byValue.length; id++) byValue[id] = allowed[derivedOf[id]!] === 1 ? 1 : 0;
  return byValue;
}

/** Every filter of a plan as the set of built documents it allows. */
function passSets(index: SearchIndex, plan: FilterPlan): PassSet[] {
  const count = index.builtCount;
  const sets: PassSet[] = [];
  const add = (dimension: number, bits: Uint32Array): void => {
    sets.push({ dimension, bits });
  };
  if (plan.allowTask !== null) add(DIM.task, allowedSet(index, "task", "task", plan.allowTask));
  if (plan.allowModality !== null) {
    add(DIM.modality, allowedSet(index, "task", "task", through(index.modalityOfTaskId, plan.allowModality)));
  }
  if (plan.allowLibrary !== null)
    add(DIM.library, allowedSet(index, "library", "library", plan.allowLibrary));
  if (plan.allowLicense !== null)
    add(DIM.license, allowedSet(index, "license", "license", plan.allowLicense));
  if (plan.allowCommercial !== null) {
    const byLicense = through(index.commercialOfLicenseId, plan.allowCommercial);
    add(DIM.commercial, allowedSet(index, "license", "license", byLicense));
  }
  if (plan.allowAuthor !== null) {
    const { offsets, docs } = index.postings("author");
    const bits = new Uint32Array(wordCount(count));
    const last = Math.min(plan.allowAuthor.length, offsets.length - 1);
    for (let value = 0; value < last; value++) {
      if (plan.allowAuthor[value] !== 1) continue;
      for (let at = offsets[value]!; at < offsets[value + 1]!; at++) {
        const doc = docs[at]!;
        bits[doc >>> 5]! |= 1 << (doc & 31);
      }
    }
    add(DIM.author, bits);
  }
  if (plan.allowLanguage !== null)
    add(DIM.language, allowedSet(index, "language", "language", plan.allowLanguage));
  if (plan.allowScan !== null) add(DIM.scan, allowedSet(index, "scan", null, plan.allowScan));
  if (plan.gated >= 0) {
    // gated holds 0 (not gated), 1 (auto), 2 (manual).
    const allowed = plan.gated === 1 ? Uint8Array.of(0, 1, 1) : Uint8Array.of(1, 0, 0);
    add(DIM.gated, allowedSet(index, "gated", null, allowed));
  }
  if (plan.runsLocally >= 0) {
    const allowed = plan.runsLocally === 1 ? Uint8Array.of(0, 1) : Uint8Array.of(1, 0);
    add(DIM.runsLocally, allowedSet(index, "runsLocally", null, allowed));
  }
  if (plan.parameterRange !== null) {
    const [low, high] = plan.parameterRange;
    const buckets = index.docBitsets().values("parameterBucket")!;
    add(DIM.parameters, bitsInRange(index.parameters, PARAMETER_BUCKETS, buckets, low, high));
  }
  if (plan.storageRange !== null) {
    const [low, high] = plan.storageRange;
    const buckets = index.docBitsets().values("storageBucket")!;
    add(DIM.storage, bitsInRange(index.storageBytes, STORAGE_BUCKETS, buckets, low, high));
  }
  if (plan.allowBase !== null) add(DIM.baseModel, bitsWithAny(index.baseModels, plan.allowBase, count));
  if (plan.allowDataset !== null) add(DIM.dataset, bitsWithAny(index.datasets, plan.allowDataset, count));
  if (plan.impossibleTags) add(-1, new Uint32Array(wordCount(count)));
  else if (plan.requiredTags.length > 0) add(-1, bitsWithAll(index.tags, plan.requiredTags, count));
  return sets;
}

function isUnfiltered(plan: FilterPlan): boolean {
  return !hasFacetFilter(plan) && plan.requiredTags.length === 0 && !plan.impossibleTags;
}

/** Counts over every visible document: the cached public counts plus the caller's visible private ones. */
function wholeCatalog(
  index: SearchIndex,
  plan: FilterPlan,
  withCounts: boolean,
): { total: number; counts: FacetArrays | null } {
  const base = index.baseCounts();
  let total = base.total;
  let counts = withCounts ? base.counts : null;
  if (index.privateDocs.size > 0) {
    const privateDocs = Uint32Array.from(index.privateDocs);
    const own = scan(
      index,
      plan,
      privateDocs,
      privateDocs.length,
      withCounts,
      new Uint32Array(privateDocs.length),
    );
    total += own.total;
    if (own.total > 0 && counts !== null && own.counts !== null) {
      const merged = emptyFacetArrays(index);
      addFacetArrays(merged, counts);
      addFacetArrays(merged, own.counts);
      counts = merged;
    }
  }
  return { total, counts };
}

const FACET_KEYS: Record<number, keyof FacetArrays> = {
  [DIM.task]: "task",
  [DIM.modality]: "modality",
  [DIM.library]: "library",
  [DIM.license]: "license",
  [DIM.author]: "author",
  [DIM.language]: "language",
  [DIM.commercial]: "commercial",
  [DIM.parameters]: "parameters",
  [DIM.storage]: "storage",
  [DIM.gated]: "gated",
  [DIM.runsLocally]: "runsLocally",
  [DIM.scan]: "scan",
  [DIM.baseModel]: "baseModel",
  [DIM.dataset]: "dataset",
};

/** The single-valued dimensions with per-value bitsets, and how a value id maps to the facet's (if it does). */
const COUNTED_BY_SETS: Record<number, { dimension: BitsetDimension; derived?: "modality" | "commercial" }> = {
  [DIM.task]: { dimension: "task" },
  [DIM.modality]: { dimension: "task", derived: "modality" },
  [DIM.library]: { dimension: "library" },
  [DIM.license]: { dimension: "license" },
  [DIM.commercial]: { dimension: "license", derived: "commercial" },
  [DIM.gated]: { dimension: "gated" },
  [DIM.runsLocally]: { dimension: "runsLocally" },
  [DIM.scan]: { dimension: "scan" },
  [DIM.parameters]: { dimension: "parameterBucket" },
  [DIM.storage]: { dimension: "storageBucket" },
};

/**
 * One small dimension's counts over a bitset of documents (not changed since the build): per value, the
 * documents it shares with that value's bitset, 32 at a step. Cheaper than visiting the documents one by one
 * once they outnumber a few times the dimension's values times the bitset's words; false when it is not.
 */
function countBySets(index: SearchIndex, counts: FacetArrays, dimension: number, docs: Uint32Array): boolean {
  const counted = COUNTED_BY_SETS[dimension];
  if (counted === undefined) return false;
  const sets = index.docBitsets().values(counted.dimension);
  if (sets === null || countOf(docs) < sets.length * docs.length * 0.25) return false;
  const target = counts[FACET_KEYS[dimension]!] as Uint32Array;
  const derivedOf =
    counted.derived === "modality"
      ? index.modalityOfTaskId
      : counted.derived === "commercial"
        ? index.commercialOfLicenseId
        : null;
  for (let id = 0; id < sets.length; id++) {
    const shared = countShared(docs, sets[id]!);
    if (shared > 0) target[derivedOf === null ? id : derivedOf[id]!]! += shared;
  }
  return true;
}

/** The plan without the filter of one facet dimension. */
function without(plan: FilterPlan, dimension: number): FilterPlan {
  const rest = { ...plan };
  switch (dimension) {
    case DIM.task:
      rest.allowTask = null;
      break;
    case DIM.modality:
      rest.allowModality = null;
      break;
    case DIM.library:
      rest.allowLibrary = null;
      break;
    case DIM.license:
      rest.allowLicense = null;
      break;
    case DIM.commercial:
      rest.allowCommercial = null;
      break;
    case DIM.author:
      rest.allowAuthor = null;
      break;
    case DIM.language:
      rest.allowLanguage = null;
      break;
    case DIM.scan:
      rest.allowScan = null;
      break;
    case DIM.gated:
      rest.gated = -1;
      break;
    case DIM.runsLocally:
      rest.runsLocally = -1;
      break;
    case DIM.parameters:
      rest.parameterRange = null;
      break;
    case DIM.storage:
      rest.storageRange = null;
      break;
    case DIM.baseModel:
      rest.allowBase = null;
      break;
    case DIM.dataset:
      rest.allowDataset = null;
      break;
  }
  return rest;
}

/** Documents the bitsets leave out (changed since the build, or private), to be judged one by one. */
function outsideBitsets(index: SearchIndex): Uint32Array {
  const docs = new Set(index.patchedList);
  for (const doc of index.privateDocs) docs.add(doc);
  return Uint32Array.from(docs);
}

/**
 * Filters and facet counts without a text query. Each filter becomes the set of documents it allows (a
 * bitset: the union of per-value bitsets, or built from a column), the matches are their intersection,
 * and a filter's own dimension is counted disjunctively over the documents that fail that filter only (the
 * intersection of all the others minus its own), or, when it is the only filter, from the cached
 * whole-catalog counts. Documents outside the bitsets (changed since the build, private) are judged one by
 * one. Returns the matching documents (in `buffer`), the total and, when `withCounts`, the counts.
 */
export function facetScan(
  index: SearchIndex,
  plan: FilterPlan,
  withCounts: boolean,
  buffer: Uint32Array,
): { results: Uint32Array | null; total: number; counts: FacetArrays | null } {
  if (isUnfiltered(plan)) return { results: null, ...wholeCatalog(index, plan, withCounts) };
  const sets = passSets(index, plan);
  const plain = index.docBitsets().plain();
  const matching = plain.slice();
  for (const set of sets) andInto(matching, set.bits);
  let total = collect(matching, buffer, 0);
  const counts = withCounts ? emptyFacetArrays(index) : null;
  // Dimensions whose disjunctive counts cover every visible document: taken from the whole catalog.
  const fromWholeCatalog: number[] = [];
  if (counts !== null) {
    countDocs(index, counts, buffer, total);
    const failing = index.scratchBuffer();
    for (const own of sets) {
      if (own.dimension < 0) continue;
      if (sets.length === 1) {
        fromWholeCatalog.push(own.dimension);
        continue;
      }
      const fails = plain.slice();
      for (let word = 0; word < fails.length; word++) fails[word]! &= ~own.bits[word]!;
      for (const other of sets) if (other !== own) andInto(fails, other.bits);
      if (!countBySets(index, counts, own.dimension, fails)) {
        countDimension(index, counts, own.dimension, failing, collect(fails, failing, 0));
      }
    }
  }
  const outside = outsideBitsets(index);
  if (outside.length > 0) {
    const judged = scan(index, plan, outside, outside.length, withCounts, new Uint32Array(outside.length));
    buffer.set(judged.results.subarray(0, judged.total), total);
    total += judged.total;
    if (counts !== null && judged.counts !== null) addFacetArrays(counts, judged.counts);
  }
  for (const dimension of fromWholeCatalog) {
    const key = FACET_KEYS[dimension]!;
    const whole = wholeCatalog(index, without(plan, dimension), true).counts!;
    (counts as unknown as Record<string, unknown>)[key] = (whole[key] as Uint32Array).slice();
  }
  return { results: buffer, total, counts };
}
