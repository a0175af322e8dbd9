import { createHash, randomBytes, randomUUID } from "node:crypto";
import { open, readdir, rename, rm } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { Catalog } from "../store/catalog.ts";
import { ensureOwnerOnlyFolder } from "../store/owner-only.ts";
import { SearchIndex, type SearchIndexState } from "./search-index.ts";

/**
 * A search index on disk, so a process (a CLI command, a restarted server) starts from the last build instead
 * of reading the whole catalog again. Layout: a fixed prefix (magic, format version, header length, header
 * CRC), a JSON header naming the sections, then the sections 8-byte aligned: typed columns as their raw
 * bytes, string lists NUL-separated (JSON arrays when a value holds a NUL). Loading is one read of the file
 * into one buffer and typed views over it, nothing parsed per model: the model ids and the sorted terms (a
 * million strings each at 1 M models) come with their byte offsets and are decoded as they are read. The
 * file is a cache: anything unexpected in it (another format, another catalog, a short or damaged file)
 * makes the loader answer "none", and the caller builds.
 */
const MAGIC = Buffer.from("HGSINDEX", "latin1");
/** Bump when the layout or the meaning of a column changes: older files are then ignored. */
export const SNAPSHOT_FORMAT_VERSION = 2;
const PREFIX_BYTES = 24;
/** Strings per JSON chunk when writing: the event loop gets a turn between chunks. */
const STRING_CHUNK = 50_000;
/** Bytes per CRC step when writing. */
const CRC_CHUNK = 16 * 1024 * 1024;
/** The catalog meta key of the catalog's own random id (one per catalog, whatever its location). */
const CATALOG_ID_KEY = "catalog_id";

const TYPED_ARRAYS = {
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedKind = keyof typeof TYPED_ARRAYS;
/** NUL-separated UTF-8, or a JSON array when a value holds a NUL. */
type StringKind = "strings" | "json";

interface Section {
  name: string;
  kind: TypedKind | StringKind;
  offset: number;
  bytes: number;
  /** Elements: strings in a list, numbers in a typed array. */
  count: number;
}

interface SnapshotHeader {
  identity: string;
  endianness: string;
  size: number;
  capacity: number;
  builtCount: number;
  sequence: number;
  buildMs: number;
  referenceTime: number;
  payloadBytes: number;
  payloadCrc: number;
  sections: Section[];
}

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

const pause = () => new Promise((resume) => setImmediate(resume));

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
    await pause();
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
    if (index % STRING_CHUNK === STRING_CHUNK - 1) await pause();
  }
  offsets[values.length] = at;
  return offsets;
}

/**
 * Values a lazy list decodes one by one before it decodes the rest at once (something reads many of them: a
 * scan over every id for `id_contains`, or many queries' term lookups).
 */
const LAZY_LIMIT = 65_536;

/**
 * A string list (the model ids, the sorted terms) as an array decoded on access: a query reads a few dozen of
 * a million ids (its page of results) and a few thousand terms (binary searches), so splitting the lists on
 * load (most of a load's CPU at 1 M models, and the garbage collections their million strings bring) is left
 * until something reads many values, which then decodes the rest at once. Writes (documents patched or
 * appended after the load) go to the array as usual.
 */
function lazyStrings(payload: Buffer, section: Section, offsets: Uint32Array): string[] {
  const values: string[] = new Array(section.count);
  const start = section.offset;
  let decoded = 0;
  let whole = false;
  const decodeAll = () => {
    whole = true;
    const all = payload.toString("utf8", start, start + section.bytes).split("\0");
    for (let index = 0; index < all.length; index++) values[index] ??= all[index]!;
  };
  return new Proxy(values, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (value !== undefined || whole || typeof property !== "string") return value;
      const index = Number(property);
      if (!Number.isInteger(index) || index < 0 || index >= section.count) return value;
      if (++decoded > LAZY_LIMIT) {
        decodeAll();
        return target[index];
      }
      const id = payload.toString("utf8", start + offsets[index]!, start + offsets[index + 1]! - 1);
      target[index] = id;
      return id;
    },
  });
}

