import type { SearchIndex } from "./search-index.ts";
import { COMMERCIAL_VALUES, PARAMETER_BUCKETS, SCAN_STATUSES, STORAGE_BUCKETS } from "./vocabulary.ts";

/** Dimension numbers, as a failed filter reports them. */
export const DIM = {
  task: 0,
  modality: 1,
  library: 2,
  language: 3,
  license: 4,
  commercial: 5,
  author: 6,
  parameters: 7,
  storage: 8,
  gated: 9,
  runsLocally: 10,
  scan: 11,
  baseModel: 12,
  dataset: 13,
} as const;

/** A query's filters compiled to lookups: for each dictionary dimension, which value ids pass. */
export interface FilterPlan {
  allowTask: Uint8Array | null;
  allowModality: Uint8Array | null;
  allowLibrary: Uint8Array | null;
  allowLicense: Uint8Array | null;
  allowCommercial: Uint8Array | null;
  allowAuthor: Uint8Array | null;
  allowLanguage: Uint8Array | null;
  allowDataset: Uint8Array | null;
  allowBase: Uint8Array | null;
  allowScan: Uint8Array | null;
  /** -1: no filter; 0 / 1: not gated / gated. */
  gated: number;
  runsLocally: number;
  parameterRange: [number, number] | null;
  storageRange: [number, number] | null;
  /** Tag ids that must all be present (the Hub's `filter`); `impossibleTags` when one is unknown. */
  requiredTags: number[];
  impossibleTags: boolean;
  seeAll: boolean;
  visibleAuthors: Uint8Array;
}

/** Whether a plan has any facet filter (tags and visibility are not facets). */
export function hasFacetFilter(plan: FilterPlan): boolean {
  return (
    plan.allowTask !== null ||
    plan.allowModality !== null ||
    plan.allowLibrary !== null ||
    plan.allowLicense !== null ||
    plan.allowCommercial !== null ||
    plan.allowAuthor !== null ||
    plan.allowLanguage !== null ||
    plan.allowDataset !== null ||
    plan.allowBase !== null ||
    plan.allowScan !== null ||
    plan.gated >= 0 ||
    plan.runsLocally >= 0 ||
    plan.parameterRange !== null ||
    plan.storageRange !== null
  );
}

/** Facet counts by dimension, as arrays indexed by value id (or bucket). */
export interface FacetArrays {
  task: Uint32Array;
  modality: Uint32Array;
  library: Uint32Array;
  language: Uint32Array;
  license: Uint32Array;
  commercial: Uint32Array;
  author: Uint32Array;
  parameters: Uint32Array;
  storage: Uint32Array;
  gated: Uint32Array;
  runsLocally: Uint32Array;
  scan: Uint32Array;
  baseModel: Uint32Array;
  dataset: Uint32Array;
  /** Results with evaluation results, and their normalised mean in ten bins. */
  withEvaluations: number;
  qualityHistogram: Uint32Array;
}

export function emptyFacetArrays(index: SearchIndex): FacetArrays {
  return {
    task: new Uint32Array(index.tasks.size),
    modality: new Uint32Array(256),
    library: new Uint32Array(index.libraries.size),
    language: new Uint32Array(index.languages.dictionary.size),
    license: new Uint32Array(index.licenses.size),
    commercial: new Uint32Array(COMMERCIAL_VALUES.length),
    author: new Uint32Array(index.authors.size),
    parameters: new Uint32Array(PARAMETER_BUCKETS.length + 1),
    storage: new Uint32Array(STORAGE_BUCKETS.length + 1),
    gated: new Uint32Array(3),
    runsLocally: new Uint32Array(2),
    scan: new Uint32Array(SCAN_STATUSES.length),
    baseModel: new Uint32Array(index.baseModels.dictionary.size),
    dataset: new Uint32Array(index.datasets.dictionary.size),
    withEvaluations: 0,
    qualityHistogram: new Uint32Array(10),
  };
}

export function addFacetArrays(target: FacetArrays, source: FacetArrays): void {
  for (const key of Object.keys(target) as Array<keyof FacetArrays>) {
    const into = target[key];
    const from = source[key];
    if (into instanceof Uint32Array && from instanceof Uint32Array) {
      for (let at = 0; at < Math.min(into.length, from.length); at++) into[at]! += from[at]!;
    }
  }
  target.withEvaluations += source.withEvaluations;
}

function hasAny(allowed: Uint8Array, values: Uint32Array, from: number, to: number): boolean {
  for (let at = from; at < to; at++) if (allowed[values[at]!] === 1) return true;
  return false;
}

