import { createHash, randomBytes, randomUUID } from "node:crypto";
import { open, readdir, rename, rm } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { nextTurn } from "../core/next-turn.ts";
import type { Catalog } from "../store/catalog.ts";
import { ensureOwnerOnlyFolder } from "../store/owner-only.ts";
import { sortKey } from "./rank-results.ts";
import type { SearchIndex } from "./search-index.ts";
import { SEARCH_SORTS } from "./search-params.ts";
import {
  BLOCK_BYTES,
  MAGIC,
  PREFIX_BYTES,
  padding8,
  type Section,
  SNAPSHOT_FORMAT_VERSION,
  type SnapshotHeader,
  SORT_FINGERPRINT,
  type StringKind,
  typedKind,
} from "./snapshot-format.ts";

/**
 * A search index on disk, so a process (a CLI command, a restarted server) starts from the last build instead
 * of reading the whole catalog again. This file writes it (layout: snapshot-format.ts); snapshot-load.ts
 * reads it, each part when it is first needed. The file is a cache: anything unexpected in it (another
 * format, another catalog, a short or damaged file) makes the loader answer "none", and the caller builds.
 */
export { SNAPSHOT_FORMAT_VERSION } from "./snapshot-format.ts";
export { isDamagedSnapshot, loadSnapshot, readSnapshotParts, SnapshotDamagedError } from "./snapshot-load.ts";

/** Strings per JSON chunk when writing: the event loop gets a turn between chunks. */
const STRING_CHUNK = 50_000;
/** The catalog meta key of the catalog's own random id (one per catalog, whatever its location). */
const CATALOG_ID_KEY = "catalog_id";

/** Where a catalog's snapshot lives and what it must say it is of. */
export interface SnapshotFile {
  path: string;
  identity: string;
}

/**
 * The snapshot file of a catalog in `folder`: named by the catalog's id (a random id kept in the catalog) and
 * its location, so a file of another catalog, or of this home's catalog before a move, is never taken.
 */
export async function snapshotFileOf(catalog: Catalog, folder: string): Promise<SnapshotFile> {
  const catalogId = await catalog.setMetaIfAbsent(CATALOG_ID_KEY, randomUUID());
  // The location may be a PostgreSQL URL with a password: only its hash is written anywhere.
  const identity = createHash("sha256").update(`${catalogId}\n${catalog.location}`).digest("hex");
  return { path: join(folder, `search-index-${identity.slice(0, 16)}.bin`), identity };
}

/**
 * A string list as UTF-8, NUL-separated (splitting is several times faster than JSON.parse on load), in
 * chunks so the event loop gets turns; a list with a NUL in a value is written as JSON instead.
 */
async function encodeStrings(values: readonly string[]): Promise<{ kind: StringKind; parts: Buffer[] }> {
  const json = values.some((value) => value.includes("\0"));
  const parts: Buffer[] = json ? [Buffer.from("[")] : [];
  for (let start = 0; start < values.length; start += STRING_CHUNK) {
    const chunk = values.slice(start, start + STRING_CHUNK);
    const text = json ? JSON.stringify(chunk).slice(1, -1) : chunk.join("\0");
    parts.push(Buffer.from((start > 0 ? (json ? "," : "\0") : "") + text));
    await nextTurn();
  }
  if (json) parts.push(Buffer.from("]"));
  return { kind: json ? "json" : "strings", parts };
}

/**
 * Where each value of a NUL-separated list starts, in bytes (one more entry than values: value i ends one byte
 * before entry i + 1), so a loader can decode one value without splitting the whole list.
 */
async function stringOffsets(values: readonly string[]): Promise<Uint32Array> {
  const offsets = new Uint32Array(values.length + 1);
  let at = 0;
  for (let index = 0; index < values.length; index++) {
    offsets[index] = at;
    at += Buffer.byteLength(values[index]!) + 1;
    if (index % STRING_CHUNK === STRING_CHUNK - 1) await nextTurn();
  }
  offsets[values.length] = at;
  return offsets;
}

/**
 * The CRC-32 of each BLOCK_BYTES of the payload (the parts one after another; a block may span parts), the
 * event loop getting turns between large parts.
 */
async function blockTable(parts: readonly Buffer[], payloadBytes: number): Promise<Uint32Array> {
  const table = new Uint32Array(Math.ceil(payloadBytes / BLOCK_BYTES));
  let block = 0;
  let filled = 0;
  let crc = 0;
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; ) {
      const take = Math.min(BLOCK_BYTES - filled, part.byteLength - at);
      crc = crc32(part.subarray(at, at + take), crc);
      filled += take;
      at += take;
      if (filled === BLOCK_BYTES) {
        table[block++] = crc;
        crc = 0;
        filled = 0;
        if (block % 1024 === 0) await nextTurn();
      }
    }
  }
  if (filled > 0) table[block] = crc;
  return table;
}

