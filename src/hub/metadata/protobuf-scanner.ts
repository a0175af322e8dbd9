import type { BlobSource } from "./blob-source.ts";

/** Protobuf wire types (the deprecated group types are rejected). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_FIXED32 = 5;

export interface WireField {
  field: number;
  wireType: number;
  /** The value of a varint field. */
  varint: number;
  /** Where a length-delimited value's bytes are, `[start, end)` in the file. */
  start: number;
  end: number;
}

/** Reads are small and scattered (message headers between large tensors), so chunks stay small. */
const CHUNK_BYTES = 4096;

/**
 * Messages decoded whole (graph inputs and outputs, opsets, names) are small in any real model; a larger
 * one would be decoded on the event loop in one go, so it is refused.
 */
export const MAX_DECODED_MESSAGE_BYTES = 1024 ** 2;

/**
 * How much a scan may read and walk: every field costs a little work on the event loop, and a file can be
 * made of nothing but millions of tiny fields.
 */
export interface ScanBounds {
  maxBytesRead: number;
  maxFields: number;
}

/** How the error of a scan over its bounds starts. */
export const SCAN_BOUND_EXCEEDED = "reading the graph needs more than";

/**
 * Walks protobuf messages in a file by seeking: length-delimited fields nobody asks for (tensor data) are
 * skipped without being read, so only the few bytes around field headers come off the disk.
 */
export class ProtobufScanner {
  private chunk: Buffer = Buffer.alloc(0);
  private chunkStart = 0;
  /** Bytes read from the source so far. */
  bytesRead = 0;
  /** Fields walked so far. */
  fieldsRead = 0;

  constructor(
    private readonly source: BlobSource,
    private readonly bounds: ScanBounds,
  ) {}

  get size(): number {
    return this.source.size;
  }

  private async load(position: number, length: number): Promise<void> {
    if (position >= this.chunkStart && position + length <= this.chunkStart + this.chunk.byteLength) return;
    if (position + length > this.source.size) throw new Error("a field runs past the end of the file");
    const size = Math.max(length, CHUNK_BYTES);
    this.bytesRead += size;
    if (this.bytesRead > this.bounds.maxBytesRead) {
      throw new Error(`${SCAN_BOUND_EXCEEDED} ${this.bounds.maxBytesRead} bytes`);
    }
    this.chunk = await this.source.read(position, Math.min(position + size, this.source.size));
    this.chunkStart = position;
  }

  /** Bytes `[start, end)`, for small messages decoded whole. */
  async bytes(start: number, end: number): Promise<Buffer> {
    if (end - start > MAX_DECODED_MESSAGE_BYTES) {
      throw new Error(
        `a message of ${end - start} bytes is over the ${MAX_DECODED_MESSAGE_BYTES} read whole`,
      );
    }
    await this.load(start, end - start);
    return Buffer.from(this.chunk.subarray(start - this.chunkStart, end - this.chunkStart));
  }

  /** A varint at `position`: its value (exact up to 2^53) and where the next field starts. */
  private async varint(position: number): Promise<[value: number, next: number]> {
    let value = 0;
    let scale = 1;
    for (let offset = 0; offset < 10; offset++) {
      await this.load(position + offset, 1);
      const byte = this.chunk[position + offset - this.chunkStart] as number;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return [value, position + offset + 1];
    }
    throw new Error("a varint is longer than 10 bytes");
  }

  /** The fields of the message stored in `[start, end)`, in file order. */
  async *fields(start: number, end: number): AsyncGenerator<WireField> {
    let position = start;
    while (position < end) {
      if (++this.fieldsRead > this.bounds.maxFields) {
        throw new Error(`${SCAN_BOUND_EXCEEDED} ${this.bounds.maxFields} fields`);
      }
      const [key, afterKey] = await this.varint(position);
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      switch (wireType) {
        case WIRE_VARINT: {
          const [varint, next] = await this.varint(afterKey);
          yield { field, wireType, varint, start: afterKey, end: next };
          position = next;
          break;
        }
        case WIRE_FIXED64:
          position = afterKey + 8;
          yield { field, wireType, varint: 0, start: afterKey, end: position };
          break;
        case WIRE_FIXED32:
          position = afterKey + 4;
          yield { field, wireType, varint: 0, start: afterKey, end: position };
          break;
        case WIRE_LENGTH: {
          const [length, valueStart] = await this.varint(afterKey);
          position = valueStart + length;
          if (position > end) throw new Error("a message runs past its parent");
          yield { field, wireType, varint: 0, start: valueStart, end: position };
          break;
        }
        default:
          throw new Error(`unsupported protobuf wire type ${wireType}`);
      }
    }
  }

  /** Packed varints in `[start, end)` (e.g. `repeated int64 dims`), at most `max` of them. */
  async packedVarints(start: number, end: number, max: number): Promise<number[]> {
    const values: number[] = [];
    let position = start;
    while (position < end) {
      if (values.length === max) throw new Error(`more than ${max} packed values`);
      const [value, next] = await this.varint(position);
      values.push(value);
      position = next;
    }
    return values;
  }
}
