import { DIM, type FacetArrays } from "./scan.ts";
import type { SearchIndex } from "./search-index.ts";
import { PARAMETER_BUCKETS, SCAN_STATUSES, STORAGE_BUCKETS } from "./vocabulary.ts";

const PARAMETER_SLOTS = PARAMETER_BUCKETS.length + 1;
const STORAGE_SLOTS = STORAGE_BUCKETS.length + 1;
const SCAN_SLOTS = SCAN_STATUSES.length;
/** gated (3 values) x runs locally (2) x scan status x parameter bucket x storage bucket. */
const SMALL_SLOTS = 3 * 2 * SCAN_SLOTS * PARAMETER_SLOTS * STORAGE_SLOTS;
/** Above this many task x licence pairs the pair column is not worth it: counted dimension by dimension. */
const MAX_PAIRS = 1 << 16;

/**
 * Per-document codes that fold several facet dimensions into one counter: the (task, licence) pair (which
 * also gives the modality and the commercial use) and the small dimensions (gated, runs locally, scan status,
 * parameter and storage buckets). Counting a document is then two increments instead of nine; the pair
 * counters are spread back into the dimensions once per query. Derived from the single-valued columns (kept
 * current for changed documents too) and dropped by the index whenever documents change.
 */
export interface FacetCodes {
  size: number;
  licenseCount: number;
  taskCount: number;
  /** task * licenseCount + licence, or null when there are too many pairs. */
  pair: Uint32Array | null;
  small: Uint16Array;
}

export function computeFacetCodes(index: SearchIndex): FacetCodes {
  const size = index.size;
  const licenseCount = index.licenses.size;
  const taskCount = index.tasks.size;
  const usePairs = licenseCount * taskCount <= MAX_PAIRS;
  const pair = usePairs ? new Uint32Array(size) : null;
  const small = new Uint16Array(size);
  const { task, license, gated, runsLocally, scanStatus, parameterBucket, storageBucket } = index;
  for (let doc = 0; doc < size; doc++) {
    if (pair !== null) pair[doc] = task[doc]! * licenseCount + license[doc]!;
    small[doc] =
      (((gated[doc]! * 2 + runsLocally[doc]!) * SCAN_SLOTS + scanStatus[doc]!) * PARAMETER_SLOTS +
        parameterBucket[doc]!) *
        STORAGE_SLOTS +
      storageBucket[doc]!;
  }
  return { size, licenseCount, taskCount, pair, small };
}

/**
 * Facet counters for one pass: `all` counts a document in every dimension, `one` in a single dimension (a
 * document failing only that dimension's filter, which disjunctive facets still count there). `spreadInto`
 * adds the result to a `FacetArrays`.
 */
export class FacetTally {
  private readonly pairs: Uint32Array;
  private readonly small: Uint32Array;
  readonly author: Uint32Array;
  readonly language: Uint32Array;
  readonly baseModel: Uint32Array;
  readonly dataset: Uint32Array;
  readonly histogram = new Uint32Array(10);
  withEvaluations = 0;
  /** Single-dimension counts (`one`), in FacetArrays shape. */
  readonly single: FacetArrays;
  private readonly codes: FacetCodes;
  private readonly index: SearchIndex;

  constructor(index: SearchIndex, codes: FacetCodes, single: FacetArrays) {
    this.index = index;
    this.codes = codes;
    this.single = single;
    this.pairs = new Uint32Array(codes.pair === null ? 0 : codes.licenseCount * codes.taskCount);
    this.small = new Uint32Array(SMALL_SLOTS);
    this.author = new Uint32Array(index.authors.size);
    this.language = new Uint32Array(index.languages.dictionary.size);
    this.baseModel = new Uint32Array(index.baseModels.dictionary.size);
    this.dataset = new Uint32Array(index.datasets.dictionary.size);
  }

  /** Counts `doc` in every dimension. */
  all(doc: number, patched: boolean): void {
    const index = this.index;
    const pair = this.codes.pair;
    if (pair !== null) this.pairs[pair[doc]!]!++;
    else {
      const single = this.single;
      const taskId = index.task[doc]!;
      const licenseId = index.license[doc]!;
      single.task[taskId]!++;
      single.modality[index.modalityOfTaskId[taskId]!]!++;
      single.license[licenseId]!++;
      single.commercial[index.commercialOfLicenseId[licenseId]!]!++;
    }
    this.small[this.codes.small[doc]!]!++;
    // The library has too many values to pair: counted on its own.
    this.single.library[index.library[doc]!]!++;
    this.author[index.author[doc]!]!++;
    if (patched) {
      for (const id of index.languages.of(doc, true)) this.language[id]!++;
      for (const id of index.baseModels.of(doc, true)) this.baseModel[id]!++;
      for (const id of index.datasets.of(doc, true)) this.dataset[id]!++;
    } else {
      const languages = index.languages;
      const language = this.language;
      const languageValues = languages.values;
      for (let k = languages.offsets[doc]!, end = languages.offsets[doc + 1]!; k < end; k++) {
        language[languageValues[k]!]!++;
      }
      const bases = index.baseModels;
      const baseModel = this.baseModel;
      const baseValues = bases.values;
      for (let k = bases.offsets[doc]!, end = bases.offsets[doc + 1]!; k < end; k++) {
        baseModel[baseValues[k]!]!++;
      }
      const datasets = index.datasets;
      const dataset = this.dataset;
      const datasetValues = datasets.values;
      for (let k = datasets.offsets[doc]!, end = datasets.offsets[doc + 1]!; k < end; k++) {
        dataset[datasetValues[k]!]!++;
      }
    }
    if (index.evalCount[doc]! > 0) {
      this.withEvaluations++;
      const mean = index.evalMean[doc]!;
      if (!Number.isNaN(mean)) this.histogram[Math.min(9, Math.floor(mean * 10))]!++;
    }
  }

