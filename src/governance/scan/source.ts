import { type FileHandle, open } from "node:fs/promises";
import { stepperMemory } from "./pickle-wasm.ts";

/** Random-access bytes of a file or a part of one: the scanner reads bounded ranges, never a whole model. */
export interface ByteSource {
  readonly size: number;
  /** Bytes `[offset, offset + length)`, shorter only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Sequential chunks of `[offset, end)`. With `reuse`, a source may read into a few recycled buffers: a
   * chunk's bytes then stay valid only until the chunk two after it is asked for (Cursor copies what it keeps),
   * and not at all once the iteration is stopped early (`return`), which may hand the buffers to the next one.
   */
  chunks(offset: number, end?: number, reuse?: boolean): AsyncIterable<Uint8Array>;
}

const CHUNK = 1024 * 1024;

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    async *chunks(offset, end = bytes.length) {
      for (let at = offset; at < end; at += CHUNK) yield bytes.subarray(at, Math.min(end, at + CHUNK));
    },
  };
}

/** A file opened for bounded reads; `close` when done. */
export async function openFileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle: FileHandle = await open(path, "r");
  const { size } = await handle.stat();
  const readInto = async (buffer: Buffer, offset: number, length: number): Promise<Uint8Array> => {
    const wanted = Math.max(0, Math.min(length, size - offset));
    let done = 0;
    while (done < wanted) {
      const { bytesRead } = await handle.read(buffer, done, wanted - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  };
  const read = (offset: number, length: number) =>
    readInto(Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset))), offset, length);
  const rings = new RingChunks(readInto);
  return {
    size,
    read,
    chunks: (offset, end = size, reuse = false) =>
      reuse ? rings.chunks(offset, end) : readAhead(offset, end, read),
    close: () => handle.close(),
  };
}

/**
 * Chunks read into three buffers in turn (the one being read ahead, the one handed out, the one before it,
 * which a Cursor may still copy from): no 1 MB garbage per chunk, which made the GC run often over a large
 * pickle model. A seek starts a new iteration: it takes the ring the last one gave back, as fresh buffers for
 * every seek (25 of them in a 200 MB legacy checkpoint) cost more than the scan itself.
 */
class RingChunks {
  /** Rings of whole-chunk buffers given back by iterations stopped early (a Cursor's seek), for the next. */
  private readonly spare: Buffer[][] = [];

  constructor(
    private readonly readInto: (buffer: Buffer, offset: number, length: number) => Promise<Uint8Array>,
  ) {}

  chunks(offset: number, end: number): AsyncIterable<Uint8Array> {
    const length = Math.min(CHUNK, Math.max(0, end - offset));
    const ring = (length === CHUNK ? this.spare.pop() : undefined) ?? newRing(length);
    let turn = 0;
    const give = length === CHUNK ? () => this.spare.push(ring) : undefined;
    return readAhead(
      offset,
      end,
      (at, length) => this.readInto(ring[turn++ % ring.length]!, at, length),
      give,
    );
  }
}

/**
 * Three buffers of `length` bytes: of whole chunks, in one WebAssembly memory, where the pickle walk's loop
 * over numbers reads them in place (pickle-wasm.ts); plain ones for less (a memory costs 30-300 µs to make,
 * more than the walk of a small file saves) or if no memory can be had.
 */
function newRing(length: number): Buffer[] {
  const memory = length === CHUNK ? stepperMemory(3 * length) : undefined;
  return [0, 1, 2].map((i) =>
    memory === undefined ? Buffer.allocUnsafe(length) : Buffer.from(memory, i * length, length),
  );
}

/**
 * Chunks of `[offset, end)` read one ahead: the next is read (on libuv's threads) while this one is used.
 * When the consumer stops early, `stopped` is called once no read is in flight any more.
 */
