import type { Readable, Writable } from "node:stream";
import { HangarError } from "../core/errors.ts";
import type { ChunkSource } from "../core/feed-chunks.ts";

/**
 * The blob store contract every engine implements (the filesystem `BlobStore`, the S3-compatible
 * `S3BlobStore`). Blobs are content-addressed by sha256: a blob is visible under its name only once its bytes
 * were hashed and found to match, whatever the engine. Multipart upload sessions live in the store itself
 * (part files on the shared disk, S3 multipart uploads in the bucket), never in one process's memory, so any
 * node may receive a session's parts or complete it.
 */

export interface StoredBlob {
  sha256: string;
  size: number;
  /** git blob id of the content, when the size was known before writing (see `BlobPutOptions.gitOid`). */
  gitOid?: string;
}

export interface BlobPutOptions {
  /** The sha256 the bytes must have; a mismatch discards them. */
  expectedSha256?: string;
  /** The size the bytes must have. Also lets the git blob id be computed in the same pass. */
  expectedSize?: number;
  /**
   * Whether to compute the git blob id (a sha1 pass) along the way; needs `expectedSize`. Defaults to
   * true unless `expectedSha256` is given: LFS objects are named by sha256 and their git id is the
   * pointer's, so the sha1 of their bytes would be thrown away.
   */
  gitOid?: boolean;
  /** Largest number of bytes accepted. */
  maxSize?: number;
  /**
   * The source's chunks belong to this call and nothing else reads them (a request body): the filesystem
   * store frees each one once hashed and copied into a direct write (FileWriter's `releaseChunks`); engines
   * that copy chunks anyway ignore it. Off by default.
   */
  releaseChunks?: boolean;
}

/** Refuses a finished put whose size or sha256 is not the one announced. */
export function assertPutMatches(size: number, sha256: string, options: BlobPutOptions): void {
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Received ${size} bytes, but ${options.expectedSize} were announced`,
    );
  }
  if (options.expectedSha256 !== undefined && sha256 !== options.expectedSha256) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Content sha256 is ${sha256}, but ${options.expectedSha256} was announced`,
    );
  }
}

/** Refuses a put once `size` bytes exceed what its options allow (the announced size, else the limit). */
export function assertWithinPutSize(size: number, options: BlobPutOptions): void {
  const limit = options.expectedSize ?? options.maxSize;
  if (limit === undefined || size <= limit) return;
  throw new HangarError(
    options.expectedSize !== undefined ? "HANGAR_ERR_BAD_REQUEST" : "HANGAR_ERR_PAYLOAD_TOO_LARGE",
    options.expectedSize !== undefined
      ? `Received more than the announced ${options.expectedSize} bytes`
      : `Content is larger than the limit of ${limit} bytes`,
  );
}

export interface BlobStat {
  size: number;
  /** When the blob was last written (ms since the epoch): gc's grace period counts from it. */
  lastModified: number;
}

/** Bytes `start` to `end` of a blob, both inclusive, as in HTTP ranges. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface DownloadUrlOptions {
  /** The name a browser saves the file under (`Content-Disposition: attachment`). */
  filename?: string;
  /** How long the URL works. */
  expiresInSeconds: number;
}

export interface MultipartSession {
  /** Names the session in every later call, on any node. */
  uploadId: string;
  /**
   * One presigned PUT URL per part (part n at index n - 1), when clients send the parts straight to the
   * store; undefined when the caller relays each part with `putPart`.
   */
  partUrls: string[] | undefined;
}

export interface UploadedPart {
  /** 1-based. */
  partNumber: number;
  /** What the store answered for the part (the `ETag` header of a part PUT, or `putPart`'s result). */
  etag: string;
}

export interface BeginMultipartOptions {
  /** How long the part URLs work (engines with part URLs; default one day). */
  expiresInSeconds?: number;
}

/** A multipart upload whose parts the server receives, as a store that assembles parts in place knows it. */
export interface AssemblyUpload {
  /** The object's sha256. */
  oid: string;
  size: number;
  /** Bytes per part (the last one shorter). */
  chunkSize: number;
  /** Whose upload it is (e.g. the repo): uploads of one object in two scopes never share parts. */
  scope: string;
}

/**
 * Multipart uploads assembled in place by the store itself, for engines where the server receives the parts
 * (the filesystem store: each part written at its offset of one file, the object hashed while parts arrive).
 * Engines whose clients send parts straight to the store use `beginMultipart` and part URLs instead.
 */
export interface PartAssembly {
  /** Stores part `part` (1-based) from the body; returns its ETag, quoted, for the completion. */
  writePart(upload: AssemblyUpload, part: number, body: ChunkSource): Promise<string>;
  /**
   * Checks that every part arrived whole under the ETag given (unquoted, by part number), hashes the
   * assembled object once and makes it visible under its sha256; a mismatch is a HangarError badRequest and
   * leaves nothing. The parts are gone afterwards either way.
   */
  complete(upload: AssemblyUpload, etags: ReadonlyMap<number, string>): Promise<void>;
  /** Drops whatever parts of the upload arrived (a completion retried after its object was stored). */
  discard(upload: AssemblyUpload): Promise<void>;
  /**
   * Waits until the early hash of the upload of `oid` in progress (if any) has caught up with the parts
   * received whole, and returns how many leading parts it covers. For tests and diagnostics.
   */
  earlyHashedParts(oid: string): Promise<number>;
}