function hasAnyOverride(allowed: Uint8Array, values: Uint32Array | undefined): boolean {
  if (!values) return false;
  for (let at = 0; at < values.length; at++) if (allowed[values[at]!] === 1) return true;
  return false;
}

/**
 * -2: the document is out (removed, not visible, missing a required tag); -1: it passes every filter;
 * 0..13: it fails exactly that dimension; 99: it fails two or more.
 */
export function classify(index: SearchIndex, plan: FilterPlan, doc: number): number {
  if (index.removed[doc] === 1) return -2;
  if (index.isPrivate[doc] === 1 && !plan.seeAll && plan.visibleAuthors[index.author[doc]!] !== 1) return -2;
  const patched = index.patched[doc] === 1;
  if (plan.requiredTags.length > 0) {
    if (plan.impossibleTags) return -2;
    const values = index.tags.of(doc, patched);
    for (const id of plan.requiredTags) if (!values.includes(id)) return -2;
  }
  let failed = -1;
  let fails = 0;
  const task = index.task[doc]!;
  if (plan.allowTask !== null && plan.allowTask[task] !== 1) {
    fails++;
    failed = DIM.task;
  }
  if (plan.allowModality !== null && plan.allowModality[index.modalityOfTaskId[task]!] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.modality;
  }
  if (plan.allowLibrary !== null && plan.allowLibrary[index.library[doc]!] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.library;
  }
  const license = index.license[doc]!;
  if (plan.allowLicense !== null && plan.allowLicense[license] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.license;
  }
  if (plan.allowCommercial !== null && plan.allowCommercial[index.commercialOfLicenseId[license]!] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.commercial;
  }
  if (plan.allowAuthor !== null && plan.allowAuthor[index.author[doc]!] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.author;
  }
  const parameterRange = plan.parameterRange;
  if (parameterRange !== null) {
    const value = index.parameters[doc]!;
    if (!(value >= parameterRange[0] && value <= parameterRange[1])) {
      if (++fails > 1) return 99;
      failed = DIM.parameters;
    }
  }
  const storageRange = plan.storageRange;
  if (storageRange !== null) {
    const value = index.storageBytes[doc]!;
    if (!(value >= storageRange[0] && value <= storageRange[1])) {
      if (++fails > 1) return 99;
      failed = DIM.storage;
    }
  }
  if (plan.gated >= 0 && (index.gated[doc]! > 0 ? 1 : 0) !== plan.gated) {
    if (++fails > 1) return 99;
    failed = DIM.gated;
  }
  if (plan.runsLocally >= 0 && index.runsLocally[doc] !== plan.runsLocally) {
    if (++fails > 1) return 99;
    failed = DIM.runsLocally;
  }
  if (plan.allowScan !== null && plan.allowScan[index.scanStatus[doc]!] !== 1) {
    if (++fails > 1) return 99;
    failed = DIM.scan;
  }
  if (plan.allowLanguage !== null) {
    const column = index.languages;
    const ok = patched
      ? hasAnyOverride(plan.allowLanguage, column.overrides.get(doc))
      : hasAny(plan.allowLanguage, column.values, column.offsets[doc]!, column.offsets[doc + 1]!);
    if (!ok) {
      if (++fails > 1) return 99;
      failed = DIM.language;
    }
  }
  if (plan.allowBase !== null) {
    const column = index.baseModels;
    const ok = patched
      ? hasAnyOverride(plan.allowBase, column.overrides.get(doc))
      : hasAny(plan.allowBase, column.values, column.offsets[doc]!, column.offsets[doc + 1]!);
    if (!ok) {
      if (++fails > 1) return 99;
      failed = DIM.baseModel;
    }
  }
  if (plan.allowDataset !== null) {
    const column = index.datasets;
    const ok = patched
      ? hasAnyOverride(plan.allowDataset, column.overrides.get(doc))
      : hasAny(plan.allowDataset, column.values, column.offsets[doc]!, column.offsets[doc + 1]!);
    if (!ok) {
      if (++fails > 1) return 99;
      failed = DIM.dataset;
    }
  }
  return failed;
}

/** One failed dimension's count for a document (disjunctive facets). */
function countOne(index: SearchIndex, counts: FacetArrays, dimension: number, doc: number): void {
  const patched = index.patched[doc] === 1;
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
      for (const id of index.languages.of(doc, patched)) counts.language[id]!++;
      return;
    case DIM.baseModel:
      for (const id of index.baseModels.of(doc, patched)) counts.baseModel[id]!++;
      return;
    case DIM.dataset:
      for (const id of index.datasets.of(doc, patched)) counts.dataset[id]!++;
      return;
  }
}