async function* readAhead(
  offset: number,
  end: number,
  read: (offset: number, length: number) => Promise<Uint8Array>,
  stopped?: () => void,
): AsyncIterable<Uint8Array> {
  const ahead = (at: number) => {
    const pending = read(at, Math.min(CHUNK, end - at));
    // A consumer that stops early never awaits the read in flight; its failure is not an error then.
    pending.catch(() => {});
    return pending;
  };
  let at = offset;
  let next = at < end ? ahead(at) : undefined;
  let finished = false;
  try {
    while (next !== undefined) {
      const chunk = await next;
      if (chunk.length === 0) break;
      at += chunk.length;
      next = at < end ? ahead(at) : undefined;
      yield chunk;
    }
    finished = true;
  } finally {
    if (!finished && stopped !== undefined) {
      // The read ahead may still be writing into a buffer that is about to be reused.
      await next?.catch(() => {});
      stopped();
    }
  }
}

/**
 * A source of `size` bytes over a bounded-read function (a blob store's range reads); chunks are reads of
 * 1 MB. With `reuse`, each read is copied into a ring of buffers as a file's chunks are read (in WebAssembly
 * memory, where the pickle walk steps over numbers in place): a copy of a megabyte costs far less than the
 * range read it follows.
 */
export function readerSource(
  size: number,
  read: (offset: number, length: number) => Promise<Uint8Array>,
): ByteSource {
  const rings = new RingChunks(async (buffer, offset, length) => {
    const bytes = await read(offset, Math.min(length, buffer.length));
    buffer.set(bytes);
    return buffer.subarray(0, bytes.length);
  });
  return {
    size,
    read,
    chunks: (offset, end = size, reuse = false) =>
      reuse ? rings.chunks(offset, end) : readAhead(offset, end, read),
  };
}

/** `[start, start + length)` of another source. */
export function sliceSource(source: ByteSource, start: number, length: number): ByteSource {
  const size = Math.max(0, Math.min(length, source.size - start));
  return {
    size,
    read: (offset, len) => source.read(start + offset, Math.max(0, Math.min(len, size - offset))),
    chunks: (offset, end = size, reuse) => source.chunks(start + offset, start + Math.min(end, size), reuse),
  };
}

/** Thrown by a Cursor read past the end of its bytes. */
export class EndOfData extends Error {
  constructor(readonly offset: number) {
    super(`unexpected end of data at byte ${offset}`);
  }
}

/** Bytes copied across a chunk boundary at least (or as many as `ensure` asks): small, so a boundary is cheap. */
const STITCH = 4096;

/**
 * A forward-only reader over chunks with a small window: parsers call `ensure(n)` before reading `n` bytes
 * synchronously from `buf` at `pos`, and `skip` large payloads without keeping them. Chunks are never
 * concatenated: when `n` bytes span a boundary, the few left of the old chunk and the first bytes of the next
 * one are copied into a small buffer, and reading goes back to the next chunk itself once past the old bytes.
 */
export class Cursor {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  /** Absolute offset of `buf[0]`. */
  base: number;
  private iterator: AsyncIterator<Uint8Array>;
  private ended = false;
  /** Set for random-access sources: long skips seek instead of reading. */
  private seekable?: { source: ByteSource; end: number };
  /**
   * When `buf` is a stitch: the chunk its tail was copied from, where `buf[i]` is `resume[i - shift]` for
   * `i >= shift`; the bytes of `resume` after the stitch have not been read yet.
   */
  private resume: Uint8Array | undefined;
  private shift = 0;

  constructor(chunks: AsyncIterable<Uint8Array>, start = 0) {
    this.iterator = chunks[Symbol.asyncIterator]();
    this.base = start;
  }

  static over(source: ByteSource, offset = 0, end = source.size): Cursor {
    const cursor = new Cursor(source.chunks(offset, end, true), offset);
    cursor.seekable = { source, end };
    return cursor;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.buf.length - this.pos;
  }

