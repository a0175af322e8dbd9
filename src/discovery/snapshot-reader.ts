import { readSync } from "node:fs";
import { crc32 } from "node:zlib";
import {
  BLOCK_BYTES,
  type Section,
  TYPED_ARRAYS,
  type TypedColumn,
  type TypedKind,
} from "./snapshot-format.ts";

/**
 * Positioned, checked reads from an open search index snapshot (layout: snapshot-format.ts), and the lazy
 * properties and lists snapshot-load.ts builds an index from. Every read is checked against the CRCs of the
 * blocks it touches; a read that fails throws SnapshotDamagedError.
 */

/** A part of a snapshot read after the load failed its check: the index it belongs to must be rebuilt. */
export class SnapshotDamagedError extends Error {
  constructor(path: string, what: string) {
    super(`The search index snapshot ${path} is damaged (${what}); the index is rebuilt on the next search`);
    this.name = "SnapshotDamagedError";
  }
}

/** Values a lazy list reads one by one before it reads and splits the whole list. */
const LAZY_LIMIT = 65_536;
/** Range reads at most this long go through a buffer of whole blocks; longer ones are read in place. */
const SMALL_READ = 4 * BLOCK_BYTES;
/** Blocks the reader keeps for reads within one block (4 MiB). */
const CACHED_BLOCKS = 256;
/** Values a per-document column answers one by one from the file before it reads the whole column. */
const SINGLE_VALUES = 256;

export class SnapshotReader {
  private scratch = Buffer.allocUnsafeSlow(SMALL_READ + 2 * BLOCK_BYTES);
  private readonly edge = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  private readonly cache = new Map<number, Buffer>();
  onDamage: () => void = () => undefined;

  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly payloadStart: number,
    private readonly payloadBytes: number,
    private readonly blocks: Uint32Array,
  ) {}

  damage(what: string): never {
    this.onDamage();
    throw new SnapshotDamagedError(this.path, what);
  }

  private readFully(target: Uint8Array, length: number, position: number): void {
    for (let done = 0; done < length; ) {
      const read = readSync(this.fd, target, done, length - done, position + done);
      if (read === 0) this.damage("shorter than its header says");
      done += read;
    }
  }

  private check(block: number, bytes: Uint8Array): void {
    if (crc32(bytes) !== this.blocks[block]) this.damage(`block ${block} fails its CRC`);
  }

  private blockEnd(block: number): number {
    return Math.min((block + 1) * BLOCK_BYTES, this.payloadBytes);
  }

  /**
   * One block, checked, from a small cache: the reads of single values (a binary search over the terms, the
   * ids of a page of results, one document's value of a column) come back to the same blocks.
   */
  private block(block: number): Buffer {
    let bytes = this.cache.get(block);
    if (bytes) return bytes;
    const from = block * BLOCK_BYTES;
    const length = this.blockEnd(block) - from;
    bytes = Buffer.allocUnsafeSlow(length);
    this.readFully(bytes, length, this.payloadStart + from);
    this.check(block, bytes);
    if (this.cache.size >= CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(block, bytes);
    return bytes;
  }

  /** Payload bytes `[start, start + length)` into `target` (at 0), checked against every block they touch. */
  read(start: number, length: number, target: Uint8Array): void {
    if (length === 0) return;
    const first = Math.floor(start / BLOCK_BYTES);
    const last = Math.floor((start + length - 1) / BLOCK_BYTES);
    if (first === last) {
      const block = this.block(first);
      const at = start - first * BLOCK_BYTES;
      target.set(block.subarray(at, at + length));
      return;
    }
    if (length <= SMALL_READ) {
      // Whole blocks into the scratch buffer, checked there, then the wanted bytes copied out.
      const from = first * BLOCK_BYTES;
      const bytes = this.blockEnd(last) - from;
      if (this.scratch.byteLength < bytes) this.scratch = Buffer.allocUnsafeSlow(bytes);
      this.readFully(this.scratch, bytes, this.payloadStart + from);
      for (let block = first; block <= last; block++) {
        const at = block * BLOCK_BYTES - from;
        this.check(block, this.scratch.subarray(at, at + this.blockEnd(block) - block * BLOCK_BYTES));
      }
      target.set(this.scratch.subarray(start - from, start - from + length));
      return;
    }
    this.readFully(target, length, this.payloadStart + start);
    for (let block = first; block <= last; block++) {
      const blockStart = block * BLOCK_BYTES;
      const blockEnd = this.blockEnd(block);
      if (blockStart >= start && blockEnd <= start + length) {
        this.check(block, target.subarray(blockStart - start, blockEnd - start));
      } else {
        // A block shared with a neighbouring section: read whole to check it.
        this.readFully(this.edge, blockEnd - blockStart, this.payloadStart + blockStart);
        this.check(block, this.edge.subarray(0, blockEnd - blockStart));
        const overlapStart = Math.max(blockStart, start);
        const overlapEnd = Math.min(blockEnd, start + length);
        const fromEdge = this.edge.subarray(overlapStart - blockStart, overlapEnd - blockStart);
        if (!fromEdge.equals(target.subarray(overlapStart - start, overlapEnd - start)))
          this.damage(`block ${block} changed while it was read`);
      }
    }
  }

  /** A whole section in a buffer of its own (8-byte aligned, so typed views need no copy). */
  bytes(section: Section): Buffer {
    const buffer = Buffer.allocUnsafeSlow(section.bytes);
    this.read(section.offset, section.bytes, buffer);
    return buffer;
  }

  typed(section: Section): TypedColumn {
    const type = TYPED_ARRAYS[section.kind as TypedKind];
    const buffer = this.bytes(section);
    return new type(buffer.buffer as ArrayBuffer, buffer.byteOffset, section.count);
  }

  /** Elements `[from, to)` of a typed section. */
  typedRange(section: Section, from: number, to: number): TypedColumn {
    const type = TYPED_ARRAYS[section.kind as TypedKind];
    const size = type.BYTES_PER_ELEMENT;
    const buffer = Buffer.allocUnsafeSlow((to - from) * size);
    this.read(section.offset + from * size, (to - from) * size, buffer);
    return new type(buffer.buffer as ArrayBuffer, buffer.byteOffset, to - from);
  }

  strings(section: Section): string[] {
    const text = this.bytes(section).toString("utf8");
    let values: unknown;
    if (section.kind === "strings") values = section.count === 0 ? [] : text.split("\0");
    else values = JSON.parse(text) as unknown;
    if (
      !Array.isArray(values) ||
      values.length !== section.count ||
      values.some((value) => typeof value !== "string")
    )
      this.damage(`${section.name} does not hold ${section.count} strings`);
    return values as string[];
  }
}

