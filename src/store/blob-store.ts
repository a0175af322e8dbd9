import { createHash, randomBytes } from "node:crypto";
import { constants, createReadStream, type ReadStream } from "node:fs";
import { access, mkdir, open, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { HangarError } from "../core/errors.ts";
import type { ChunkSource } from "../core/feed-chunks.ts";
import type {
  BeginMultipartOptions,
  BlobPutOptions,
  BlobStat,
  BlobStorage,
  ByteRange,
  DetachedBlob,
  DownloadUrlOptions,
  MultipartSession,
  StoredBlob,
  TempLeftover,
  UploadedPart,
} from "./blob-store-types.ts";
import { DirectIo } from "./direct-io.ts";
import { placeBlob, writeBlob } from "./fs-blob-write.ts";
import { detachFile, listFsLeftovers, removeFsLeftover, touchFiles } from "./fs-maintenance.ts";
import { FsMultipart } from "./fs-multipart.ts";
import { FsPartAssembly } from "./fs-part-assembly.ts";
import { sendFileRange } from "./fs-send.ts";
import { ensureOwnerOnlyFolder } from "./owner-only.ts";

export type { StoredBlob } from "./blob-store-types.ts";

/** The filesystem store's put options (`releaseChunks` is the part it acts on). */
export type PutOptions = BlobPutOptions;

export interface BlobStoreOptions {
  /** Write large blobs with O_DIRECT where the filesystem takes it (default true; HANGAR_DIRECT_IO=0). */
  directIo?: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Read size of blob streams: 1 MB reads cost far less CPU per GB than Node's 64 KB default. */
export const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Content-addressed blobs on the filesystem, named by sha256 under `blobs/ab/cd/`. A blob is written to a
 * temp file, fsynced and renamed into place, so a crash never leaves a partial blob visible under its name.
 */
export class BlobStore implements BlobStorage {
  readonly root: string;
  readonly tempDir: string;
  /**
   * Direct I/O for large writes in the temp folder (where every blob is written before its rename); its
   * probe file sits in the root, where `list` sees only the two-letter folders.
   */
  readonly direct: DirectIo;
  /** Multipart sessions: folders in the temp folder, so any process on the same disk may continue one. */
  private readonly multipart: FsMultipart;
  /** Multipart uploads whose parts this server receives, written in place with direct I/O. */
  readonly partAssembly: FsPartAssembly;

  private constructor(root: string, options: BlobStoreOptions) {
    this.root = root;
    this.tempDir = join(root, "tmp");
    this.direct = new DirectIo(root, options.directIo ?? true);
    this.multipart = new FsMultipart(this.tempDir, (source, putOptions) => this.put(source, putOptions));
    this.partAssembly = new FsPartAssembly(this.tempDir, this.direct, (path, sha256) =>
      this.commitTemp(path, sha256),
    );
  }

  static async open(root: string, options: BlobStoreOptions = {}): Promise<BlobStore> {
    const store = new BlobStore(root, options);
    // Private repos' files are stored here too: owner-only, like the instance's home.
    ensureOwnerOnlyFolder(root);
    await mkdir(store.tempDir, { recursive: true, mode: 0o700 });
    return store;
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Invalid sha256 "${sha256}"`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Size of a stored blob, or null when it is missing. */
  async sizeOf(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  async stat(sha256: string): Promise<BlobStat | undefined> {
    try {
      const info = await stat(this.pathOf(sha256));
      return { size: info.size, lastModified: info.mtimeMs };
    } catch {
      return undefined;
    }
  }

  /** A fresh temp file path inside the store (same filesystem, so a rename is atomic). */
  tempPath(): string {
    return join(this.tempDir, `${Date.now()}-${randomBytes(8).toString("hex")}.part`);
  }

  /**
   * Stores bytes from a stream or buffers, checking hash and size as they arrive. Writing runs in the
   * background of receiving and hashing (see FileWriter), and every `EARLY_SYNC_BYTES` a flush to disk
   * starts beside it (see `writeBlob` in fs-blob-write.ts).
   */
  async put(source: ChunkSource | Uint8Array, options: PutOptions = {}): Promise<StoredBlob> {
    return writeBlob(this.tempPath(), source, options, this.direct, (temp, sha256) =>
      this.commitTemp(temp, sha256),
    );
  }

  /**
   * Moves a finished, fsynced temp file to its content address. When the blob already exists the temp
   * file is dropped: the same hash means the same bytes.
   */
  async commitTemp(temp: string, sha256: string): Promise<void> {
    return placeBlob(temp, this.pathOf(sha256), this.root);
  }

  /** Streams a stored blob; `end` is inclusive, as in HTTP ranges. */
  createReadStream(sha256: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.pathOf(sha256), {
      highWaterMark: READ_CHUNK_BYTES,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  /**
   * Writes a stored blob (or bytes `start` to `end` inclusive of it) to `target` and ends it, through a few
   * reused buffers (see `sendFileRange`): the download path. HANGAR_ERR_BLOB_MISSING when it is not stored.
   */
  async sendTo(sha256: string, target: Writable, range: ByteRange): Promise<void> {
    try {
      await sendFileRange(this.pathOf(sha256), range, target);
    } catch (error) {
      // Only opening the file fails with ENOENT, before any byte is written.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${sha256} is missing from the blob store`, {
        cause: error,
      });
    }
  }

  /** Streams a stored blob once it is found open; HANGAR_ERR_BLOB_MISSING when it is not stored. */
  async openRead(sha256: string, range?: ByteRange): Promise<ReadStream> {
    const stream = this.createReadStream(sha256, range);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        stream.off("open", onOpen);
        reject(
          new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${sha256} is missing from the blob store`, {
            cause: error,
          }),
        );
      };
      const onOpen = () => {
        stream.off("error", onError);
        resolve();
      };
      stream.once("error", onError);
      stream.once("open", onOpen);
    });
    return stream;
  }

  async read(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      throw new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${sha256} is missing from the blob store`, {
        cause: error,
      });
    }
  }

  /**
   * Reads bytes `start` (inclusive) to `end` (exclusive) of a stored blob, fewer when the blob ends first.
   * Lets metadata extraction read a model file's header without loading its tensors.
   */
  async readRange(sha256: string, start: number, end: number): Promise<Buffer> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.pathOf(sha256), "r");
    } catch (error) {
      throw new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${sha256} is missing from the blob store`, {
        cause: error,
      });
    }
    try {
      const buffer = Buffer.alloc(Math.max(0, end - start));
      let filled = 0;
      while (filled < buffer.byteLength) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.byteLength - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === buffer.byteLength ? buffer : buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  /** Re-hashes a stored blob; false when its bytes no longer match its name or it is missing. */
  async verify(sha256: string): Promise<boolean> {
    if (!(await this.has(sha256))) return false;
    const hash = createHash("sha256");
    for await (const chunk of this.createReadStream(sha256)) hash.update(chunk as Buffer);
    return hash.digest("hex") === sha256;
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Every blob on disk, for fsck and gc. */
  async *list(): AsyncGenerator<string> {
    for (const first of await readdir(this.root)) {
      if (first.length !== 2) continue;
      for (const second of await readdir(join(this.root, first))) {
        for (const name of await readdir(join(this.root, first, second))) {
          if (SHA256.test(name)) yield name;
        }
      }
    }
  }

  adoptFile(path: string, sha256: string, _size: number): Promise<void> {
    return this.commitTemp(path, sha256);
  }

  localPath(sha256: string): string {
    return this.pathOf(sha256);
  }

  listLeftovers(now = Date.now()): Promise<TempLeftover[]> {
    return listFsLeftovers(this.tempDir, now);
  }

  removeLeftover(name: string): Promise<void> {
    return removeFsLeftover(this.tempDir, name);
  }

  touch(sha256s: readonly string[]): Promise<void> {
    // A missing blob is fine here: whoever touches checks presence itself.
    return touchFiles(sha256s.filter((sha256) => SHA256.test(sha256)).map((sha256) => this.pathOf(sha256)));
  }

  detach(sha256: string): Promise<DetachedBlob | undefined> {
    return detachFile(this.pathOf(sha256), join(this.tempDir, `gc-${sha256}.trash`));
  }

  /** The filesystem has no URL of its own: the server sends the bytes. */
  async downloadUrl(sha256: string, _options: DownloadUrlOptions): Promise<string | undefined> {
    this.pathOf(sha256);
    return undefined;
  }

  /** Parts are relayed by the server (`putPart`): there are no part URLs. */
  beginMultipart(
    sha256: string,
    size: number,
    partSize: number,
    _options?: BeginMultipartOptions,
  ): Promise<MultipartSession> {
    return this.multipart.begin(sha256, size, partSize);
  }

  putPart(uploadId: string, partNumber: number, source: ChunkSource | Uint8Array): Promise<UploadedPart> {
    return this.multipart.putPart(uploadId, partNumber, source);
  }

  completeMultipart(
    uploadId: string,
    sha256: string,
    size: number,
    parts: UploadedPart[],
  ): Promise<StoredBlob> {
    return this.multipart.complete(uploadId, sha256, size, parts);
  }

  abortMultipart(uploadId: string): Promise<void> {
    return this.multipart.abort(uploadId);
  }

  /** Whether the store's folders exist and can be written. */
  async check(): Promise<void> {
    try {
      await access(this.tempDir, constants.W_OK);
      await access(this.root, constants.W_OK);
    } catch (error) {
      throw new HangarError(
        "HANGAR_ERR_UNAVAILABLE",
        `The blob store folder ${this.root} cannot be written: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async close(): Promise<void> {}
}