  /** The next unread chunk: the rest of the one a stitch came from, then the source's. */
  private async pull(): Promise<Uint8Array | undefined> {
    if (this.resume !== undefined) {
      const rest = this.resume.subarray(this.buf.length - this.shift);
      this.resume = undefined;
      if (rest.length > 0) return rest;
    }
    if (this.ended) return undefined;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return undefined;
    }
    return next.value;
  }

  /** Makes `n` bytes readable at `pos`; false when the data ends first. */
  async ensure(n: number): Promise<boolean> {
    while (this.buf.length - this.pos < n) {
      const resume = this.resume;
      if (resume !== undefined && this.pos >= this.shift) {
        // Past the old chunk's bytes: read on in the chunk the stitch's tail came from, without copying.
        this.base += this.shift;
        this.pos -= this.shift;
        this.buf = resume;
        this.resume = undefined;
        continue;
      }
      const next = await this.pull();
      if (next === undefined) return false;
      const rest = this.buf.subarray(this.pos);
      this.base += this.pos;
      this.pos = 0;
      if (rest.length === 0) {
        this.buf = next;
        continue;
      }
      const want = Math.min(next.length, Math.max(n - rest.length, STITCH));
      // A Buffer like the file's chunks (every byte is set below): the walk's loops then see one kind of array.
      const joined = Buffer.allocUnsafe(rest.length + want);
      joined.set(rest, 0);
      joined.set(want === next.length ? next : next.subarray(0, want), rest.length);
      this.buf = joined;
      if (want < next.length) {
        this.resume = next;
        this.shift = rest.length;
      }
    }
    return true;
  }

  async need(n: number): Promise<void> {
    if (!(await this.ensure(n))) throw new EndOfData(this.offset + this.available);
  }

  /** Whether any byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.ensure(1));
  }

  /** Consumes `n` bytes and returns them (copied out of the window). */
  async take(n: number): Promise<Uint8Array> {
    await this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  async u8(): Promise<number> {
    await this.need(1);
    return this.buf[this.pos++]!;
  }

  async u32(): Promise<number> {
    await this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }

  /** A little-endian u64 as a bigint. */
  async u64(): Promise<bigint> {
    const lo = await this.u32();
    const hi = await this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Skips `n` bytes without keeping them; throws EndOfData when fewer are left. */
  async skip(n: number): Promise<void> {
    if (this.seekable && n - this.available > 4 * CHUNK) {
      const target = this.offset + n;
      if (target > this.seekable.end) throw new EndOfData(this.seekable.end);
      await this.iterator.return?.();
      this.iterator = this.seekable.source.chunks(target, this.seekable.end, true)[Symbol.asyncIterator]();
      this.resume = undefined;
      this.buf = new Uint8Array(0);
      this.pos = 0;
      this.base = target;
      this.ended = false;
      return;
    }
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.ensure(1))) throw new EndOfData(this.offset);
      const step = Math.min(left, this.available);
      this.pos += step;
      left -= step;
    }
  }

  /**
   * Bytes up to (not including) the next `\n`, which is consumed; null (nothing consumed) when the line is
   * longer than `max`. Throws EndOfData when the data ends before a newline.
   */
  async line(max: number): Promise<Uint8Array | null> {
    let searched = 0;
    for (;;) {
      const index = this.buf.indexOf(0x0a, this.pos + searched);
      if (index >= 0) {
        if (index - this.pos > max) return null;
        const out = this.buf.slice(this.pos, index);
        this.pos = index + 1;
        return out;
      }
      searched = this.available;
      if (searched > max) return null;
      if (!(await this.ensure(searched + 1))) throw new EndOfData(this.offset + this.available);
    }
  }

  /** Consumes through the next `\n` without keeping the bytes. Throws EndOfData when there is none. */
  async skipLine(): Promise<void> {
    for (;;) {
      const index = this.buf.indexOf(0x0a, this.pos);
      if (index >= 0) {
        this.pos = index + 1;
        return;
      }
      this.pos = this.buf.length;
      if (!(await this.ensure(1))) throw new EndOfData(this.offset);
    }
  }
}
