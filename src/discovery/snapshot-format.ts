/**
 * The layout of a search index snapshot, shared by the writer (search-index-snapshot.ts) and the reader
 * (snapshot-load.ts).
 *
 * A fixed prefix (magic, format version, header length, header CRC), a JSON header naming the sections, then
 * the payload: the sections one after another, 8-byte aligned (typed columns as their raw bytes, string lists
 * NUL-separated, or JSON arrays when a value holds a NUL), and after the payload a table of CRC-32s, one per
 * block of BLOCK_BYTES of payload. The table lets a reader check exactly the part it reads, so it can read a
 * section (or a few postings, or one model id) when it is first needed instead of the whole file at once.
 */
import { createHash } from "node:crypto";
import type { SearchIndexState } from "./search-index-state.ts";
import { sortOrder } from "./sort-order.ts";

export const MAGIC = Buffer.from("HGSINDEX", "latin1");
/**
 * Bump when the layout or the meaning of a column changes: older files are then ignored. 3: CRC per block,
 * stored sort orders.
 */
export const SNAPSHOT_FORMAT_VERSION = 3;
export const PREFIX_BYTES = 24;
/** Payload bytes per CRC-32 in the block table. */
export const BLOCK_BYTES = 16 * 1024;

export const TYPED_ARRAYS = {
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
export type TypedKind = keyof typeof TYPED_ARRAYS;
export type TypedColumn = InstanceType<(typeof TYPED_ARRAYS)[TypedKind]>;
/** NUL-separated UTF-8, or a JSON array when a value holds a NUL. */
export type StringKind = "strings" | "json";

export interface Section {
  name: string;
  kind: TypedKind | StringKind;
  /** Bytes from the start of the payload. */
  offset: number;
  bytes: number;
  /** Elements: strings in a list, numbers in a typed array. */
  count: number;
  /** For a stored sort order: SORT_FINGERPRINT of the writer. */
  key?: string;
}

/** The header: the index's counters as its state has them (search-index-state.ts), and where the sections are. */
export interface SnapshotHeader
  extends Pick<
    SearchIndexState,
    "size" | "capacity" | "builtCount" | "sequence" | "buildMs" | "referenceTime"
  > {
  identity: string;
  endianness: string;
  payloadBytes: number;
  /** CRC-32 of the block table that follows the payload (one Uint32 per block). */
  blockTableCrc: number;
  sections: Section[];
}

export function typedKind(view: ArrayBufferView): TypedKind {
  const kind = view.constructor.name;
  if (!(kind in TYPED_ARRAYS)) throw new Error(`A search index column of type ${kind} has no snapshot form`);
  return kind as TypedKind;
}

/** Bytes of padding after `bytes` to the next multiple of 8. */
export function padding8(bytes: number): number {
  return (8 - (bytes % 8)) % 8;
}

/** Where the payload starts in a file whose header is `headerBytes` long. */
export function payloadStartOf(headerBytes: number): number {
  return PREFIX_BYTES + headerBytes + padding8(PREFIX_BYTES + headerBytes);
}

export function blockCount(payloadBytes: number): number {
  return Math.ceil(payloadBytes / BLOCK_BYTES);
}

/**
 * The sort a stored order was made with (its tie-breaks and the place of missing keys): a fingerprint of
 * sortOrder's source, so an order written by a version of Hangar that sorted differently is not taken. Which
 * key it is sorted by is checked on use (see snapshot-load.ts).
 */
export const SORT_FINGERPRINT = createHash("sha256").update(sortOrder.toString()).digest("hex").slice(0, 16);
