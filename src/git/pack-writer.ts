import { createHash, type Hash } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { createDeflate, deflateSync } from "node:zlib";
import type { GitObjectType } from "../core/git-objects.ts";
import { FLUSH, MAX_SIDEBAND_DATA, sidebandLine } from "./pkt-line.ts";

/** Writes bytes to the client, resolving once they may be followed by more (backpressure). */
export type Sink = (chunk: Buffer) => Promise<void>;

/**
 * The response stream of a fetch: with side-band-64k, pack bytes go on band 1 in packets of up to 65515
 * bytes, progress on band 2, a fatal error on band 3; without it, the pack goes as it is and progress is
 * dropped.
 */
export class SidebandWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly sink: Sink,
    readonly sideband: boolean,
    private readonly progressEnabled: boolean,
  ) {}

  async data(chunk: Buffer): Promise<void> {
    if (!this.sideband) {
      await this.sink(chunk);
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    if (this.pendingBytes >= MAX_SIDEBAND_DATA) await this.drain(false);
  }

  private async drain(all: boolean): Promise<void> {
    let buffered = Buffer.concat(this.pending);
    while (buffered.byteLength >= MAX_SIDEBAND_DATA || (all && buffered.byteLength > 0)) {
      const piece = buffered.subarray(0, MAX_SIDEBAND_DATA);
      await this.sink(sidebandLine(1, piece));
      buffered = buffered.subarray(piece.byteLength);
    }
    this.pending = buffered.byteLength > 0 ? [buffered] : [];
    this.pendingBytes = buffered.byteLength;
  }

  async progress(text: string): Promise<void> {
    if (!this.sideband || !this.progressEnabled) return;
    await this.drain(true);
    await this.sink(sidebandLine(2, Buffer.from(text)));
  }

  /** A fatal error in the middle of a pack: git shows it and stops (without side-band it sees a short pack). */
  async error(text: string): Promise<void> {
    if (!this.sideband) return;
    await this.drain(true);
    await this.sink(sidebandLine(3, Buffer.from(`${text}\n`)));
  }

  /** Sends what is buffered and, with side-band, the flush that ends the stream. */
  async end(): Promise<void> {
    await this.drain(true);
    if (this.sideband) await this.sink(FLUSH);
  }
}

const TYPE_NUMBERS: Record<GitObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/** An object's header in a pack: its type and inflated size, 4 bits then 7 per byte. */
export function packObjectHeader(type: GitObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_NUMBERS[type] << 4) | (size % 16);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest % 128;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/** Bodies up to this size are deflated at once; larger ones are streamed through zlib's thread pool. */
const INLINE_DEFLATE_BYTES = 256 * 1024;

/**
 * A version 2 pack written as it goes: a header with the object count, each object whole (no deltas) and
 * zlib-deflated, and the sha1 of everything before it.
 */
export class PackWriter {
  private readonly hash: Hash = createHash("sha1");
  private written = 0;

  constructor(private readonly out: (chunk: Buffer) => Promise<void>) {}

  private async emit(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    await this.out(chunk);
  }

  async begin(count: number): Promise<void> {
    const header = Buffer.alloc(12);
    header.write("PACK", 0, "latin1");
    header.writeUInt32BE(2, 4);
    header.writeUInt32BE(count, 8);
    await this.emit(header);
  }

  async object(type: GitObjectType, body: Buffer): Promise<void> {
    if (body.byteLength > INLINE_DEFLATE_BYTES) {
      await this.streamedObject(type, body.byteLength, [body]);
      return;
    }
    await this.emit(Buffer.concat([packObjectHeader(type, body.byteLength), deflateSync(body)]));
    this.written++;
  }

  /** An object whose bytes arrive in pieces (a blob read from the store); they must add up to `size`. */
  async streamedObject(
    type: GitObjectType,
    size: number,
    source: AsyncIterable<Buffer> | Iterable<Buffer>,
  ): Promise<void> {
    await this.emit(packObjectHeader(type, size));
    let seen = 0;
    async function* counted(chunks: AsyncIterable<Buffer> | Iterable<Buffer>) {
      for await (const chunk of chunks) {
        seen += chunk.byteLength;
        if (seen > size) break;
        yield chunk;
      }
    }
    await pipeline(counted(source), createDeflate(), async (deflated: AsyncIterable<Buffer>) => {
      for await (const chunk of deflated) await this.emit(chunk);
    });
    if (seen !== size) {
      throw new Error(
        `the stored bytes of a ${type} are ${seen > size ? "longer" : "shorter"} than its ${size} bytes`,
      );
    }
    this.written++;
  }

  get objectsWritten(): number {
    return this.written;
  }

  async end(): Promise<void> {
    await this.out(this.hash.digest());
  }
}
