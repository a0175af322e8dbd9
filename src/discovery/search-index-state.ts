import { Dictionary, MultiValueColumn } from "./index-columns.ts";
import type { SearchIndex } from "./search-index.ts";
import { TextIndex } from "./text-index.ts";

/**
 * The conversion between a search index and the state a snapshot holds of it (search-index-snapshot.ts
 * writes that state, snapshot-load.ts reads it back). `SearchIndex.snapshotState`, `snapshotColumnKinds` and
 * `restore` call these.
 */

/** What a snapshot holds of an index (see `SearchIndex.snapshotState`). */
export interface SearchIndexState {
  size: number;
  capacity: number;
  builtCount: number;
  sequence: number;
  buildMs: number;
  referenceTime: number;
  ids: string[];
  /** Every typed column by field name. */
  columns: Map<string, ArrayBufferView>;
  dictionaries: Record<"authors" | "tasks" | "libraries" | "licenses", string[]>;
  multiValues: Record<
    "languages" | "datasets" | "baseModels" | "tags",
    { dictionary: string[]; offsets: Uint32Array; values: Uint32Array }
  >;
  text: { sortedTerms: string[]; offsets: Uint32Array; docs: Uint32Array; fields: Uint8Array };
}

/** Typed arrays of an index that are scratch space or derived on load, not part of a snapshot. */
const NOT_SNAPSHOTTED = new Set(["results", "scratch", "modalityOfTaskId", "commercialOfLicenseId"]);

/** The index's typed columns a snapshot holds, by field name (private ones included). */
export function typedColumns(index: SearchIndex): Map<string, ArrayBufferView> {
  const columns = new Map<string, ArrayBufferView>();
  for (const [name, value] of Object.entries(index)) {
    if (ArrayBuffer.isView(value) && !NOT_SNAPSHOTTED.has(name)) columns.set(name, value);
  }
  return columns;
}

/** Views of the index's own arrays (not copies): see `SearchIndex.snapshotState`. */
export function stateOf(index: SearchIndex): SearchIndexState {
  const columns = typedColumns(index);
  const multi = (column: MultiValueColumn) => ({
    dictionary: column.dictionary.values,
    offsets: column.offsets,
    values: column.values,
  });
  return {
    size: index.size,
    capacity: index.capacity,
    builtCount: index.builtCount,
    sequence: index.sequence,
    buildMs: index.buildMs,
    referenceTime: index.referenceTime,
    ids: index.ids,
    columns,
    dictionaries: {
      authors: index.authors.values,
      tasks: index.tasks.values,
      libraries: index.libraries.values,
      licenses: index.licenses.values,
    },
    multiValues: {
      languages: multi(index.languages),
      datasets: multi(index.datasets),
      baseModels: multi(index.baseModels),
      tags: multi(index.tags),
    },
    text: {
      sortedTerms: index.text.sortedTerms,
      offsets: index.text.offsets,
      docs: index.text.docs,
      fields: index.text.fields,
    },
  };
}

/**
 * Puts a snapshot's state into an empty index (made with the state's reference time): its columns, counters,
 * ids, dictionaries, multi-valued columns, text index and private documents. The caller then derives the
 * tables that are not stored (modality by task, commercial use by licence).
 */
export function restoreState(index: SearchIndex, state: SearchIndexState, loadMs: number): void {
  Object.assign(index, Object.fromEntries(state.columns), { capacity: state.capacity });
  index.size = state.size;
  index.builtCount = state.builtCount;
  index.sequence = state.sequence;
  index.buildMs = state.buildMs;
  index.loadMs = loadMs;
  (index as { ids: string[] }).ids = state.ids;
  const caseInsensitive = {
    authors: index.authors.isCaseInsensitive,
    tasks: index.tasks.isCaseInsensitive,
    libraries: index.libraries.isCaseInsensitive,
    licenses: index.licenses.isCaseInsensitive,
  };
  for (const name of ["authors", "tasks", "libraries", "licenses"] as const) {
    (index as Record<typeof name, Dictionary>)[name] = Dictionary.of(
      state.dictionaries[name],
      caseInsensitive[name],
    );
  }
  for (const name of ["languages", "datasets", "baseModels", "tags"] as const) {
    const saved = state.multiValues[name];
    const column = new MultiValueColumn(
      Dictionary.of(saved.dictionary, index[name].dictionary.isCaseInsensitive),
    );
    column.offsets = saved.offsets;
    column.values = saved.values;
    (index as Record<typeof name, MultiValueColumn>)[name] = column;
  }
  index.text = new TextIndex(state.text.sortedTerms, state.text.offsets, state.text.docs, state.text.fields);
  for (let doc = 0; doc < index.size; doc++) if (index.isPrivate[doc] === 1) index.privateDocs.add(doc);
}
