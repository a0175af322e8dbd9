import { closeSync, fstatSync, openSync, readSync, statSync, unlinkSync } from "node:fs";
import { endianness } from "node:os";
import { crc32 } from "node:zlib";
import { nextTurn } from "../core/next-turn.ts";
import { SearchIndex, type SearchIndexState } from "./search-index.ts";
import {
  blockCount,
  MAGIC,
  PREFIX_BYTES,
  payloadStartOf,
  type Section,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotHeader,
  SORT_FINGERPRINT,
  TYPED_ARRAYS,
  type TypedKind,
} from "./snapshot-format.ts";
import { defineLazy, defineLazyValues, lazyList, SnapshotReader } from "./snapshot-reader.ts";
import { type Postings, TextIndex } from "./text-index.ts";

export { SnapshotDamagedError } from "./snapshot-reader.ts";

/**
 * Reading a search index snapshot (layout: snapshot-format.ts) part by part. Loading reads the header, the
 * block CRC table, the dictionaries and the private flags, nothing else: bringing a 1 M-model file into a
 * process's memory costs mostly page faults, about a second for the whole file on the test machine. Every
 * other part is read from the file (kept open) when a query first needs it: a column or a stored sort order
 * whole, a term's postings and a model's id alone. Each read is checked against the CRCs of the blocks it
 * covers; a part that fails its check throws SnapshotDamagedError, marks the index damaged (the next
 * getSearchIndex rebuilds it) and removes the file.
 */

const damaged = new WeakSet<SearchIndex>();

/** What a snapshot's index has not read yet, part by part (readSnapshotParts reads them ahead of queries). */
const unreadParts = new WeakMap<SearchIndex, Array<() => void>>();

/**
 * Reads every column, multi-value list and the postings of `index`'s snapshot that no query has read yet,
 * one part at a time with a turn of the event loop between parts, so that a long-running server does not
 * make its first queries read them (about 0.6-0.9 s at 1 M models) and never holds the loop for the whole
 * file. Ids, terms and stored sort orders stay read on use. Nothing for an index that was built, not loaded.
 * Throws SnapshotDamagedError when a part fails its check (the next getSearchIndex rebuilds).
 */
export async function readSnapshotParts(index: SearchIndex): Promise<void> {
  const parts = unreadParts.get(index) ?? [];
  unreadParts.delete(index);
  for (const part of parts) {
    await nextTurn();
    part();
  }
}

/** Whether a part of `index`'s snapshot failed its check after the load (the caller rebuilds). */
export function isDamagedSnapshot(index: SearchIndex): boolean {
  return damaged.has(index);
}

/**
 * Columns a query reads value by value (for its hits, its sort key, its insights), never in a loop over a
 * reference it keeps: read from the file a value at a time until many are read (defineLazyValues). A column
 * that scan.ts or search-models.ts keeps a reference to in a loop over many documents (the filters' and
 * facets' columns, downloads and pk for tie-breaks, parameters and storage for ranges, evalCount and evalMean
 * for the quality histogram) must not be listed: it is read whole on first use.
 */
const PER_DOCUMENT = new Set([
  "likes",
  "trendingScore",
  "createdAt",
  "lastModified",
  "popularity",
  "trend",
  "trendEstimated",
  "recency",
  "quality",
  "staticScore",
  "idHash",
  "nameHash",
]);

/** Adjacent pairs of a stored order checked against the key it is asked for, at its start and spread over it. */
const ORDER_CHECKS = 32;

/**
 * Whether `order` looks sorted by `keyOf` (best first, missing keys last): its first pairs and pairs spread
 * over it. An order stored under a sort's name yet by another key (a later version of Hangar keying the sort
 * differently) fails this; the caller then sorts.
 */
function sortedBy(order: Uint32Array, keyOf: (doc: number) => number): boolean {
  const inOrder = (at: number) => {
    const before = keyOf(order[at]!);
    const after = keyOf(order[at + 1]!);
    return Number.isNaN(after) || before >= after;
  };
  const pairs = order.length - 1;
  for (let at = 0; at < Math.min(ORDER_CHECKS, pairs); at++) if (!inOrder(at)) return false;
  for (let check = 1; check <= ORDER_CHECKS && pairs > ORDER_CHECKS; check++) {
    if (!inOrder(Math.floor((check * (pairs - 1)) / ORDER_CHECKS))) return false;
  }
  return true;
}

/** Closes a snapshot's file once the index read from it is gone. */
const openFiles = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
});

/**
 * The text index of a snapshot: a query's postings are read from the file term by term, until the terms read
 * add up to an eighth of all postings, when the whole postings are read once.
 */
class SnapshotTextIndex extends TextIndex {
  private readonly ranged = new Map<number, Postings>();
  private rangedCount = 0;
  private whole = false;

