import type { MultiValueColumn } from "./index-columns.ts";
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
 * Compiles a plan into a classifier over documents: -2 when the document is out (removed, not visible,
 * missing a required tag); -1 when it passes every filter; 0..13 when it fails exactly that dimension; 99 when
 * it fails two or more. Every array is captured once, so the per-document work is plain typed-array reads.
 */
export function makeClassifier(index: SearchIndex, plan: FilterPlan): (doc: number) => number {
  const { removed, isPrivate, patched, author, task, library, license, gated, runsLocally, scanStatus } =
    index;
  const parameters = index.parameters;
  const storage = index.storageBytes;
  const modalityOf = index.modalityOfTaskId;
  const commercialOf = index.commercialOfLicenseId;
  const { allowTask, allowModality, allowLibrary, allowLicense, allowCommercial, allowAuthor, allowScan } =
    plan;
  const { allowLanguage, allowBase, allowDataset, requiredTags, impossibleTags, seeAll, visibleAuthors } =
    plan;
  const gatedWanted = plan.gated;
  const localWanted = plan.runsLocally;
  const hasParameters = plan.parameterRange !== null;
  const parameterLow = plan.parameterRange?.[0] ?? 0;
  const parameterHigh = plan.parameterRange?.[1] ?? 0;
  const hasStorage = plan.storageRange !== null;
  const storageLow = plan.storageRange?.[0] ?? 0;
  const storageHigh = plan.storageRange?.[1] ?? 0;
  const languages = index.languages;
  const baseModels = index.baseModels;
  const datasets = index.datasets;
  const multiPasses = (
    column: MultiValueColumn,
    allowed: Uint8Array,
    doc: number,
    isPatched: boolean,
  ): boolean =>
    isPatched
      ? hasAnyOverride(allowed, column.overrides.get(doc))
      : hasAny(allowed, column.values, column.offsets[doc]!, column.offsets[doc + 1]!);
  return (doc: number): number => {
    if (removed[doc] === 1) return -2;
    if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) return -2;
    const isPatched = patched[doc] === 1;
    if (requiredTags.length > 0 || impossibleTags) {
      if (impossibleTags) return -2;
      const values = index.tags.of(doc, isPatched);
      for (const id of requiredTags) if (!values.includes(id)) return -2;
    }
    let failed = -1;
    let fails = 0;
    const taskId = task[doc]!;
    if (allowTask !== null && allowTask[taskId] !== 1) {
      fails++;
      failed = DIM.task;
    }
    if (allowModality !== null && allowModality[modalityOf[taskId]!] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.modality;
    }
    if (allowLibrary !== null && allowLibrary[library[doc]!] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.library;
    }
    const licenseId = license[doc]!;
    if (allowLicense !== null && allowLicense[licenseId] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.license;
    }
    if (allowCommercial !== null && allowCommercial[commercialOf[licenseId]!] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.commercial;
    }
    if (allowAuthor !== null && allowAuthor[author[doc]!] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.author;
    }
    if (hasParameters) {
      const value = parameters[doc]!;
      if (!(value >= parameterLow && value <= parameterHigh)) {
        if (++fails > 1) return 99;
        failed = DIM.parameters;
      }
    }
    if (hasStorage) {
      const value = storage[doc]!;
      if (!(value >= storageLow && value <= storageHigh)) {
        if (++fails > 1) return 99;
        failed = DIM.storage;
      }
    }
    if (gatedWanted >= 0 && (gated[doc]! > 0 ? 1 : 0) !== gatedWanted) {
      if (++fails > 1) return 99;
      failed = DIM.gated;
    }
    if (localWanted >= 0 && runsLocally[doc] !== localWanted) {
      if (++fails > 1) return 99;
      failed = DIM.runsLocally;
    }
    if (allowScan !== null && allowScan[scanStatus[doc]!] !== 1) {
      if (++fails > 1) return 99;
      failed = DIM.scan;
    }
    if (allowLanguage !== null && !multiPasses(languages, allowLanguage, doc, isPatched)) {
      if (++fails > 1) return 99;
      failed = DIM.language;
    }
    if (allowBase !== null && !multiPasses(baseModels, allowBase, doc, isPatched)) {
      if (++fails > 1) return 99;
      failed = DIM.baseModel;
    }
    if (allowDataset !== null && !multiPasses(datasets, allowDataset, doc, isPatched)) {
      if (++fails > 1) return 99;
      failed = DIM.dataset;
    }
    return failed;
  };
}