/**
 * A property of `target` read from the snapshot on first access, then an ordinary property holding it. A
 * write before the first read replaces it without reading.
 */
export function defineLazy(target: object, name: string, load: () => unknown): void {
  const settle = (value: unknown) =>
    Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: true,
    get() {
      const value = load();
      settle(value);
      return value;
    },
    set(value: unknown) {
      settle(value);
    },
  });
}

/**
 * A string list (the model ids, the sorted terms) as an array read on access: a query reads a few dozen of a
 * million ids (its page of results) and a few thousand terms (binary searches), each read alone from the file
 * with its two offsets, until something reads many (a scan over every id for `id_contains`), which then reads
 * and splits the whole list. Writes (documents patched or appended after the load) go to the array as usual.
 */
export function lazyList(reader: SnapshotReader, section: Section, offsets: Section | undefined): string[] {
  if (!offsets) return reader.strings(section);
  const values: string[] = new Array(section.count);
  const pair = new Uint32Array(2);
  const pairBytes = new Uint8Array(pair.buffer);
  let decoded = 0;
  let whole = false;
  const decodeAll = () => {
    whole = true;
    const all = reader.strings(section);
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
      reader.read(offsets.offset + index * 4, 8, pairBytes);
      const [start, end] = [pair[0]!, pair[1]!];
      if (!(start < end && end - 1 <= section.bytes)) reader.damage(`${section.name}.offsets out of range`);
      const bytes = Buffer.allocUnsafe(end - 1 - start);
      reader.read(section.offset + start, end - 1 - start, bytes);
      const text = bytes.toString("utf8");
      target[index] = text;
      return text;
    },
  });
}

/**
 * A column a query reads a few values of (a page of hits, a sample for insights, the sort key of a few
 * thousand text matches): `target[name]` answers each value from the file, until it has answered
 * SINGLE_VALUES of them, when the whole column is read and becomes an ordinary property. Until then the
 * property is a proxy of the column, several hundred times slower per value than the column itself: only
 * for columns that no code reads in a loop over a reference it keeps (a `const values = index.column`);
 * those are read whole (defineLazy).
 */
export function defineLazyValues(
  target: object,
  name: string,
  reader: SnapshotReader,
  section: Section,
): void {
  const type = TYPED_ARRAYS[section.kind as TypedKind];
  const size = type.BYTES_PER_ELEMENT;
  const one = new type(1);
  const oneBytes = new Uint8Array(one.buffer);
  let whole: TypedColumn | undefined;
  let answered = 0;
  const load = (): TypedColumn => {
    if (!whole) {
      whole = reader.typed(section);
      Object.defineProperty(target, name, {
        value: whole,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return whole;
  };
  const forward = (property: string | symbol) => {
    const array = load();
    const value = Reflect.get(array, property, array) as unknown;
    return typeof value === "function" ? value.bind(array) : value;
  };
  const proxy = new Proxy(new type(0), {
    get(_, property) {
      if (whole || typeof property !== "string") return forward(property);
      const code = property.charCodeAt(0);
      if (code < 48 || code > 57 || ++answered > SINGLE_VALUES) return forward(property);
      const index = Number(property);
      if (!Number.isInteger(index) || index >= section.count) return forward(property);
      reader.read(section.offset + index * size, size, oneBytes);
      return one[0];
    },
    set(_, property, value) {
      const array = load();
      return Reflect.set(array, property, value, array);
    },
    has(_, property) {
      return Reflect.has(load(), property);
    },
  });
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: true,
    get: () => whole ?? proxy,
    set(value: unknown) {
      whole = value as TypedColumn;
      Object.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}
