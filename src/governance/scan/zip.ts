import { promisify } from "node:util";
import { inflateRaw } from "node:zlib";
import { type ByteSource, bytesSource, sliceSource } from "./source.ts";

const inflateRawAsync = promisify(inflateRaw);

export interface ZipEntry {
  /** Name in the central directory (what zip tools list). */
  name: string;
  /** Name in the local header (what a streaming reader sees), when it differs. */
  localName?: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const readU16 = (b: Uint8Array, p: number) => b[p]! | (b[p + 1]! << 8);
const readU32 = (b: Uint8Array, p: number) =>
  (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
const readU64 = (b: Uint8Array, p: number) => readU32(b, p) + readU32(b, p + 4) * 0x100000000;
const utf8 = new TextDecoder();

export class ZipError extends Error {}
/** More members than the scan's limit: the archive is not malformed, just not inspected. */
export class ZipLimit extends ZipError {}

/**
 * The central directory of a zip, read as leniently as PyTorch's reader: flag bits, CRCs and local names are
 * ignored for locating data (the local name is reported when it differs). Only the directory is read.
 */
export async function readZipDirectory(source: ByteSource, maxEntries: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(source.size, 65_557);
  const tail = await source.read(source.size - tailLength, tailLength);
  let eocd = -1;
  for (let p = tail.length - 22; p >= 0; p--) {
    if (tail[p] === 0x50 && tail[p + 1] === 0x4b && tail[p + 2] === 0x05 && tail[p + 3] === 0x06) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new ZipError("no end-of-central-directory record (truncated or not a zip)");
  let count = readU16(tail, eocd + 10);
  let dirSize = readU32(tail, eocd + 12);
  let dirOffset = readU32(tail, eocd + 16);
  const locatorAt = eocd - 20;
  if (locatorAt >= 0 && readU32(tail, locatorAt) === 0x07064b50) {
    const zip64At = readU64(tail, locatorAt + 8);
    const record = await source.read(zip64At, 56);
    if (record.length === 56 && readU32(record, 0) === 0x06064b50) {
      count = readU64(record, 32);
      dirSize = readU64(record, 40);
      dirOffset = readU64(record, 48);
    }
  }
  if (count > maxEntries) throw new ZipLimit(`${count} entries, more than the scan's limit of ${maxEntries}`);
  if (dirOffset + dirSize > source.size) throw new ZipError("central directory lies outside the file");
  const dir = await source.read(dirOffset, dirSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > dir.length || readU32(dir, p) !== 0x02014b50)
      throw new ZipError(`central directory entry ${i} is malformed`);
    const nameLength = readU16(dir, p + 28);
    const extraLength = readU16(dir, p + 30);
    const commentLength = readU16(dir, p + 32);
    let compressedSize = readU32(dir, p + 20);
    let size = readU32(dir, p + 24);
    let localOffset = readU32(dir, p + 42);
    const name = utf8.decode(dir.subarray(p + 46, p + 46 + nameLength));
    // zip64 extra field: the sizes and offset that are 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = readU16(dir, e);
      const length = readU16(dir, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = readU64(dir, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = readU64(dir, q);
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = readU64(dir, q);
      }
      e += 4 + length;
    }
    entries.push({
      name,
      method: readU16(dir, p + 10),
      flags: readU16(dir, p + 8),
      compressedSize,
      size,
      localOffset,
    });
    p = extraEnd + commentLength;
  }
  return entries;
}

/** Where an entry's data starts, from its local header; also fills `localName`. */
async function dataStart(source: ByteSource, entry: ZipEntry): Promise<number> {
  const header = await source.read(entry.localOffset, 30);
  if (header.length < 30 || readU32(header, 0) !== 0x04034b50)
    throw new ZipError(`${entry.name}: no local header at ${entry.localOffset}`);
  const nameLength = readU16(header, 26);
  const extraLength = readU16(header, 28);
  const localName = utf8.decode(await source.read(entry.localOffset + 30, nameLength));
  if (localName !== entry.name) entry.localName = localName;
  return entry.localOffset + 30 + nameLength + extraLength;
}

/**
 * An entry's bytes: stored entries are a slice of the archive (never copied); deflated ones are inflated up
 * to `budget.inflated` bytes. Other methods throw.
 */
export async function openZipEntry(
  source: ByteSource,
  entry: ZipEntry,
  budget: { inflated: number },
): Promise<ByteSource> {
  const start = await dataStart(source, entry);
  if (start + entry.compressedSize > source.size)
    throw new ZipError(`${entry.name}: data runs past the end of the archive`);
  if (entry.method === 0) return sliceSource(source, start, entry.compressedSize);
  if (entry.method !== 8)
    throw new ZipError(`${entry.name}: compression method ${entry.method} is not supported`);
  const cap = Math.max(0, budget.inflated);
  // Deflate never shrinks data by more than its stored blocks' 5-byte headers per 64 KiB: a member whose
  // compressed size is past that of the budget cannot inflate within it, and is not read into memory.
  if (entry.compressedSize > cap + Math.ceil(cap / 65_535) * 5 + 64)
    throw new ZipBomb(
      `${entry.name}: compressed size ${entry.compressedSize} is more than the scan's inflation limit (${cap} bytes left)`,
    );
  const compressed = await source.read(start, entry.compressedSize);
  let out: Buffer;
  try {
    out = await inflateRawAsync(compressed, { maxOutputLength: Math.max(1, cap) });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new ZipBomb(`${entry.name}: inflates past the scan's limit`);
    throw new ZipError(`${entry.name}: does not inflate (${(error as Error).message})`);
  }
  budget.inflated -= out.length;
  return bytesSource(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
}

export class ZipBomb extends Error {}