export interface BlobStorage {
  /**
   * Stores bytes from a stream or buffers, checking sha256 and size as they arrive; on any mismatch nothing
   * is kept and a HangarError (400) says what differed.
   */
  put(source: ChunkSource | Uint8Array, options?: BlobPutOptions): Promise<StoredBlob>;
  has(sha256: string): Promise<boolean>;
  /** Size of a stored blob, or null when it is missing. */
  sizeOf(sha256: string): Promise<number | null>;
  /** Size and last modification time (ms since the epoch) of a stored blob, or undefined when it is missing. */
  stat(sha256: string): Promise<BlobStat | undefined>;
  /** The whole blob; HANGAR_ERR_BLOB_MISSING when it is not stored. */
  read(sha256: string): Promise<Buffer>;
  /** Bytes `start` (inclusive) to `end` (exclusive), fewer when the blob ends first. */
  readRange(sha256: string, start: number, end: number): Promise<Buffer>;
  /** Streams a blob, or the inclusive `range` of it. HANGAR_ERR_BLOB_MISSING when it is not stored. */
  openRead(sha256: string, range?: ByteRange): Promise<Readable>;
  /**
   * Writes a blob (or the inclusive `range` of it) to `target` and ends it: the download path, where each
   * engine uses its fastest way (the filesystem's reused buffers, S3's response stream).
   * HANGAR_ERR_BLOB_MISSING when it is not stored, before any byte is written.
   */
  sendTo(sha256: string, target: Writable, range: ByteRange): Promise<void>;
  /** Re-hashes a stored blob; false when its bytes no longer match its name or it is missing. */
  verify(sha256: string): Promise<boolean>;
  /** Removes a blob; nothing happens when it is not stored. */
  delete(sha256: string): Promise<void>;
  /** Every stored blob's sha256, for gc and fsck. */
  list(): AsyncIterable<string>;
  /**
   * A URL a client can GET the blob from directly (a presigned URL), or undefined when the store has none
   * and the server must send the bytes itself.
   */
  downloadUrl(sha256: string, options: DownloadUrlOptions): Promise<string | undefined>;

  /**
   * Starts a multipart upload of a blob of `size` bytes in parts of `partSize` bytes (the last one shorter),
   * numbered from 1.
   */
  beginMultipart(
    sha256: string,
    size: number,
    partSize: number,
    options?: BeginMultipartOptions,
  ): Promise<MultipartSession>;
  /** Stores one part through the server (engines without part URLs, or a proxying server); returns its etag. */
  putPart(uploadId: string, partNumber: number, source: ChunkSource | Uint8Array): Promise<UploadedPart>;
  /**
   * Assembles the parts, checks the whole object's sha256 and size, and only then makes it visible under its
   * sha256. On a mismatch the assembled bytes are deleted, the session ends, and a HangarError badRequest
   * says what differed. A part list that names a part the store does not have is refused the same way, but
   * the session stays (the client may still send the part).
   */
  completeMultipart(
    uploadId: string,
    sha256: string,
    size: number,
    parts: UploadedPart[],
  ): Promise<StoredBlob>;
  /** Drops a session and its parts; nothing happens when it is already gone. */
  abortMultipart(uploadId: string): Promise<void>;
  /** Set on engines that assemble parts the server receives in place (see PartAssembly). */
  readonly partAssembly?: PartAssembly;

  /**
   * Takes in a local, synced file whose bytes the caller has hashed to `sha256` (a verified download): the
   * filesystem store renames it into place, another engine sends it (checking the hash again) and removes it.
   */
  adoptFile(path: string, sha256: string, size: number): Promise<void>;
  /** The blob as a file on this machine, where the engine keeps one (for runtimes that open files); else undefined. */
  localPath(sha256: string): string | undefined;

  /** What interrupted writes left in the temp area, with sizes and ages, for fsck and gc. */
  listLeftovers(now?: number): Promise<TempLeftover[]>;
  /** Removes one leftover named by `listLeftovers`; nothing happens when it is already gone. */
  removeLeftover(name: string): Promise<void>;
  /**
   * Marks blobs as just used, so gc's grace period starts again for them. Engines whose objects cannot be
   * touched cheaply (S3) do nothing: gc also counts the catalog's registry date and leases.
   */
  touch(sha256s: readonly string[]): Promise<void>;
  /** Takes a blob out of the store for gc (see DetachedBlob); undefined when it is not there. */
  detach(sha256: string): Promise<DetachedBlob | undefined>;

  /** Throws a HangarError (HANGAR_ERR_UNAVAILABLE) with one clear sentence when the store cannot be used. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** Something an interrupted write left in the store's temp area (a file, a folder of parts, a staged object). */
export interface TempLeftover {
  /** The leftover's name inside the temp area, as `removeLeftover` takes it. */
  name: string;
  size: number;
  /** Time since it was last written to. */
  ageMs: number;
}

/** A blob gc took out of the store inside a catalog transaction: put back if the transaction fails. */
export interface DetachedBlob {
  size: number;
  lastModified: number;
  /** Puts the blob back (where the engine can: a deleted S3 object is gone, which loses nothing gc keeps). */
  restore(): Promise<void>;
  /** Drops it for good once the transaction has committed. */
  discard(): Promise<void>;
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
