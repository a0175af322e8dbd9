import type { MultiValueColumn } from "./index-columns.ts";
import { DIM } from "./plan.ts";
import type { SearchIndex } from "./search-index.ts";
import type { ValueCombos } from "./value-combos.ts";
import { COMMERCIAL_VALUES, PARAMETER_BUCKETS, SCAN_STATUSES, STORAGE_BUCKETS } from "./vocabulary.ts";

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
export function countOne(index: SearchIndex, counts: FacetArrays, dimension: number, doc: number): void {
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

// One loop per column type: each stays monomorphic.
function countBy8(values: Uint32Array, column: Uint8Array, docs: Uint32Array, count: number): void {
  for (let at = 0; at < count; at++) values[column[docs[at]!]!]!++;
}

function countBy16(values: Uint32Array, column: Uint16Array, docs: Uint32Array, count: number): void {
  for (let at = 0; at < count; at++) values[column[docs[at]!]!]!++;
}

function countBy32(values: Uint32Array, column: Uint32Array, docs: Uint32Array, count: number): void {
  for (let at = 0; at < count; at++) values[column[docs[at]!]!]!++;
}

function countMulti(
  values: Uint32Array,
  column: MultiValueColumn,
  patched: Uint8Array,
  docs: Uint32Array,
  count: number,
): void {
  const { offsets, values: ids } = column;
  for (let at = 0; at < count; at++) {
    const doc = docs[at]!;
    if (patched[doc] === 1) countValues(column, values, doc, true);
    else for (let k = offsets[doc]!, end = offsets[doc + 1]!; k < end; k++) values[ids[k]!]!++;
  }
}

/** One dimension's counts over `docs[0..count)`: the documents that fail only that dimension's filter. */
export function countDimension(
  index: SearchIndex,
  counts: FacetArrays,
  dimension: number,
  docs: Uint32Array,
  count: number,
): void {
  switch (dimension) {
    case DIM.task:
      countBy16(counts.task, index.task, docs, count);
      return;
    case DIM.library:
      countBy16(counts.library, index.library, docs, count);
      return;
    case DIM.license:
      countBy16(counts.license, index.license, docs, count);
      return;
    case DIM.author:
      countBy32(counts.author, index.author, docs, count);
      return;
    case DIM.parameters:
      countBy8(counts.parameters, index.parameterBucket, docs, count);
      return;
    case DIM.storage:
      countBy8(counts.storage, index.storageBucket, docs, count);
      return;
    case DIM.gated:
      countBy8(counts.gated, index.gated, docs, count);
      return;
    case DIM.runsLocally:
      countBy8(counts.runsLocally, index.runsLocally, docs, count);
      return;
    case DIM.scan:
      countBy8(counts.scan, index.scanStatus, docs, count);
      return;
    case DIM.language:
      countMulti(counts.language, index.languages, index.patched, docs, count);
      return;
    case DIM.baseModel:
      countMulti(counts.baseModel, index.baseModels, index.patched, docs, count);
      return;
    case DIM.dataset:
      countMulti(counts.dataset, index.datasets, index.patched, docs, count);
      return;
    default:
      for (let at = 0; at < count; at++) countOne(index, counts, dimension, docs[at]!);
  }
}

/**
 * Every dimension's counts, and the evaluation figures, over `docs[0..count)`: the documents that pass every
 * filter. Many documents are counted by their combination of small-dimension values (value-combos.ts).
 */
export function countDocs(index: SearchIndex, counts: FacetArrays, docs: Uint32Array, count: number): void {
  // Below a combination count's worth of documents, the final pass over the combinations costs more.
  const combos = count >= 4096 ? index.valueCombos() : null;
  if (combos !== null && count * 8 >= combos.size) countByCombo(index, combos, counts, docs, count);
  else countEach(index, counts, docs, count);
}

/**
 * Counts by combination: one increment for the small dimensions, then author, base models, datasets and the
 * evaluation figures per document; documents changed since the build are counted one by one.
 */
function countByCombo(
  index: SearchIndex,
  combos: ValueCombos,
  counts: FacetArrays,
  docs: Uint32Array,
  count: number,
): void {
  const perCombo = new Uint32Array(combos.size);
  const comboOf = combos.comboOf;
  const built = comboOf.length;
  const cAuthor = counts.author;
  const cBase = counts.baseModel;
  const cDataset = counts.dataset;
  const histogram = counts.qualityHistogram;
  const { author, patched, evalCount, evalMean } = index;
  const baseOffsets = index.baseModels.offsets;
  const baseValues = index.baseModels.values;
  const datasetOffsets = index.datasets.offsets;
  const datasetValues = index.datasets.values;
  const changed: number[] = [];
  let withEvaluations = 0;
  for (let at = 0; at < count; at++) {
    const doc = docs[at]!;
    if (doc >= built || patched[doc] === 1) {
      changed.push(doc);
      continue;
    }
    perCombo[comboOf[doc]!]!++;
    cAuthor[author[doc]!]!++;
    for (let k = baseOffsets[doc]!, end = baseOffsets[doc + 1]!; k < end; k++) cBase[baseValues[k]!]!++;
    for (let k = datasetOffsets[doc]!, end = datasetOffsets[doc + 1]!; k < end; k++)
      cDataset[datasetValues[k]!]!++;
    if (evalCount[doc]! > 0) {
      withEvaluations++;
      const mean = evalMean[doc]!;
      if (!Number.isNaN(mean)) histogram[Math.min(9, Math.floor(mean * 10))]!++;
    }
  }
  counts.withEvaluations += withEvaluations;
  combos.addTo(index, perCombo, counts);
  if (changed.length > 0) countEach(index, counts, Uint32Array.from(changed), changed.length);
}

/** Every dimension's counts, document by document: one loop with every column in a local. */
function countEach(index: SearchIndex, counts: FacetArrays, docs: Uint32Array, count: number): void {
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
    author,
    patched,
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
  for (let at = 0; at < count; at++) {
    const doc = docs[at]!;
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
  counts.withEvaluations += withEvaluations;
}