function typedKind(view: ArrayBufferView): TypedKind {
  const kind = view.constructor.name;
  if (!(kind in TYPED_ARRAYS)) throw new Error(`A search index column of type ${kind} has no snapshot form`);
  return kind as TypedKind;
}

/**
 * Writes a freshly built index to `file`: to a temporary file (owner-only) renamed over the old snapshot, so
 * a reader sees the old file or the new one, never half of one. The index's arrays are written as they are
 * (no copy): the caller must not patch the index until this settles. Other snapshots in the folder (of a
 * catalog this home no longer uses) are removed.
 */
export async function saveSnapshot(file: SnapshotFile, index: SearchIndex): Promise<void> {
  const state = index.snapshotState();
  const payload: Buffer[] = [];
  const sections: Section[] = [];
  let offset = 0;
  const add = (name: string, kind: Section["kind"], count: number, parts: Buffer[]) => {
    const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
    sections.push({ name, kind, offset, bytes, count });
    payload.push(...parts);
    offset += bytes;
    const padding = (8 - (offset % 8)) % 8;
    if (padding > 0) payload.push(Buffer.alloc(padding));
    offset += padding;
  };
  const addTyped = (name: string, view: ArrayBufferView) =>
    add(name, typedKind(view), (view as Uint8Array).length, [
      Buffer.from(view.buffer, view.byteOffset, view.byteLength),
    ]);
  const addStrings = async (name: string, values: readonly string[]) => {
    const encoded = await encodeStrings(values);
    add(name, encoded.kind, values.length, encoded.parts);
  };

  await addStrings("ids", state.ids);
  if (sections.at(-1)!.kind === "strings") addTyped("ids.offsets", await stringOffsets(state.ids));
  for (const [name, view] of state.columns) addTyped(`column.${name}`, view);
  for (const [name, values] of Object.entries(state.dictionaries))
    await addStrings(`dictionary.${name}`, values);
  for (const [name, column] of Object.entries(state.multiValues)) {
    await addStrings(`multi.${name}.dictionary`, column.dictionary);
    addTyped(`multi.${name}.offsets`, column.offsets);
    addTyped(`multi.${name}.values`, column.values);
  }
  await addStrings("text.sortedTerms", state.text.sortedTerms);
  if (sections.at(-1)!.kind === "strings") {
    addTyped("text.sortedTerms.offsets", await stringOffsets(state.text.sortedTerms));
  }
  addTyped("text.offsets", state.text.offsets);
  addTyped("text.docs", state.text.docs);
  addTyped("text.fields", state.text.fields);

  let payloadCrc = 0;
  for (const part of payload) {
    for (let start = 0; start < part.byteLength; start += CRC_CHUNK) {
      payloadCrc = crc32(part.subarray(start, start + CRC_CHUNK), payloadCrc);
      if (part.byteLength > CRC_CHUNK) await pause();
    }
  }
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
    payloadCrc,
    sections,
  };
  const headerJson = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(SNAPSHOT_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(headerJson.byteLength, 12);
  prefix.writeUInt32LE(crc32(headerJson), 16);
  const headerPadding = Buffer.alloc((8 - ((PREFIX_BYTES + headerJson.byteLength) % 8)) % 8);

  const folder = join(file.path, "..");
  ensureOwnerOnlyFolder(folder);
  const temporary = `${file.path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temporary, "w", 0o600);
    try {
      for (const part of [prefix, headerJson, headerPadding, ...payload]) {
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

/**
 * The index in `file` when it is a whole snapshot of this format and catalog, at a change sequence the
 * catalog has reached (`sequence`); undefined otherwise (missing, foreign, outdated or damaged file), never an
 * error. The caller patches it up to the catalog's sequence through the change feed.
 */
export async function loadSnapshot(file: SnapshotFile, sequence: number): Promise<SearchIndex | undefined> {
  const started = performance.now();
  let read: Awaited<ReturnType<typeof readWhole>>;
  try {
    read = await readWhole(file.path);
  } catch {
    return undefined;
  }
  try {
    const state = decode(read.file, read.payloadCrc, file.identity, sequence);
    return state ? SearchIndex.restore(state, performance.now() - started) : undefined;
  } catch {
    // A file that passed the checks yet does not decode is as good as none.
    return undefined;
  }
}

/** Bytes per read when loading: a few large reads instead of `readFile`'s 512 KiB steps. */
const READ_CHUNK = 16 * 1024 * 1024;

/** Where the payload starts in a file whose first bytes are `head`, or undefined when it is no snapshot. */
function payloadStart(head: Buffer): number | undefined {
  if (head.byteLength < PREFIX_BYTES || !head.subarray(0, 8).equals(MAGIC)) return undefined;
  const headerBytes = head.readUInt32LE(12);
  return PREFIX_BYTES + headerBytes + ((8 - ((PREFIX_BYTES + headerBytes) % 8)) % 8);
}

/**
 * The whole file in one buffer of its own (not from the pool, so page-aligned: every typed view is aligned
 * without a copy), read in large steps, and the CRC of its payload, computed on this thread while the next
 * step is read on libuv's: the check then costs next to nothing on top of the read.
 */
async function readWhole(path: string): Promise<{ file: Buffer; payloadCrc: number | undefined }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const file = Buffer.allocUnsafeSlow(size);
    const readStep = async (at: number): Promise<number> => {
      const { bytesRead } = await handle.read(file, at, Math.min(READ_CHUNK, size - at), at);
      if (bytesRead === 0) throw new Error(`${path} shrank while it was read`);
      return at + bytesRead;
    };
    let read = size > 0 ? await readStep(0) : 0;
    const start = payloadStart(file.subarray(0, read));
    let checked = start ?? size;
    let payloadCrc = 0;
    while (read < size) {
      const next = readStep(read);
      if (checked < read) payloadCrc = crc32(file.subarray(checked, read), payloadCrc);
      checked = Math.max(checked, read);
      read = await next;
    }
    if (checked < size) payloadCrc = crc32(file.subarray(checked, size), payloadCrc);
    return { file, payloadCrc: start === undefined || start > size ? undefined : payloadCrc };
  } finally {
    await handle.close();
  }
}

function decode(
  file: Buffer,
  payloadCrc: number | undefined,
  identity: string,
  sequence: number,
): SearchIndexState | undefined {
  if (file.byteLength < PREFIX_BYTES || !file.subarray(0, 8).equals(MAGIC)) return undefined;
  if (file.readUInt32LE(8) !== SNAPSHOT_FORMAT_VERSION) return undefined;
  const headerBytes = file.readUInt32LE(12);
  if (PREFIX_BYTES + headerBytes > file.byteLength) return undefined;
  const headerJson = file.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes);
  if (crc32(headerJson) !== file.readUInt32LE(16)) return undefined;
  const header = JSON.parse(headerJson.toString("utf8")) as SnapshotHeader;
  if (header.identity !== identity || header.endianness !== endianness()) return undefined;
  if (!(header.sequence <= sequence)) return undefined;
  const start = PREFIX_BYTES + headerBytes + ((8 - ((PREFIX_BYTES + headerBytes) % 8)) % 8);
  if (start + header.payloadBytes !== file.byteLength) return undefined;
  // Typed views need their element alignment; a pooled buffer may not have it.
  let payload = file.subarray(start);
  if (payload.byteOffset % 8 !== 0) payload = Buffer.from(payload);
  if (payloadCrc !== header.payloadCrc) return undefined;

  const sections = new Map(header.sections.map((section) => [section.name, section]));
  const strings = (name: string): string[] => {
    const section = sections.get(name);
    if (section?.kind !== "strings" && section?.kind !== "json") throw new Error(`missing ${name}`);
    const text = payload.toString("utf8", section.offset, section.offset + section.bytes);
    let values: unknown;
    if (section.kind === "strings") values = section.count === 0 ? [] : text.split("\0");
    else {
      values = JSON.parse(text) as unknown;
      if (!Array.isArray(values) || values.some((value) => typeof value !== "string")) throw new Error(name);
    }
    if (!Array.isArray(values) || values.length !== section.count) throw new Error(`bad ${name}`);
    return values as string[];
  };
  const typed = (name: string, kind?: string, length?: number): ArrayBufferView => {
    const section = sections.get(name);
    if (!section || !(section.kind in TYPED_ARRAYS)) throw new Error(name);
    if (kind !== undefined && section.kind !== kind) throw new Error(`bad ${name}`);
    const type = TYPED_ARRAYS[section.kind as TypedKind];
    if (
      section.count * type.BYTES_PER_ELEMENT !== section.bytes ||
      section.offset + section.bytes > payload.byteLength
    )
      throw new Error(`bad ${name}`);
    if (length !== undefined && section.count !== length) throw new Error(`bad ${name}`);
    return new type(payload.buffer as ArrayBuffer, payload.byteOffset + section.offset, section.count);
  };

  const columns = new Map<string, ArrayBufferView>();
  const expected = SearchIndex.snapshotColumnKinds();
  const saved = header.sections.filter((section) => section.name.startsWith("column.")).length;
  if (saved !== expected.size) return undefined;
  for (const [name, kind] of expected) {
    // docOfPk is by repo pk, every other column by document.
    columns.set(name, typed(`column.${name}`, kind, name === "docOfPk" ? undefined : header.capacity));
  }
  const lazyList = (name: string, count: number): string[] => {
    const section = sections.get(name);
    if (!sections.has(`${name}.offsets`)) return strings(name);
    const offsets = typed(`${name}.offsets`, "Uint32Array", count + 1) as Uint32Array;
    if (section?.kind !== "strings" || section.count !== count) throw new Error(`bad ${name}`);
    if (offsets[count] !== (count === 0 ? 0 : section.bytes + 1)) throw new Error(`bad ${name}`);
    return lazyStrings(payload, section, offsets);
  };
  const ids = lazyList("ids", header.size);
  if (ids.length !== header.size || header.size > header.capacity || header.builtCount > header.size)
    return undefined;
  const multi = (name: string) => {
    const dictionary = strings(`multi.${name}.dictionary`);
    const offsets = typed(`multi.${name}.offsets`, "Uint32Array", header.builtCount + 1) as Uint32Array;
    const values = typed(`multi.${name}.values`, "Uint32Array", offsets[header.builtCount]) as Uint32Array;
    return { dictionary, offsets, values };
  };
  const sortedTerms = lazyList("text.sortedTerms", sections.get("text.sortedTerms")?.count ?? 0);
  const textOffsets = typed("text.offsets", "Uint32Array", sortedTerms.length + 1) as Uint32Array;
  const postings = textOffsets[sortedTerms.length]!;
  return {
    size: header.size,
    capacity: header.capacity,
    builtCount: header.builtCount,
    sequence: header.sequence,
    buildMs: header.buildMs,
    referenceTime: header.referenceTime,
    ids,
    columns,
    dictionaries: {
      authors: strings("dictionary.authors"),
      tasks: strings("dictionary.tasks"),
      libraries: strings("dictionary.libraries"),
      licenses: strings("dictionary.licenses"),
    },
    multiValues: {
      languages: multi("languages"),
      datasets: multi("datasets"),
      baseModels: multi("baseModels"),
      tags: multi("tags"),
    },
    text: {
      sortedTerms,
      offsets: textOffsets,
      docs: typed("text.docs", "Uint32Array", postings) as Uint32Array,
      fields: typed("text.fields", "Uint8Array", postings) as Uint8Array,
    },
  };
}