export interface ScanResult {
  /** Documents passing every filter, in universe order. */
  results: Uint32Array;
  total: number;
  counts: FacetArrays | null;
}

/**
 * One pass over the candidate documents (`universe`, or every document): collects the ones passing every
 * filter and, when `withCounts`, counts facets. The loop reads typed arrays held in locals; the common case
 * (a document passing everything, not changed since the build) takes no function calls.
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
  const filtered = hasFacetFilter(plan) || plan.requiredTags.length > 0;
  const { removed, isPrivate, patched, author } = index;
  const seeAll = plan.seeAll;
  const visibleAuthors = plan.visibleAuthors;
  let total = 0;
  if (counts === null) {
    for (let at = 0; at < universeSize; at++) {
      const doc = universe === null ? at : universe[at]!;
      if (!filtered) {
        if (removed[doc] === 1) continue;
        if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
        results[total++] = doc;
      } else if (classify(index, plan, doc) === -1) results[total++] = doc;
    }
    return { results, total, counts };
  }
  const cTask = counts.task;
  const cModality = counts.modality;
  const cLibrary = counts.library;
  const cLicense = counts.license;
  const cCommercial = counts.commercial;
  const cAuthor = counts.author;
  const cParameters = counts.parameters;
  const cStorage = counts.storage;
  const cGated = counts.gated;
  const cLocal = counts.runsLocally;
  const cScan = counts.scan;
  const cLanguage = counts.language;
  const cBase = counts.baseModel;
  const cDataset = counts.dataset;
  const histogram = counts.qualityHistogram;
  const {
    task,
    library,
    license,
    gated,
    runsLocally,
    scanStatus,
    parameterBucket,
    storageBucket,
    evalCount,
    evalMean,
  } = index;
  const modalityOf = index.modalityOfTaskId;
  const commercialOf = index.commercialOfLicenseId;
  const languageOffsets = index.languages.offsets;
  const languageValues = index.languages.values;
  const baseOffsets = index.baseModels.offsets;
  const baseValues = index.baseModels.values;
  const datasetOffsets = index.datasets.offsets;
  const datasetValues = index.datasets.values;
  let withEvaluations = 0;
  for (let at = 0; at < universeSize; at++) {
    const doc = universe === null ? at : universe[at]!;
    if (filtered) {
      const verdict = classify(index, plan, doc);
      if (verdict === -2 || verdict === 99) continue;
      if (verdict >= 0) {
        countOne(index, counts, verdict, doc);
        continue;
      }
    } else {
      if (removed[doc] === 1) continue;
      if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
    }
    results[total++] = doc;
    const taskId = task[doc]!;
    cTask[taskId]!++;
    cModality[modalityOf[taskId]!]!++;
    cLibrary[library[doc]!]!++;
    const licenseId = license[doc]!;
    cLicense[licenseId]!++;
    cCommercial[commercialOf[licenseId]!]!++;
    cAuthor[author[doc]!]!++;
    cParameters[parameterBucket[doc]!]!++;
    cStorage[storageBucket[doc]!]!++;
    cGated[gated[doc]!]!++;
    cLocal[runsLocally[doc]!]!++;
    cScan[scanStatus[doc]!]!++;
    if (patched[doc] === 1) {
      for (const id of index.languages.of(doc, true)) cLanguage[id]!++;
      for (const id of index.baseModels.of(doc, true)) cBase[id]!++;
      for (const id of index.datasets.of(doc, true)) cDataset[id]!++;
    } else {
      for (let k = languageOffsets[doc]!, end = languageOffsets[doc + 1]!; k < end; k++)
        cLanguage[languageValues[k]!]!++;
      for (let k = baseOffsets[doc]!, end = baseOffsets[doc + 1]!; k < end; k++) cBase[baseValues[k]!]!++;
      for (let k = datasetOffsets[doc]!, end = datasetOffsets[doc + 1]!; k < end; k++)
        cDataset[datasetValues[k]!]!++;
    }
    if (evalCount[doc]! > 0) {
      withEvaluations++;
      const mean = evalMean[doc]!;
      if (!Number.isNaN(mean)) histogram[Math.min(9, Math.floor(mean * 10))]!++;
    }
  }
  counts.withEvaluations = withEvaluations;
  return { results, total, counts };
}
