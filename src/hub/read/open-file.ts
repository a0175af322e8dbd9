import { Readable, type Writable } from "node:stream";
import { HangarError } from "../../core/errors.ts";
import { lfsPointer, type RepoRef, type TreeFile } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { assertCanDownload, getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { recordDownload } from "../social/record-download.ts";
import { entryNotFound } from "./list-tree.ts";

export interface OpenFileParams {
  ref: RepoRef;
  revision: string;
  path: string;
  /** The git blob as stored in the repo: the pointer text for an LFS file (`/raw/`). */
  raw?: boolean;
  /**
   * Counts the read as a download of the repo, once per client session (src/hub/social/record-download.ts):
   * the client's session key (its token, or its address and user agent).
   */
  downloadSession?: string;
  /**
   * The caller may send the client elsewhere for an LFS file's bytes (`/resolve/` GET and HEAD): with a blob
   * store that has download URLs (S3) and `downloads: "redirect"`, `redirectUrl` is set.
   */
  allowRedirect?: boolean;
}

/** How long a download URL handed to a client works: long enough to start a large download, as the Hub's CDN links. */
export const DOWNLOAD_URL_SECONDS = 60 * 60;

/** A file ready to be sent: what identifies it, and a way to read all or part of it. */
export interface OpenedFile {
  repoId: string;
  commitOid: string;
  file: TreeFile;
  /** Bytes that will be sent for the whole file. */
  size: number;
  /** Content address of the bytes sent: git blob id for regular files and pointers, sha256 for LFS. */
  etag: string;
  /** Reads bytes `start` to `end` inclusive, or everything. */
  read(range?: { start: number; end: number }): Promise<Readable>;
  /**
   * Writes bytes `start` to `end` inclusive (or everything) to `target` and ends it: the download path, which
   * on the filesystem store reuses a few buffers instead of allocating one per read.
   */
  sendTo(target: Writable, range?: { start: number; end: number }): Promise<void>;
  /** Where the client may GET the bytes itself (a presigned blob store URL), when `allowRedirect` allowed it. */
  redirectUrl?: string;
}

/**
 * Opens a file of a repo at a revision for download. The blob is checked to exist with the recorded size
 * before anything is sent, so a damaged store shows as an error rather than as a short or empty file.
 */
export async function openFile(hub: HubScope, caller: Caller, params: OpenFileParams): Promise<OpenedFile> {
  const path = validateRepoPath(params.path);
  const repo = await getReadableRepo(hub, caller, params.ref);
  if (repo.disabled) {
    throw new HangarError("HANGAR_ERR_FORBIDDEN", "Access to this resource is disabled.");
  }
  assertCanDownload(caller, repo);
  const { commit } = await resolveRevision(hub, repo, params.revision);
  const file = await hub.catalog.commits.getFile(commit.pk, path);
  if (!file) throw entryNotFound(path, commit.oid, repo.id);

  const base = { repoId: repo.id, commitOid: commit.oid, file };
  if (params.raw && file.lfs) {
    const pointer = Buffer.from(lfsPointer(file.sha256, file.size));
    const slice = (range?: { start: number; end: number }) =>
      range ? pointer.subarray(range.start, range.end + 1) : pointer;
    return {
      ...base,
      size: pointer.byteLength,
      etag: file.gitOid,
      read: async (range) => Readable.from([slice(range)]),
      sendTo: async (target, range) => {
        target.end(slice(range));
      },
    };
  }
  const storedSize = await hub.blobs.sizeOf(file.sha256);
  if (storedSize === null) {
    throw new HangarError(
      "HANGAR_ERR_BLOB_MISSING",
      `The content of ${path} (sha256 ${file.sha256}) is missing from the blob store; run an integrity check`,
    );
  }
  if (storedSize !== file.size) {
    throw new HangarError(
      "HANGAR_ERR_BLOB_CORRUPT",
      `The content of ${path} (sha256 ${file.sha256}) has ${storedSize} bytes in the blob store instead of ${file.size}; run an integrity check`,
    );
  }
  if (params.downloadSession !== undefined) {
    await recordDownload(hub, {
      repo,
      path,
      session: params.downloadSession,
      hasQueryFile: async () => {
        for (const name of ["config.json", "config.yaml", "hyperparams.yaml", "meta.yaml"])
          if (await hub.catalog.commits.getFile(commit.pk, name)) return true;
        return false;
      },
    });
  }
  const blobs = hub.blobs;
  const redirectUrl =
    params.allowRedirect && file.lfs && hub.config.s3.downloads === "redirect"
      ? await blobs.downloadUrl(file.sha256, {
          filename: path.slice(path.lastIndexOf("/") + 1),
          expiresInSeconds: DOWNLOAD_URL_SECONDS,
        })
      : undefined;
  return {
    ...base,
    size: file.size,
    etag: file.lfs ? file.sha256 : file.gitOid,
    read: (range) => blobs.openRead(file.sha256, range),
    sendTo: (target, range) => blobs.sendTo(file.sha256, target, range ?? { start: 0, end: file.size - 1 }),
    ...(redirectUrl ? { redirectUrl } : {}),
  };
}
