import type { FacetArrays } from "./facet-counts.ts";
import type { SearchIndex } from "./search-index.ts";
import { PARAMETER_BUCKETS, SCAN_STATUSES, STORAGE_BUCKETS } from "./vocabulary.ts";

/**
 * The built documents grouped by their combination of values in the small dimensions (task, library,
 * licence, gated, runs locally, scan status, parameter and storage buckets, and the set of languages): a
 * million synthetic models hold about 50,000 combinations. Counting facets over many documents then takes
 * one increment per document for all those dimensions (and modality and commercial use, which follow from
 * task and licence), and one pass over the combinations at the end, instead of a dozen increments per
 * document.
 *
 * Derived from the columns on first use and never stored in a snapshot; documents changed since the build
 * keep their build-time combination here, so callers count them one by one.
 */
export class ValueCombos {
  private constructor(
    /** The combination of each built document. */
    readonly comboOf: Uint32Array,
    readonly size: number,
    readonly task: Uint16Array,
    readonly library: Uint16Array,
    readonly license: Uint16Array,
    /** gated, runs locally, scan status, parameter bucket, storage bucket: five bytes per combination. */
    readonly small: Uint8Array,
    readonly languageOffsets: Uint32Array,
    readonly languageValues: Uint32Array,
  ) {}

  /** The combinations of an index's built documents, or null when their keys would not fit a double exactly. */
  static build(index: SearchIndex): ValueCombos | null {
    const count = index.builtCount;
    const { offsets, values } = index.languages;
    // Language sets: numbered in order of first sight, keyed by the document's language ids.
    const languageSetOf = new Uint32Array(count);
    const setIds = new Map<string, number>();
    const setValues: number[][] = [];
    for (let doc = 0; doc < count; doc++) {
      const from = offsets[doc]!;
      const to = offsets[doc + 1]!;
      const key =
        to - from === 0 ? "" : to - from === 1 ? String(values[from]) : values.subarray(from, to).join(",");
      let id = setIds.get(key);
      if (id === undefined) {
        id = setValues.length;
        setIds.set(key, id);
        setValues.push(Array.from(values.subarray(from, to)));
      }
      languageSetOf[doc] = id;
    }
    const radices = [
      index.tasks.size,
      index.libraries.size,
      index.licenses.size,
      3,
      2,
      SCAN_STATUSES.length,
      PARAMETER_BUCKETS.length + 1,
      STORAGE_BUCKETS.length + 1,
      setValues.length,
    ];
    if (radices.reduce((product, radix) => product * radix, 1) > Number.MAX_SAFE_INTEGER) return null;
    const { task, library, license, gated, runsLocally, scanStatus, parameterBucket, storageBucket } = index;
    const comboOf = new Uint32Array(count);
    const ids = new Map<number, number>();
    const first: number[] = [];
    for (let doc = 0; doc < count; doc++) {
      let key = task[doc]!;
      key = key * radices[1]! + library[doc]!;
      key = key * radices[2]! + license[doc]!;
      key = key * 3 + gated[doc]!;
      key = key * 2 + runsLocally[doc]!;
      key = key * radices[5]! + scanStatus[doc]!;
      key = key * radices[6]! + parameterBucket[doc]!;
      key = key * radices[7]! + storageBucket[doc]!;
      key = key * radices[8]! + languageSetOf[doc]!;
      let id = ids.get(key);
      if (id === undefined) {
        id = first.length;
        ids.set(key, id);
        first.push(doc);
      }
      comboOf[doc] = id;
    }
    const size = first.length;
    const small = new Uint8Array(size * 5);
    const languageOffsets = new Uint32Array(size + 1);
    for (let combo = 0; combo < size; combo++) {
      languageOffsets[combo + 1] = languageOffsets[combo]! + setValues[languageSetOf[first[combo]!]!]!.length;
    }
    const languageValues = new Uint32Array(languageOffsets[size]!);
    for (let combo = 0; combo < size; combo++) {
      const doc = first[combo]!;
      small[combo * 5] = gated[doc]!;
      small[combo * 5 + 1] = runsLocally[doc]!;
      small[combo * 5 + 2] = scanStatus[doc]!;
      small[combo * 5 + 3] = parameterBucket[doc]!;
      small[combo * 5 + 4] = storageBucket[doc]!;
      languageValues.set(setValues[languageSetOf[doc]!]!, languageOffsets[combo]!);
    }
    const pick = (column: Uint16Array) => Uint16Array.from(first, (doc) => column[doc]!);
    return new ValueCombos(
      comboOf,
      size,
      pick(task),
      pick(library),
      pick(license),
      small,
      languageOffsets,
      languageValues,
    );
  }

  /** Adds each combination's document count (`perCombo`) to the dimensions it stands for. */
  addTo(index: SearchIndex, perCombo: Uint32Array, counts: FacetArrays): void {
    const modalityOf = index.modalityOfTaskId;
    const commercialOf = index.commercialOfLicenseId;
    const { task, library, license, small, languageOffsets, languageValues } = this;
    for (let combo = 0; combo < this.size; combo++) {
      const count = perCombo[combo]!;
      if (count === 0) continue;
      const taskId = task[combo]!;
      counts.task[taskId]! += count;
      counts.modality[modalityOf[taskId]!]! += count;
      counts.library[library[combo]!]! += count;
      const licenseId = license[combo]!;
      counts.license[licenseId]! += count;
      counts.commercial[commercialOf[licenseId]!]! += count;
      const at = combo * 5;
      counts.gated[small[at]!]! += count;
      counts.runsLocally[small[at + 1]!]! += count;
      counts.scan[small[at + 2]!]! += count;
      counts.parameters[small[at + 3]!]! += count;
      counts.storage[small[at + 4]!]! += count;
      for (let value = languageOffsets[combo]!; value < languageOffsets[combo + 1]!; value++) {
        counts.language[languageValues[value]!]! += count;
      }
    }
  }

  get byteLength(): number {
    return (
      this.comboOf.byteLength +
      this.task.byteLength * 3 +
      this.small.byteLength +
      this.languageOffsets.byteLength +
      this.languageValues.byteLength
    );
  }
}
