import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, rename, unlink, utimes } from "node:fs/promises";
import { dirname } from "node:path";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import type { BlobPutOptions, StoredBlob } from "./blob-store-types.ts";
import { assertPutMatches, assertWithinPutSize } from "./blob-store-types.ts";
import type { DirectIo } from "./direct-io.ts";
import { FileWriter } from "./file-writer.ts";

/**
 * How the filesystem blob store (blob-store.ts) writes a blob: to a temp file, hashed and checked as it
 * arrives, fsynced, then renamed to its content address with the folders that name it synced.
 */

/**
 * A large blob is flushed to disk every this many bytes while it is still arriving, so the fsync before
 * its rename has little left to write (otherwise a 1 GB upload would wait for all its dirty pages at once).
 */
const EARLY_SYNC_BYTES = 64 * 1024 * 1024;
/** Blobs announced at this size or more are written with direct I/O; smaller ones gain nothing from it. */
const DIRECT_MIN_BYTES = 4 * 1024 * 1024;

/** fsyncs a folder so the names created in it are durable; a platform that cannot sync folders is skipped. */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EINVAL" && error.code !== "EPERM" && error.code !== "EISDIR") throw error;
    });
  } finally {
    await handle.close();
  }
}

/**
 * Writes bytes from a stream or buffers to `temp`, checking hash and size as they arrive, and hands the
 * synced file to `commit` (which moves it to its content address). Writing runs in the background of
 * receiving and hashing (see FileWriter), and every `EARLY_SYNC_BYTES` a flush to disk starts beside it.
 * Large blobs are written with `direct` I/O. On failure the temp file is removed.
 */
export async function writeBlob(
  temp: string,
  source: ChunkSource | Uint8Array,
  options: BlobPutOptions,
  direct: DirectIo,
  commit: (temp: string, sha256: string) => Promise<void>,
): Promise<StoredBlob> {
  const large = options.expectedSize !== undefined && options.expectedSize >= DIRECT_MIN_BYTES;
  const writer = await FileWriter.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, {
    position: 0,
    endsFile: true,
    ...(large ? { direct } : {}),
    ...(options.releaseChunks ? { releaseChunks: true } : {}),
  });
  const { handle } = writer;
  const sha256 = createHash("sha256");
  const wantsGitOid = options.gitOid ?? options.expectedSha256 === undefined;
  const gitHash = wantsGitOid && options.expectedSize !== undefined ? createHash("sha1") : undefined;
  gitHash?.update(`blob ${options.expectedSize}\0`);
  let size = 0;
  let syncedUpTo = 0;
  // At most one early flush runs, beside the writes (it never holds up receiving).
  let syncing: Promise<void> | undefined;
  const syncEarly = () => {
    if (writer.issued - syncedUpTo < EARLY_SYNC_BYTES || syncing !== undefined) return;
    syncedUpTo = writer.issued;
    const started = handle.datasync();
    syncing = started;
    // A finished flush clears the way for the next one; after a failed one none starts early again,
    // and the final sync below reports the error.
    started.then(
      () => {
        if (syncing === started) syncing = undefined;
      },
      () => {},
    );
  };
  try {
    await feedChunks(source instanceof Uint8Array ? [source] : source, (chunk) => {
      size += chunk.byteLength;
      assertWithinPutSize(size, options);
      sha256.update(chunk);
      gitHash?.update(chunk);
      const behind = writer.write(chunk);
      if (!behind) return syncEarly();
      return behind.then(syncEarly);
    });
    await writer.end();
    const digest = sha256.digest("hex");
    assertPutMatches(size, digest, options);
    await syncing?.catch(() => {});
    await handle.sync();
    await writer.close();
    await commit(temp, digest);
    return { sha256: digest, size, ...(gitHash ? { gitOid: gitHash.digest("hex") } : {}) };
  } catch (error) {
    await syncing?.catch(() => {});
    await writer.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/**
 * Moves a finished, fsynced temp file to `target` (a content address under `root`). When the blob already
 * exists the temp file is dropped: the same hash means the same bytes.
 */
export async function placeBlob(temp: string, target: string, root: string): Promise<void> {
  // Storing content that is already there refreshes its mtime: gc spares blobs younger than its grace
  // period, and this one is about to be referenced again.
  const now = new Date();
  const refreshed = await utimes(target, now, now).then(
    () => true,
    () => false,
  );
  if (refreshed) {
    await unlink(temp);
    return;
  }
  const folder = dirname(target);
  const created = await mkdir(folder, { recursive: true });
  await rename(temp, target);
  // A rename survives power loss only once its folder is synced, and a new folder only once its parent is.
  let synced = folder;
  await syncFolder(synced);
  while (created !== undefined && synced !== root && synced.startsWith(created)) {
    synced = dirname(synced);
    await syncFolder(synced);
  }
}
