import { constants, readSync, writeFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes that bypass the page cache (O_DIRECT). A large upload written through the page cache costs the
 * server a kernel copy of every byte, fresh cache pages and their writeback (bench:upload measured 1-2.4 CPU
 * seconds of system time per GB on a 2-core VM); written directly, the disk reads the bytes out of a few
 * reused buffers (about 0.2 s per GB), and the upload does not push the files being served out of the cache.
 *
 * O_DIRECT needs aligned file offsets, lengths and memory. Offsets and lengths are the callers' (they write
 * whole blocks from aligned positions; a file's short last block is padded, then the file is truncated).
 * JavaScript cannot see a buffer's address, so aligned memory is found by asking the kernel: an O_DIRECT read
 * into a misaligned buffer fails with EINVAL, so the first offset of an over-sized allocation that reads
 * without error is aligned. Where the platform or filesystem refuses O_DIRECT, everything is written through
 * the page cache as before.
 */

/** Offsets, lengths and memory aligned to this suit every Linux block device (4 KiB sectors included). */
export const DIRECT_ALIGN = 4096;
/** Bytes per direct write. */
export const DIRECT_BLOCK_BYTES = 1024 * 1024;
/** Blocks carved from one allocation (one alignment probe). */
const BLOCKS_PER_SLAB = 8;
/** Free blocks kept for reuse; more are left to the garbage collector. */
const MAX_FREE_BLOCKS = 32;
/** Memory offsets tried when looking for an aligned start (malloc returns at least 8-byte aligned memory). */
const PROBE_STEP = 8;

const O_DIRECT: number | undefined = (constants as Record<string, number | undefined>).O_DIRECT;

export function alignUp(value: number): number {
  return Math.ceil(value / DIRECT_ALIGN) * DIRECT_ALIGN;
}

export function isAligned(value: number): boolean {
  return value % DIRECT_ALIGN === 0;
}

/**
 * The offset into `raw` at which an O_DIRECT read of `fd` succeeds, or undefined when none does. `fd` must be
 * open with O_DIRECT on a file of at least DIRECT_ALIGN bytes; reading changes nothing, so any file will do.
 */
export function findAlignedOffset(fd: number, raw: Buffer): number | undefined {
  for (
    let offset = 0;
    offset + DIRECT_ALIGN <= raw.byteLength && offset < DIRECT_ALIGN;
    offset += PROBE_STEP
  ) {
    try {
      // A short read proves nothing: at the end of a file the kernel answers before it checks alignment.
      return readSync(fd, raw, offset, DIRECT_ALIGN, 0) === DIRECT_ALIGN ? offset : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINVAL") return undefined;
    }
  }
  return undefined;
}

/**
 * Aligned blocks for direct writes to files on one filesystem, and the flag that says whether it takes
 * O_DIRECT at all (found out once, on first use). The probe file lives in `folder`, which should be a
 * folder that maintenance leaves alone (the blob store's root, not its temp folder).
 */
export class DirectIo {
  private readonly folder: string;
  private readonly free: Buffer[] = [];
  /** undefined until the first use has tried; false for good once anything refused. */
  private usable: boolean | undefined;
  private probing: Promise<boolean> | undefined;

  constructor(folder: string, enabled: boolean) {
    this.folder = folder;
    this.usable = enabled && O_DIRECT !== undefined ? undefined : false;
  }

  /** Whether writes in the folder go direct; tries once (a probe file and an aligned allocation). */
  async available(): Promise<boolean> {
    if (this.usable !== undefined) return this.usable;
    this.probing ??= this.probe().then((usable) => {
      this.usable = usable;
      return usable;
    });
    return this.probing;
  }

  /** Whether direct writes are known to work here (files written since may not be in the page cache). */
  get active(): boolean {
    return this.usable === true;
  }

  /** Stops direct writes in this folder (a direct write was refused after all). */
  disable(): void {
    this.usable = false;
    this.free.length = 0;
  }

  /** Open flags with O_DIRECT added. */
  flags(base: number): number {
    return base | (O_DIRECT ?? 0);
  }

  /** A block of aligned memory; undefined when no aligned memory can be found. */
  async take(): Promise<Buffer | undefined> {
    const reused = this.free.pop();
    if (reused) return reused;
    const slab = await this.allocate(BLOCKS_PER_SLAB);
    if (!slab) {
      // Direct I/O worked here before and no longer does: later writers use the page cache.
      this.disable();
      return undefined;
    }
    for (let index = 1; index < slab.length; index++) this.free.push(slab[index]!);
    return slab[0];
  }

  release(block: Buffer): void {
    if (this.usable && this.free.length < MAX_FREE_BLOCKS) this.free.push(block);
  }

  private probePath(): string {
    return join(this.folder, ".direct-io-probe");
  }

  private async probe(): Promise<boolean> {
    const slab = await this.allocate(BLOCKS_PER_SLAB);
    if (!slab) return false;
    this.free.push(...slab);
    return true;
  }

  /** `count` aligned blocks carved from one allocation, or undefined. */
  private async allocate(count: number): Promise<Buffer[] | undefined> {
    let handle: FileHandle | undefined;
    try {
      // Written each time: cheap (slabs are few), and it comes back if someone removed it.
      writeFileSync(this.probePath(), Buffer.alloc(DIRECT_ALIGN));
      handle = await open(this.probePath(), this.flags(constants.O_RDONLY));
      const raw = Buffer.allocUnsafeSlow(count * DIRECT_BLOCK_BYTES + DIRECT_ALIGN);
      const offset = findAlignedOffset(handle.fd, raw);
      if (offset === undefined) return undefined;
      return Array.from({ length: count }, (_, index) =>
        raw.subarray(offset + index * DIRECT_BLOCK_BYTES, offset + (index + 1) * DIRECT_BLOCK_BYTES),
      );
    } catch {
      return undefined;
    } finally {
      await handle?.close().catch(() => {});
    }
  }
}
