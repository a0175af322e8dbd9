import { type FileHandle, open } from "node:fs/promises";
import { ChunkRelease } from "./chunk-release.ts";
import { alignUp, DIRECT_BLOCK_BYTES, type DirectIo, isAligned } from "./direct-io.ts";

/**
 * Sequential bytes written into a file from a given position: a blob arriving in the store, or one part of
 * a multipart upload landing at its offset. Network chunks (64 KB) are gathered into 1 MB writes that run
 * while the next chunks arrive. With direct I/O (see direct-io.ts) the chunks are copied into aligned
 * blocks written with O_DIRECT, a few in flight; otherwise they go through the page cache with one write in
 * flight. Either way `write` asks the caller to wait only when the disk is behind.
 */

/** Bytes gathered from the request before one write through the page cache. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Direct writes in flight at once, per writer. */
const DIRECT_WRITES_IN_FLIGHT = 2;

export interface FileWriterOptions {
  /** Where the first byte goes. */
  position: number;
  /**
   * Whether these bytes end the file. A direct writer pads its short last block to the alignment and then
   * truncates the file back to its real end, which only the file's last bytes may do.
   */
  endsFile: boolean;
  /** How many bytes are coming, when known: a range in the middle of a file must be whole blocks to go direct. */
  length?: number;
  /** Direct I/O of the file's folder; without it (or when it is not available) the page cache is used. */
  direct?: DirectIo;
  /** Runs before each write is issued; throwing stops the writer (a multipart attempt superseded meanwhile). */
  beforeWrite?: () => void;
  /** Sees each write issued, for callers that must wait for writes they did not issue themselves. */
  onWrite?: (write: Promise<unknown>) => void;
  /**
   * The chunks given to `write` belong to the writer and nobody reads them afterwards (a request body):
   * a direct writer frees each one once it is copied into a block (see chunk-release.ts).
   */
  releaseChunks?: boolean;
}

/**
 * Writes buffers at `position` (by default at the file's current position), looping over short writes.
 */
export async function writeAll(handle: FileHandle, buffers: Uint8Array[], position?: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    const total = rest.reduce((sum, buffer) => sum + buffer.byteLength, 0);
    const { bytesWritten } = await handle.writev(rest, at);
    if (bytesWritten >= total) return;
    if (at !== undefined) at += bytesWritten;
    let skip = bytesWritten;
    const remaining: Uint8Array[] = [];
    for (const buffer of rest) {
      if (skip >= buffer.byteLength) {
        skip -= buffer.byteLength;
        continue;
      }
      remaining.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    rest = remaining;
  }
}

export class FileWriter {
  readonly handle: FileHandle;
  /** Whether writes bypass the page cache. */
  readonly direct: boolean;
  /** Bytes handed to `write` so far. */
  received = 0;
  /** Bytes whose writes have been issued. */
  issued = 0;
  private readonly options: FileWriterOptions;
  private position: number;
  /** Page-cache mode: chunks gathered for the next write, and the write in flight. */
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private pending: Promise<unknown> | undefined;
  /** Direct mode: the block being filled, and the writes in flight (oldest first). */
  private block: Buffer | undefined;
  private fill = 0;
  private readonly inFlight: Promise<unknown>[] = [];
  private failed: unknown;
  /** Direct mode with `releaseChunks`: the chunks copied so far, freed in batches. */
  private readonly released: ChunkRelease | undefined;

  private constructor(handle: FileHandle, direct: boolean, options: FileWriterOptions) {
    this.handle = handle;
    this.direct = direct;
    this.options = options;
    this.position = options.position;
    this.released = direct && options.releaseChunks ? new ChunkRelease() : undefined;
  }

  /**
   * Opens `path` with `flags` (and O_DIRECT when the folder takes it and the range suits it: an aligned start,
   * and whole blocks unless the range ends the file).
   */
  static async open(path: string, flags: number, options: FileWriterOptions): Promise<FileWriter> {
    const { direct } = options;
    const suits =
      isAligned(options.position) &&
      (options.endsFile || (options.length !== undefined && isAligned(options.length)));
    if (direct && suits && (await direct.available())) {
      const handle = await open(path, direct.flags(flags)).catch(() => undefined);
      if (handle) return new FileWriter(handle, true, options);
      direct.disable();
    }
    return new FileWriter(await open(path, flags), false, options);
  }