/** Counts a multi-valued dimension's values of one document (no views allocated for built documents). */
function countValues(column: MultiValueColumn, counts: Uint32Array, doc: number, patched: boolean): void {
  if (patched) {
    const values = column.overrides.get(doc);
    if (values) for (let at = 0; at < values.length; at++) counts[values[at]!]!++;
    return;
  }
  const values = column.values;
  const end = column.offsets[doc + 1]!;
  for (let at = column.offsets[doc]!; at < end; at++) counts[values[at]!]!++;
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

// Module-level loops (not closures made per query): V8 keeps one optimised copy of each, and each sees a
// single typed-array type, so it stays monomorphic.
function failSingle16(marks: Marks, allowed: Uint8Array, column: Uint16Array, dimension: number): void {
  const { failCount, failedDim, size } = marks;
  for (let doc = 0; doc < size; doc++) {
    if (allowed[column[doc]!] !== 1) {
      failCount[doc]!++;
      failedDim[doc] = dimension;
    }
  }
}

function failSingle32(marks: Marks, allowed: Uint8Array, column: Uint32Array, dimension: number): void {
  const { failCount, failedDim, size } = marks;
  for (let doc = 0; doc < size; doc++) {
    if (allowed[column[doc]!] !== 1) {
      failCount[doc]!++;
      failedDim[doc] = dimension;
    }
  }
}

function failSingle8(marks: Marks, allowed: Uint8Array, column: Uint8Array, dimension: number): void {
  const { failCount, failedDim, size } = marks;
  for (let doc = 0; doc < size; doc++) {
    if (allowed[column[doc]!] !== 1) {
      failCount[doc]!++;
      failedDim[doc] = dimension;
    }
  }
}

function failRange(marks: Marks, low: number, high: number, column: Float64Array, dimension: number): void {
  const { failCount, failedDim, size } = marks;
  for (let doc = 0; doc < size; doc++) {
    const value = column[doc]!;
    if (!(value >= low && value <= high)) {
      failCount[doc]!++;
      failedDim[doc] = dimension;
    }
  }
}

function failMulti(
  marks: Marks,
  allowed: Uint8Array,
  column: MultiValueColumn,
  patched: Uint8Array,
  dimension: number,
): void {
  const { failCount, failedDim, size } = marks;
  const offsets = column.offsets;
  const values = column.values;
  const built = Math.min(size, offsets.length - 1);
  for (let doc = 0; doc < size; doc++) {
    let ok = false;
    if (doc < built && patched[doc] !== 1) {
      const end = offsets[doc + 1]!;
      for (let at = offsets[doc]!; at < end; at++) {
        if (allowed[values[at]!] === 1) {
          ok = true;
          break;
        }
      }
    } else ok = hasAnyOverride(allowed, column.overrides.get(doc));
    if (!ok) {
      failCount[doc]!++;
      failedDim[doc] = dimension;
    }
  }
}

interface Marks {
  failCount: Uint8Array;
  failedDim: Uint8Array;
  size: number;
}

/**
 * Filters evaluated a column at a time over every document: one tight loop per active filter marks the
 * documents it fails (how many filters, and the last one failed). Much faster than judging document by
 * document when a query has to look at the whole catalog.
 */
export function columnarVerdicts(
  index: SearchIndex,
  plan: FilterPlan,
): { failCount: Uint8Array; failedDim: Uint8Array } {
  const size = index.size;
  const marks: Marks = { failCount: new Uint8Array(size), failedDim: new Uint8Array(size), size };
  if (plan.allowTask !== null) failSingle16(marks, plan.allowTask, index.task, DIM.task);
  if (plan.allowLibrary !== null) failSingle16(marks, plan.allowLibrary, index.library, DIM.library);
  if (plan.allowLicense !== null) failSingle16(marks, plan.allowLicense, index.license, DIM.license);
  if (plan.allowAuthor !== null) failSingle32(marks, plan.allowAuthor, index.author, DIM.author);
  if (plan.allowScan !== null) failSingle8(marks, plan.allowScan, index.scanStatus, DIM.scan);
  if (plan.allowModality !== null) {
    const byTask = new Uint8Array(index.modalityOfTaskId.length);
    for (let id = 0; id < byTask.length; id++) byTask[id] = plan.allowModality[index.modalityOfTaskId[id]!]!;
    failSingle16(marks, byTask, index.task, DIM.modality);
  }
  if (plan.allowCommercial !== null) {
    const byLicense = new Uint8Array(index.commercialOfLicenseId.length);
    for (let id = 0; id < byLicense.length; id++) {
      byLicense[id] = plan.allowCommercial[index.commercialOfLicenseId[id]!]!;
    }
    failSingle16(marks, byLicense, index.license, DIM.commercial);
  }
  if (plan.parameterRange !== null) {
    failRange(marks, plan.parameterRange[0], plan.parameterRange[1], index.parameters, DIM.parameters);
  }
  if (plan.storageRange !== null) {
    failRange(marks, plan.storageRange[0], plan.storageRange[1], index.storageBytes, DIM.storage);
  }
  if (plan.gated >= 0) {
    // gated holds 0 (not gated), 1 (auto), 2 (manual): allowed by value.
    const allowed = plan.gated === 1 ? Uint8Array.of(0, 1, 1) : Uint8Array.of(1, 0, 0);
    failSingle8(marks, allowed, index.gated, DIM.gated);
  }
  if (plan.runsLocally >= 0) {
    const allowed = plan.runsLocally === 1 ? Uint8Array.of(0, 1) : Uint8Array.of(1, 0);
    failSingle8(marks, allowed, index.runsLocally, DIM.runsLocally);
  }
  if (plan.allowLanguage !== null)
    failMulti(marks, plan.allowLanguage, index.languages, index.patched, DIM.language);
  if (plan.allowBase !== null)
    failMulti(marks, plan.allowBase, index.baseModels, index.patched, DIM.baseModel);
  if (plan.allowDataset !== null)
    failMulti(marks, plan.allowDataset, index.datasets, index.patched, DIM.dataset);
  return { failCount: marks.failCount, failedDim: marks.failedDim };
}

/**
 * A pass that counts one dimension over the documents passing every filter: what a driver's own
 * (disjunctive) facet needs, without the cost of counting every dimension.
 */
function scanOneDimension(
  index: SearchIndex,
  plan: FilterPlan,
  universe: Uint32Array | null,
  universeSize: number,
  counts: FacetArrays,
  results: Uint32Array,
  dimension: number,
): ScanResult {
  const filtered = hasFacetFilter(plan) || plan.requiredTags.length > 0 || plan.impossibleTags;
  const columnar =
    filtered && universe === null && plan.requiredTags.length === 0 && !plan.impossibleTags
      ? columnarVerdicts(index, plan)
      : null;
  const classify = columnar === null && filtered ? makeClassifier(index, plan) : null;
  const { removed, isPrivate, author } = index;
  const failCount = columnar?.failCount ?? null;
  let total = 0;
  for (let at = 0; at < universeSize; at++) {
    const doc = universe === null ? at : universe[at]!;
    if (failCount !== null) {
      if (failCount[doc] !== 0 || removed[doc] === 1) continue;
      if (isPrivate[doc] === 1 && !plan.seeAll && plan.visibleAuthors[author[doc]!] !== 1) continue;
    } else if (classify !== null) {
      if (classify(doc) !== -1) continue;
    } else {
      if (removed[doc] === 1) continue;
      if (isPrivate[doc] === 1 && !plan.seeAll && plan.visibleAuthors[author[doc]!] !== 1) continue;
    }
    results[total++] = doc;
    countOne(index, counts, dimension, doc);
  }
  return { results, total, counts };
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
  onlyDimension = -1,
): ScanResult {
  const counts = withCounts ? emptyFacetArrays(index) : null;
  if (counts !== null && onlyDimension >= 0) {
    return scanOneDimension(index, plan, universe, universeSize, counts, results, onlyDimension);
  }
  const filtered = hasFacetFilter(plan) || plan.requiredTags.length > 0 || plan.impossibleTags;
  const classifyOne = makeClassifier(index, plan);
  // A whole-catalog pass judges the filters column by column first; a candidate list is judged per document.
  const columnar =
    filtered && universe === null && plan.requiredTags.length === 0 && !plan.impossibleTags
      ? columnarVerdicts(index, plan)
      : null;
  const failCount = columnar?.failCount ?? null;
  const failedDim = columnar?.failedDim ?? null;
  const { isPrivate: privateFlags, removed: removedFlags, author: authors } = index;
  const classify = (doc: number): number => {
    if (columnar === null) return classifyOne(doc);
    const fails = columnar.failCount[doc]!;
    if (fails > 1) return 99;
    if (removedFlags[doc] === 1) return -2;
    if (privateFlags[doc] === 1 && !plan.seeAll && plan.visibleAuthors[authors[doc]!] !== 1) return -2;
    return fails === 0 ? -1 : columnar.failedDim[doc]!;
  };
  const { removed, isPrivate, patched, author } = index;
  const seeAll = plan.seeAll;
  const visibleAuthors = plan.visibleAuthors;
  let total = 0;
  if (counts === null) {
    for (let at = 0; at < universeSize; at++) {
      const doc = universe === null ? at : universe[at]!;
      if (failCount !== null) {
        if (failCount[doc] !== 0 || removed[doc] === 1) continue;
        if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
        results[total++] = doc;
      } else if (!filtered) {
        if (removed[doc] === 1) continue;
        if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
        results[total++] = doc;
      } else if (classify(doc) === -1) results[total++] = doc;
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
    if (failCount !== null) {
      const fails = failCount[doc]!;
      if (fails > 1 || removed[doc] === 1) continue;
      if (isPrivate[doc] === 1 && !seeAll && visibleAuthors[author[doc]!] !== 1) continue;
      if (fails === 1) {
        countOne(index, counts, failedDim![doc]!, doc);
        continue;
      }
    } else if (filtered) {
      const verdict = classify(doc);
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