  constructor(
    sortedTerms: string[],
    private readonly reader: SnapshotReader,
    private readonly sections: { offsets: Section; docs: Section; fields: Section },
  ) {
    super(sortedTerms, new Uint32Array(0), new Uint32Array(0), new Uint8Array(0));
    defineLazyValues(this, "offsets", reader, sections.offsets);
    defineLazy(this, "docs", () => {
      this.whole = true;
      return reader.typed(sections.docs);
    });
    defineLazy(this, "fields", () => {
      this.whole = true;
      return reader.typed(sections.fields);
    });
  }

  protected override postingsOf(rank: number): Postings {
    if (this.whole) return super.postingsOf(rank);
    let postings = this.ranged.get(rank);
    if (postings) return postings;
    const start = this.offsets[rank]!;
    const end = this.offsets[rank + 1]!;
    if (!(start <= end && end <= this.sections.docs.count)) this.reader.damage("text.offsets out of range");
    this.rangedCount += end - start;
    if (this.rangedCount * 8 > this.sections.docs.count) {
      this.ranged.clear();
      void this.docs;
      void this.fields;
      return super.postingsOf(rank);
    }
    postings = {
      docs: this.reader.typedRange(this.sections.docs, start, end) as Uint32Array,
      fields: this.reader.typedRange(this.sections.fields, start, end) as Uint8Array,
      start: 0,
      end: end - start,
    };
    this.ranged.set(rank, postings);
    return postings;
  }
}

/**
 * The index in `file` when it is a whole snapshot of this format and catalog, at a change sequence the
 * catalog has reached (`sequence`); undefined otherwise (missing, foreign, outdated, short or damaged where it
 * was read), never an error. The caller patches it up to the catalog's sequence through the change feed.
 */
export async function loadSnapshot(file: { path: string; identity: string }, sequence: number) {
  const started = performance.now();
  let fd: number;
  try {
    fd = openSync(file.path, "r");
  } catch {
    return undefined;
  }
  let index: SearchIndex | undefined;
  try {
    index = open(fd, file, sequence);
  } catch {
    // A file that passed the first checks yet does not decode is as good as none.
    index = undefined;
  }
  if (!index) {
    closeSync(fd);
    return undefined;
  }
  index.loadMs = performance.now() - started;
  openFiles.register(index, fd);
  return index;
}

/** Reads exactly `length` bytes at `position`, or returns undefined when the file is shorter. */
function readAt(fd: number, length: number, position: number): Buffer | undefined {
  const buffer = Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) return undefined;
    done += read;
  }
  return buffer;
}