  /** Takes a chunk; returns a promise to wait for only when the writes are behind. */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failed !== undefined) throw this.failed;
    this.received += chunk.byteLength;
    if (!this.direct) {
      this.batch.push(chunk);
      this.batchBytes += chunk.byteLength;
      return this.batchBytes >= WRITE_BATCH_BYTES ? this.flushBatch() : undefined;
    }
    const copying = this.copyIntoBlocks(chunk, 0);
    const released = this.released;
    if (!released) return copying;
    if (!copying) {
      released.add(chunk);
      return undefined;
    }
    return copying.then(() => released.add(chunk));
  }

  /** Writes what is left and waits for every write; a padded direct tail is truncated away. */
  async end(): Promise<void> {
    if (!this.direct) {
      await this.flushBatch();
      await this.pending;
      return;
    }
    this.released?.flush();
    if (this.fill > 0) {
      const length = this.fill;
      const padded = alignUp(length);
      if (padded !== length) {
        if (!this.options.endsFile)
          throw new Error("A direct write in the middle of a file must be whole blocks");
        this.block!.fill(0, length, padded);
      }
      this.issueBlock(padded);
    }
    await this.settle();
    if (this.failed !== undefined) throw this.failed;
    if (this.options.endsFile) {
      const end = this.options.position + this.received;
      if (alignUp(end) !== end) await this.handle.truncate(end);
    }
  }

  /** Waits for the writes in flight, whatever became of them (after a failure, before closing). */
  async settle(): Promise<void> {
    await this.pending?.catch(() => {});
    await Promise.allSettled(this.inFlight);
  }

  async close(): Promise<void> {
    this.released?.flush();
    await this.settle();
    if (this.block) this.options.direct?.release(this.block);
    this.block = undefined;
    await this.handle.close();
  }

  private async flushBatch(): Promise<void> {
    if (this.pending) await this.pending;
    this.pending = undefined;
    if (this.batchBytes === 0) return;
    this.options.beforeWrite?.();
    const write = writeAll(this.handle, this.batch, this.position);
    this.position += this.batchBytes;
    this.issued += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    this.options.onWrite?.(write);
    this.pending = write;
  }

  private copyIntoBlocks(chunk: Uint8Array, from: number): Promise<void> | undefined {
    let at = from;
    while (at < chunk.byteLength) {
      this.block ??= this.nextBlock();
      const length = Math.min(chunk.byteLength - at, DIRECT_BLOCK_BYTES - this.fill);
      this.block.set(chunk.subarray(at, at + length), this.fill);
      this.fill += length;
      at += length;
      if (this.fill === DIRECT_BLOCK_BYTES) {
        this.issueBlock(DIRECT_BLOCK_BYTES);
        if (this.inFlight.length >= DIRECT_WRITES_IN_FLIGHT) {
          return this.waitForOldest().then(() => this.copyIntoBlocks(chunk, at));
        }
      }
    }
    return undefined;
  }

  private nextBlock(): Buffer {
    const block = this.options.direct!.take();
    if (!block) throw new Error("No aligned memory for a direct write");
    this.fill = 0;
    return block;
  }

  private issueBlock(length: number): void {
    this.options.beforeWrite?.();
    const block = this.block!;
    const position = this.position;
    this.block = undefined;
    this.fill = 0;
    this.position += length;
    this.issued += length;
    const write = this.writeBlock(block, length, position).finally(() => {
      this.options.direct?.release(block);
      this.inFlight.splice(this.inFlight.indexOf(write), 1);
    });
    // A failure is kept for the next call (or `end`); the write itself never rejects unobserved.
    write.catch((error: unknown) => {
      this.failed ??= error;
    });
    this.inFlight.push(write);
    this.options.onWrite?.(write);
  }

  private async writeBlock(block: Buffer, length: number, position: number): Promise<void> {
    try {
      for (let done = 0; done < length; ) {
        const { bytesWritten } = await this.handle.write(block, done, length - done, position + done);
        if (bytesWritten === 0) throw new Error(`A direct write at ${position + done} wrote nothing`);
        done += bytesWritten;
      }
    } catch (error) {
      // The filesystem took the direct open but refuses the writes: later writers use the page cache.
      if ((error as NodeJS.ErrnoException).code === "EINVAL") this.options.direct?.disable();
      throw error;
    }
  }

  private async waitForOldest(): Promise<void> {
    await this.inFlight[0]?.catch(() => {});
    if (this.failed !== undefined) throw this.failed;
  }
}
