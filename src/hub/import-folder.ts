import { open, readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { HangarError } from "../core/errors.ts";
import { gitBlobOid, lfsPointerOid } from "../core/git-objects.ts";
import type { GatedMode, RepoRef } from "../core/types.ts";
import { DEFAULT_BRANCH } from "../core/types.ts";
import { getWritableRepo } from "./access.ts";
import type { Caller } from "./accounts/principal.ts";
import {
  type CommitOperation,
  type CreateCommitResult,
  createCommit,
  type StoredFile,
} from "./create-commit.ts";
import { createRepo } from "./create-repo.ts";
import type { HubContext, HubScope } from "./hub.ts";
import { looksBinary } from "./lfs-policy.ts";

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ImportFolderParams {
  folder: string;
  repo: RepoRef;
  revision?: string;
  message?: string;
  private?: boolean;
  gated?: GatedMode;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportFolderResult extends CreateCommitResult {
  repoCreated: boolean;
  files: number;
  bytes: number;
}

/** Lists the files of a folder, skipping `.git` and the Hub client cache folder. */
async function listFolder(root: string): Promise<Array<{ absolute: string; path: string; size: number }>> {
  const found: Array<{ absolute: string; path: string; size: number }> = [];
  async function walk(folder: string): Promise<void> {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const absolute = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === ".git" || entry.name === ".cache") continue;
        await walk(absolute);
      } else if (entry.isFile()) {
        found.push({
          absolute,
          path: relative(root, absolute).split(sep).join("/"),
          size: (await stat(absolute)).size,
        });
      }
    }
  }
  await walk(root);
  return found.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Stores one local file in the blob store and decides whether it is an LFS file. */
export async function storeLocalFile(
  hub: HubScope,
  absolute: string,
  size: number,
  onBytes?: (n: number) => void,
): Promise<StoredFile> {
  const handle = await open(absolute, "r");
  try {
    const sample = Buffer.alloc(Math.min(size, 8000));
    await handle.read(sample, 0, sample.byteLength, 0);
    const stream = handle.createReadStream({ start: 0, autoClose: false });
    // Counting through a "data" listener would start the stream flowing before `put` reads it, and the
    // first chunks (all of a small file) would be lost; count while `put` pulls instead.
    const counted = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of stream) {
        onBytes?.((chunk as Buffer).byteLength);
        yield chunk as Buffer;
      }
    };
    const lfs = size >= hub.config.limits.lfsThreshold || looksBinary(sample);
    // An LFS file's git id is its pointer's: the sha1 of its bytes is needed only for regular files.
    const stored = await hub.blobs.put(counted(), { expectedSize: size, gitOid: !lfs });
    return {
      sha256: stored.sha256,
      size,
      lfs,
      gitOid: lfs ? lfsPointerOid(stored.sha256, size) : stored.gitOid!,
    };
  } finally {
    await handle.close();
  }
}

/** Stores a text Hangar writes itself (a card, a config) as a regular, non-LFS file. */
export async function storeTextFile(hub: HubScope, text: string): Promise<StoredFile> {
  const bytes = Buffer.from(text);
  const stored = await hub.blobs.put(bytes, { expectedSize: bytes.byteLength });
  return { sha256: stored.sha256, size: stored.size, gitOid: gitBlobOid(bytes), lfs: false };
}

/**
 * Makes one commit of a local folder, creating the repo when needed. Files already in the blob store are
 * not stored twice, and a folder that matches the branch head makes no new commit.
 */
export async function importFolder(
  hub: HubContext,
  caller: Caller,
  params: ImportFolderParams,
): Promise<ImportFolderResult> {
  const info = await stat(params.folder).catch(() => null);
  if (!info?.isDirectory())
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `${params.folder} is not a folder`);
  const files = await listFolder(params.folder);
  const progress: ImportProgress = {
    filesDone: 0,
    filesTotal: files.length,
    bytesDone: 0,
    bytesTotal: files.reduce((total, file) => total + file.size, 0),
  };
  let repoCreated = false;
  if (!(await hub.catalog.repos.get(params.repo))) {
    await createRepo(hub, caller, {
      ...params.repo,
      private: params.private ?? false,
      gated: params.gated ?? false,
    });
    repoCreated = true;
  }
  const repo = await getWritableRepo(hub, caller, params.repo);
  const operations: CommitOperation[] = [];
  for (const file of files) {
    const stored = await storeLocalFile(hub, file.absolute, file.size, (bytes) => {
      progress.bytesDone += bytes;
      params.onProgress?.(progress);
    });
    operations.push({ kind: "put", path: file.path, file: stored });
    progress.filesDone++;
    params.onProgress?.(progress);
  }
  const result = await createCommit(hub, {
    repo,
    revision: params.revision ?? DEFAULT_BRANCH,
    operations,
    title: params.message ?? `Import ${files.length} files`,
    author: caller?.user ?? "hangar",
    allowEmpty: false,
    caller,
  });
  return { ...result, repoCreated, files: files.length, bytes: progress.bytesTotal };
}