/**
 * Writes a freshly built index to `file`: to a temporary file (owner-only) renamed over the old snapshot, so
 * a reader sees the old file or the new one, never half of one. The index's arrays are written as they are
 * (no copy): the caller must not patch the index until this settles. The index's descending sort orders
 * (the ones whole-catalog queries walk) are computed and stored too, so a process reading the snapshot sorts
 * nothing on its first sorted query. Other snapshots in the folder (of a catalog this home no longer uses)
 * are removed.
 */
export async function saveSnapshot(file: SnapshotFile, index: SearchIndex): Promise<void> {
  const state = index.snapshotState();
  const payload: Buffer[] = [];
  const sections: Section[] = [];
  let offset = 0;
  const add = (name: string, kind: Section["kind"], count: number, parts: Buffer[], key?: string) => {
    const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
    sections.push({ name, kind, offset, bytes, count, ...(key === undefined ? {} : { key }) });
    payload.push(...parts);
    offset += bytes;
    const padding = padding8(offset);
    if (padding > 0) payload.push(Buffer.alloc(padding));
    offset += padding;
  };
  const addTyped = (name: string, view: ArrayBufferView, key?: string) =>
    add(
      name,
      typedKind(view),
      (view as Uint8Array).length,
      [Buffer.from(view.buffer, view.byteOffset, view.byteLength)],
      key,
    );
  const addStrings = async (name: string, values: readonly string[]) => {
    const encoded = await encodeStrings(values);
    add(name, encoded.kind, values.length, encoded.parts);
  };
  /** A list a loader reads value by value: with its offsets when it is NUL-separated. */
  const addList = async (name: string, values: readonly string[]) => {
    await addStrings(name, values);
    if (sections.at(-1)!.kind === "strings") addTyped(`${name}.offsets`, await stringOffsets(values));
  };

  await addList("ids", state.ids);
  for (const [name, view] of state.columns) addTyped(`column.${name}`, view);
  for (const [name, values] of Object.entries(state.dictionaries))
    await addStrings(`dictionary.${name}`, values);
  for (const [name, column] of Object.entries(state.multiValues)) {
    await addStrings(`multi.${name}.dictionary`, column.dictionary);
    addTyped(`multi.${name}.offsets`, column.offsets);
    addTyped(`multi.${name}.values`, column.values);
  }
  await addList("text.sortedTerms", state.text.sortedTerms);
  addTyped("text.offsets", state.text.offsets);
  addTyped("text.docs", state.text.docs);
  addTyped("text.fields", state.text.fields);
  for (const sort of SEARCH_SORTS) {
    // The orders of queries without words, as search-models.ts names and keys them.
    const keyOf = sortKey(index, sort, false, undefined, () => 0);
    addTyped(`order.${sort}:false`, await index.sortedDocsInTurns(`${sort}:false`, keyOf), SORT_FINGERPRINT);
  }

  const blocks = await blockTable(payload, offset);
  const blockBytes = Buffer.from(blocks.buffer, blocks.byteOffset, blocks.byteLength);
  const header: SnapshotHeader = {
    identity: file.identity,
    endianness: endianness(),
    size: state.size,
    capacity: state.capacity,
    builtCount: state.builtCount,
    sequence: state.sequence,
    buildMs: state.buildMs,
    referenceTime: state.referenceTime,
    payloadBytes: offset,
    blockTableCrc: crc32(blockBytes),
    sections,
  };
  const headerJson = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(headerJson.byteLength, 12);
  prefix.writeUInt32LE(crc32(headerJson), 16);
  const headerPadding = Buffer.alloc(padding8(PREFIX_BYTES + headerJson.byteLength));

  const folder = join(file.path, "..");
  ensureOwnerOnlyFolder(folder);
  const temporary = `${file.path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      for (const part of [prefix, headerJson, headerPadding, ...payload, blockBytes]) {
        for (let written = 0; written < part.byteLength; ) {
          written += (await handle.write(part, written, part.byteLength - written)).bytesWritten;
        }
      }
    } finally {
      await handle.close();
    }
    await rename(temporary, file.path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const name = file.path.slice(folder.length + 1);
  for (const entry of await readdir(folder)) {
    if (entry !== name && /^search-index-[0-9a-f]{16}\.bin$/.test(entry)) {
      await rm(join(folder, entry), { force: true });
    }
  }
}
