import type { MultiValueColumn } from "./index-columns.ts";
import { DIM, type FilterPlan } from "./plan.ts";
import type { SearchIndex } from "./search-index.ts";

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
