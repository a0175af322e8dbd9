// What gc and leases need of the filesystem blob store's files: ages, leftovers, removal that can be undone.
import { readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { badRequest } from "../core/errors.ts";
import type { DetachedBlob, TempLeftover } from "./blob-store-types.ts";

/** Files touched at once. */
const TOUCH_CONCURRENCY = 32;

/** Sets the mtime of files to now (gc's grace period counts from it); missing files are skipped. */
export async function touchFiles(paths: readonly string[]): Promise<void> {
  const now = new Date();
  // A few at a time: a commit may place tens of thousands of files.
  for (let start = 0; start < paths.length; start += TOUCH_CONCURRENCY) {
    await Promise.all(
      paths.slice(start, start + TOUCH_CONCURRENCY).map((path) => utimes(path, now, now).catch(() => {})),
    );
  }
}

/** Renames a file into `trash`, so that putting it back is one rename too; undefined when it is missing. */
export async function detachFile(path: string, trash: string): Promise<DetachedBlob | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  await rename(path, trash);
  return {
    size: info.size,
    lastModified: info.mtimeMs,
    restore: () => rename(trash, path).catch(() => {}),
    discard: () => rm(trash, { force: true }),
  };
}

/** Sizes of a folder's files, any depth, and the newest mtime among them and the folder itself. */
async function measure(path: string): Promise<{ size: number; newestMs: number }> {
  const info = await stat(path);
  if (!info.isDirectory()) return { size: info.size, newestMs: info.mtimeMs };
  let size = 0;
  let newestMs = info.mtimeMs;
  for (const name of await readdir(path)) {
    const inner = await measure(join(path, name)).catch(() => ({ size: 0, newestMs: 0 }));
    size += inner.size;
    newestMs = Math.max(newestMs, inner.newestMs);
  }
  return { size, newestMs };
}

/** What a temp folder holds, with sizes and ages (a folder counts as old as its newest file). */
export async function listFsLeftovers(tempDir: string, now = Date.now()): Promise<TempLeftover[]> {
  const leftovers: TempLeftover[] = [];
  for (const name of await readdir(tempDir).catch(() => [] as string[])) {
    const measured = await measure(join(tempDir, name)).catch(() => undefined);
    // Gone between listing and measuring: an upload finished meanwhile.
    if (measured) leftovers.push({ name, size: measured.size, ageMs: now - measured.newestMs });
  }
  return leftovers;
}

/** Removes one entry of the temp folder, by a name `listFsLeftovers` gave. */
export async function removeFsLeftover(tempDir: string, name: string): Promise<void> {
  if (name === "" || name === "." || name === ".." || /[/\\]/.test(name)) {
    throw badRequest(`Invalid temp leftover name "${name}"`);
  }
  await rm(join(tempDir, name), { recursive: true, force: true });
}