  /** Counts `doc` in one dimension only. */
  one(dimension: number, doc: number, patched: boolean): void {
    const index = this.index;
    const counts = this.single;
    switch (dimension) {
      case DIM.task:
        counts.task[index.task[doc]!]!++;
        return;
      case DIM.modality:
        counts.modality[index.modalityOfTaskId[index.task[doc]!]!]!++;
        return;
      case DIM.library:
        counts.library[index.library[doc]!]!++;
        return;
      case DIM.license:
        counts.license[index.license[doc]!]!++;
        return;
      case DIM.commercial:
        counts.commercial[index.commercialOfLicenseId[index.license[doc]!]!]!++;
        return;
      case DIM.author:
        counts.author[index.author[doc]!]!++;
        return;
      case DIM.parameters:
        counts.parameters[index.parameterBucket[doc]!]!++;
        return;
      case DIM.storage:
        counts.storage[index.storageBucket[doc]!]!++;
        return;
      case DIM.gated:
        counts.gated[index.gated[doc]!]!++;
        return;
      case DIM.runsLocally:
        counts.runsLocally[index.runsLocally[doc]!]!++;
        return;
      case DIM.scan:
        counts.scan[index.scanStatus[doc]!]!++;
        return;
      case DIM.language:
        countValues(index.languages, counts.language, doc, patched);
        return;
      case DIM.baseModel:
        countValues(index.baseModels, counts.baseModel, doc, patched);
        return;
      case DIM.dataset:
        countValues(index.datasets, counts.dataset, doc, patched);
        return;
    }
  }

  /** Adds everything counted to `counts` (which may be `single` itself). */
  spreadInto(counts: FacetArrays): void {
    const index = this.index;
    const { licenseCount } = this.codes;
    const pairs = this.pairs;
    for (let code = 0; code < pairs.length; code++) {
      const count = pairs[code]!;
      if (count === 0) continue;
      const taskId = Math.floor(code / licenseCount);
      const licenseId = code - taskId * licenseCount;
      counts.task[taskId]! += count;
      counts.modality[index.modalityOfTaskId[taskId]!]! += count;
      counts.license[licenseId]! += count;
      counts.commercial[index.commercialOfLicenseId[licenseId]!]! += count;
    }
    const small = this.small;
    for (let code = 0; code < small.length; code++) {
      const count = small[code]!;
      if (count === 0) continue;
      let rest = code;
      const storage = rest % STORAGE_SLOTS;
      rest = (rest - storage) / STORAGE_SLOTS;
      const parameters = rest % PARAMETER_SLOTS;
      rest = (rest - parameters) / PARAMETER_SLOTS;
      const scan = rest % SCAN_SLOTS;
      rest = (rest - scan) / SCAN_SLOTS;
      const local = rest % 2;
      const gated = (rest - local) / 2;
      counts.storage[storage]! += count;
      counts.parameters[parameters]! += count;
      counts.scan[scan]! += count;
      counts.runsLocally[local]! += count;
      counts.gated[gated]! += count;
    }
    addInto(counts.author, this.author);
    addInto(counts.language, this.language);
    addInto(counts.baseModel, this.baseModel);
    addInto(counts.dataset, this.dataset);
    addInto(counts.qualityHistogram, this.histogram);
    counts.withEvaluations += this.withEvaluations;
    if (counts !== this.single) {
      for (const key of Object.keys(counts) as Array<keyof FacetArrays>) {
        const into = counts[key];
        const from = this.single[key];
        if (into instanceof Uint32Array && from instanceof Uint32Array) addInto(into, from);
      }
      counts.withEvaluations += this.single.withEvaluations;
    }
  }
}

function addInto(target: Uint32Array, source: Uint32Array): void {
  const length = Math.min(target.length, source.length);
  for (let at = 0; at < length; at++) target[at]! += source[at]!;
}

function countValues(
  column: SearchIndex["languages"],
  counts: Uint32Array,
  doc: number,
  patched: boolean,
): void {
  if (patched) {
    const values = column.overrides.get(doc);
    if (values) for (let at = 0; at < values.length; at++) counts[values[at]!]!++;
    return;
  }
  const values = column.values;
  const end = column.offsets[doc + 1]!;
  for (let at = column.offsets[doc]!; at < end; at++) counts[values[at]!]!++;
}
