import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { HangarError } from "../../core/errors.ts";
import { feedChunks } from "../../core/feed-chunks.ts";
import type { BlobStorage } from "../../store/blob-store-types.ts";

/** One copy at a time per blob in this process: two loads of the same model share it. */
const copying = new Map<string, Promise<string>>();

/**
 * A local file holding a blob's bytes, for runtimes that open files themselves (onnxruntime). The filesystem
 * store's own file is used as it is; from another engine (S3) the blob is copied once to
 * `HOME/cache/blobs/<sha256>`, its sha256 checked on the way, and renamed into place only when it matches,
 * so a file under that name always holds the right bytes.
 */
export function localBlobPath(blobs: BlobStorage, home: string, sha256: string): Promise<string> {
  const local = blobs.localPath(sha256);
  if (local !== undefined) return Promise.resolve(local);
  const running = copying.get(sha256);
  if (running) return running;
  const work = copyToCache(blobs, join(home, "cache", "blobs"), sha256).finally(() => copying.delete(sha256));
  copying.set(sha256, work);
  return work;
}

async function copyToCache(blobs: BlobStorage, folder: string, sha256: string): Promise<string> {
  const target = join(folder, sha256);
  if (await stat(target).catch(() => undefined)) return target;
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${sha256}.${randomBytes(6).toString("hex")}.part`);
  const hash = createHash("sha256");
  const handle = await open(temp, "w");
  try {
    await feedChunks(await blobs.openRead(sha256), async (chunk) => {
      hash.update(chunk);
      await handle.write(chunk);
    });
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  const digest = hash.digest("hex");
  if (digest !== sha256) {
    await rm(temp, { force: true });
    throw new HangarError(
      "HANGAR_ERR_BLOB_CORRUPT",
      `Blob ${sha256} read from the blob store hashes to ${digest}: the stored object is corrupt (run hangar fsck --verify-hashes)`,
    );
  }
  await rename(temp, target);
  return target;
}
