import { constants } from "node:fs";
import { type FileHandle, open, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Writes that bypass the page cache (O_DIRECT). A large upload written through the page cache costs the
 * server a kernel copy of every byte, fresh cache pages and their writeback (bench:upload measured 1-2.4 CPU
 * seconds of system time per GB on a 2-core VM); written directly, the disk reads the bytes out of a few
 * reused buffers (about 0.2 s per GB), and the upload does not push the files being served out of the cache.
 *
 * O_DIRECT needs aligned file offsets, lengths and memory. Offsets and lengths are the callers' (they write
 * whole blocks from aligned positions; a file's short last block is padded, then the file is truncated).
 * Memory must be page-aligned to be fast, not only aligned to the device's logical block: the kernel takes
 * 512-byte-aligned memory on a disk with 512-byte sectors, but on such a VM disk the same 1 MB direct writes
 * ran at 70 MB/s from memory 512 bytes off a page and at 970 MB/s from a page boundary. A Buffer's address
 * cannot be seen from JavaScript, so the blocks are carved from WebAssembly memories, which V8 maps from
 * whole pages: their first byte is always page-aligned. Where the platform or filesystem refuses O_DIRECT,
 * everything is written through the page cache as before.
 */

/** Offsets, lengths and memory aligned to this suit every Linux block device (4 KiB sectors included). */
export const DIRECT_ALIGN = 4096;
/** Bytes per direct write. */
export const DIRECT_BLOCK_BYTES = 1024 * 1024;
/** Blocks carved from one allocation. */
const BLOCKS_PER_SLAB = 8;
/** Free blocks kept for reuse; more are left to the garbage collector. */
const MAX_FREE_BLOCKS = 32;
/** The part of WebAssembly used here (Node has it; the TypeScript libraries this project loads do not declare it). */
declare const WebAssembly: {
  Memory: new (descriptor: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => {
    buffer: ArrayBuffer | SharedArrayBuffer;
  };
};
/** The unit WebAssembly memories are sized in. */
const WASM_PAGE_BYTES = 64 * 1024;

const O_DIRECT: number | undefined = (constants as Record<string, number | undefined>).O_DIRECT;

export function alignUp(value: number): number {
  return Math.ceil(value / DIRECT_ALIGN) * DIRECT_ALIGN;
}

export function isAligned(value: number): boolean {
  return value % DIRECT_ALIGN === 0;
}

/**
 * `bytes` of page-aligned memory (see above), or undefined when none can be had. `shared` memory is backed
 * by a SharedArrayBuffer, which a worker thread can be given.
 */
export function pageAlignedMemory(bytes: number, shared = false): Buffer | undefined {
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  try {
    return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages, shared }).buffer, 0, bytes);
  } catch {
    return undefined;
  }
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

  /** A block of aligned memory; undefined when no aligned memory can be had. */
  take(): Buffer | undefined {
    const reused = this.free.pop();
    if (reused) return reused;
    const slab = allocateBlocks(BLOCKS_PER_SLAB);
    if (!slab) {
      // Out of memory for blocks: later writers use the page cache.
      this.disable();
      return undefined;
    }
    this.free.push(...slab.slice(1));
    return slab[0];
  }

  release(block: Buffer): void {
    if (this.usable && this.free.length < MAX_FREE_BLOCKS) this.free.push(block);
  }

  /** Whether the folder's filesystem takes an O_DIRECT read of a file written for the purpose. */
  private async probe(): Promise<boolean> {
    const slab = allocateBlocks(BLOCKS_PER_SLAB);
    if (!slab) return false;
    const path = join(this.folder, ".direct-io-probe");
    let handle: FileHandle | undefined;
    try {
      await writeFile(path, Buffer.alloc(DIRECT_ALIGN));
      handle = await open(path, this.flags(constants.O_RDONLY));
      const { bytesRead } = await handle.read(slab[0]!, 0, DIRECT_ALIGN, 0);
      if (bytesRead !== DIRECT_ALIGN) return false;
    } catch {
      return false;
    } finally {
      await handle?.close().catch(() => {});
    }
    this.free.push(...slab);
    return true;
  }
}

/** `count` blocks carved from one page-aligned allocation, or undefined. */
function allocateBlocks(count: number): Buffer[] | undefined {
  const memory = pageAlignedMemory(count * DIRECT_BLOCK_BYTES);
  if (!memory) return undefined;
  return Array.from({ length: count }, (_, index) =>
    memory.subarray(index * DIRECT_BLOCK_BYTES, (index + 1) * DIRECT_BLOCK_BYTES),
  );
}