function open(
  fd: number,
  file: { path: string; identity: string },
  sequence: number,
): SearchIndex | undefined {
  const { size: fileBytes, ino } = fstatSync(fd);
  const prefix = readAt(fd, PREFIX_BYTES, 0);
  if (!prefix?.subarray(0, 8).equals(MAGIC)) return undefined;
  if (prefix.readUInt32LE(8) !== SNAPSHOT_FORMAT_VERSION) return undefined;
  const headerBytes = prefix.readUInt32LE(12);
  if (PREFIX_BYTES + headerBytes > fileBytes) return undefined;
  const headerJson = readAt(fd, headerBytes, PREFIX_BYTES);
  if (!headerJson || crc32(headerJson) !== prefix.readUInt32LE(16)) return undefined;
  const header = JSON.parse(headerJson.toString("utf8")) as SnapshotHeader;
  if (header.identity !== file.identity || header.endianness !== endianness()) return undefined;
  if (!(header.sequence <= sequence)) return undefined;
  const payloadStart = payloadStartOf(headerBytes);
  const tableBytes = blockCount(header.payloadBytes) * 4;
  if (payloadStart + header.payloadBytes + tableBytes !== fileBytes) return undefined;
  const table = readAt(fd, tableBytes, payloadStart + header.payloadBytes);
  if (!table || crc32(table) !== header.blockTableCrc) return undefined;
  const blocks = new Uint32Array(table.buffer.slice(table.byteOffset, table.byteOffset + tableBytes));
  const reader = new SnapshotReader(file.path, fd, payloadStart, header.payloadBytes, blocks);

  const sections = new Map<string, Section>();
  for (const section of header.sections) {
    const type = TYPED_ARRAYS[section.kind as TypedKind];
    if (section.offset % 8 !== 0 || section.offset + section.bytes > header.payloadBytes) return undefined;
    if (type && section.count * type.BYTES_PER_ELEMENT !== section.bytes) return undefined;
    if (!type && section.kind !== "strings" && section.kind !== "json") return undefined;
    sections.set(section.name, section);
  }
  const section = (name: string, kind?: string, count?: number): Section => {
    const found = sections.get(name);
    if (
      !found ||
      (kind !== undefined && found.kind !== kind) ||
      (count !== undefined && found.count !== count)
    )
      throw new Error(`bad ${name}`);
    return found;
  };
  const list = (name: string) => {
    const values = section(name);
    if (values.kind === "json") return reader.strings(values);
    const offsets = section(`${name}.offsets`, "Uint32Array", values.count + 1);
    return lazyList(reader, values, offsets);
  };

  const expected = SearchIndex.snapshotColumnKinds();
  const saved = header.sections.filter((entry) => entry.name.startsWith("column.")).length;
  if (saved !== expected.size) return undefined;
  const columns = new Map<string, Section>();
  for (const [name, kind] of expected) {
    // docOfPk is by repo pk, every other column by document.
    columns.set(name, section(`column.${name}`, kind, name === "docOfPk" ? undefined : header.capacity));
  }
  if (header.size > header.capacity || header.builtCount > header.size) return undefined;
  const ids = list("ids");
  if (ids.length !== header.size) return undefined;
  const sortedTerms = list("text.sortedTerms");
  const multi = (name: string) => ({
    dictionary: section(`multi.${name}.dictionary`),
    offsets: section(`multi.${name}.offsets`, "Uint32Array", header.builtCount + 1),
    values: section(`multi.${name}.values`, "Uint32Array"),
  });
  const multiValues = {
    languages: multi("languages"),
    datasets: multi("datasets"),
    baseModels: multi("baseModels"),
    tags: multi("tags"),
  };
  const text = {
    offsets: section("text.offsets", "Uint32Array", sortedTerms.length + 1),
    docs: section("text.docs", "Uint32Array"),
    fields: section("text.fields", "Uint8Array", sections.get("text.docs")?.count),
  };

  // The skeleton restored with what the load reads (the private flags: the index lists private models);
  // every other array is defined below to be read on first use.
  const empty = new Uint32Array(0);
  const state: SearchIndexState = {
    size: header.size,
    capacity: header.capacity,
    builtCount: header.builtCount,
    sequence: header.sequence,
    buildMs: header.buildMs,
    referenceTime: header.referenceTime,
    ids,
    columns: new Map([["isPrivate", reader.typed(columns.get("isPrivate")!)]]),
    dictionaries: {
      authors: [""],
      tasks: reader.strings(section("dictionary.tasks")),
      libraries: reader.strings(section("dictionary.libraries")),
      licenses: reader.strings(section("dictionary.licenses")),
    },
    multiValues: {
      languages: { dictionary: [""], offsets: empty, values: empty },
      datasets: { dictionary: [""], offsets: empty, values: empty },
      baseModels: { dictionary: [""], offsets: empty, values: empty },
      tags: { dictionary: [""], offsets: empty, values: empty },
    },
    text: { sortedTerms, offsets: empty, docs: empty, fields: new Uint8Array(0) },
  };
  const index = SearchIndex.restore(state, 0);
  for (const [name, column] of columns) {
    if (PER_DOCUMENT.has(name)) defineLazyValues(index, name, reader, column);
    else if (name !== "isPrivate") defineLazy(index, name, () => reader.typed(column));
  }
  const authors = section("dictionary.authors");
  defineLazy(index.authors, "values", () => reader.strings(authors));
  for (const name of ["languages", "datasets", "baseModels", "tags"] as const) {
    const { dictionary, offsets, values } = multiValues[name];
    defineLazy(index[name].dictionary, "values", () => reader.strings(dictionary));
    defineLazy(index[name], "offsets", () => {
      const loaded = reader.typed(offsets) as Uint32Array;
      if (loaded[header.builtCount] !== values.count)
        reader.damage(`multi.${name} offsets disagree with values`);
      return loaded;
    });
    defineLazy(index[name], "values", () => reader.typed(values));
  }
  index.text = new SnapshotTextIndex(sortedTerms, reader, text);
  const target = index as unknown as Record<string, { length: number }>;
  const parts: Array<() => void> = [...columns.keys()].map((name) => () => void target[name]!.length);
  parts.push(() => void index.authors.values);
  for (const name of ["languages", "datasets", "baseModels", "tags"] as const) {
    parts.push(
      () => void index[name].dictionary.values.length,
      () => void index[name].offsets,
    );
    parts.push(() => void index[name].values);
  }
  parts.push(
    () => void index.text.offsets.length,
    () => void index.text.docs,
    () => void index.text.fields,
  );
  unreadParts.set(index, parts);
  for (const order of header.sections) {
    if (!order.name.startsWith("order.") || order.kind !== "Uint32Array" || order.count !== header.builtCount)
      continue;
    index.storedOrders.set(order.name.slice("order.".length), (keyOf) => {
      if (order.key !== SORT_FINGERPRINT) return undefined;
      const stored = reader.typed(order) as Uint32Array;
      return sortedBy(stored, keyOf) ? stored : undefined;
    });
  }
  const built = index;
  reader.onDamage = () => {
    damaged.add(built);
    // The file, unless a newer snapshot has replaced it since: the next process rebuilds too.
    try {
      if (statSync(file.path).ino === ino) unlinkSync(file.path);
    } catch {
      // Already gone.
    }
  };
  return index;
}
