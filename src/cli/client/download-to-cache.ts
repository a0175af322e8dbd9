import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, lstat, mkdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { listFiles } from "@huggingface/hub";
import { badRequest } from "../../core/errors.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { type ContentAlgorithm, createContentHash } from "./file-hash.ts";
import { createPathFilter, type PathFilter } from "./glob.ts";
import { apiError, designation, type HubTarget, resolveRevisionSha, webRepoUrl } from "./hub-client.ts";

/**
 * The `huggingface_hub` cache folder: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
 * `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`. Sharing it means a model fetched by
 * `hangar download` is found offline by transformers, and the other way round.
 */
export function hubCacheDir(env: Record<string, string | undefined>): string {
  if (env.HF_HUB_CACHE) return expandHome(env.HF_HUB_CACHE);
  if (env.HF_HOME) return join(expandHome(env.HF_HOME), "hub");
  const cacheHome = env.XDG_CACHE_HOME ? expandHome(env.XDG_CACHE_HOME) : join(homedir(), ".cache");
  return join(cacheHome, "huggingface", "hub");
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

/** `models--ns--name`, the cache's folder for one repo. */
export function repoCacheFolderName(target: Pick<HubTarget, "type" | "id">): string {
  return [`${target.type}s`, ...target.id.split("/")].join("--");
}

export interface DownloadParams {
  target: HubTarget;
  /** Branch, tag or commit id. */
  revision: string;
  /** Exact repo paths to fetch; when given, the patterns are not applied (as with `hf download`). */
  files?: string[];
  filter?: PathFilter;
  /** The hub cache root (see {@link hubCacheDir}); ignored when `localDir` is set. */
  cacheDir: string;
  /** Plain files under this folder instead of the cache's blobs and symlinks. */
  localDir?: string;
  onProgress?: (progress: { doneBytes: number; totalBytes: number; path: string }) => void;
}

export interface DownloadResult {
  /** The snapshot folder (cache) or the local folder. */
  path: string;
  commit: string;
  /** Repo paths that are now present, sorted. */
  files: string[];
  /** Bytes fetched over the network by this run (0 when everything was already there). */
  downloadedBytes: number;
}

const PARALLEL_DOWNLOADS = 4;

interface RemoteFile {
  path: string;
  size: number;
  /** The content id the file is stored under: git blob sha1, or sha256 for LFS files. */
  etag: string;
  algorithm: ContentAlgorithm;
}

/**
 * Downloads a repo's files at one revision into the `huggingface_hub` cache layout
 * (`blobs/<etag>`, `snapshots/<commit>/<path>` symlinks, `refs/<revision>`) or into a plain folder.
 * Files already present are kept; an interrupted file resumes from its `.incomplete` part, and every file
 * is checked against its content id before it is moved into place.
 */
export async function downloadRepoFiles(params: DownloadParams): Promise<DownloadResult> {
  const { target } = params;
  // The revision names a file under refs/, so it must not be able to point outside it.
  if (params.revision.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
    throw badRequest(`Invalid revision "${params.revision}"`);
  }
  const commit = await resolveRevisionSha(target, params.revision);
  const remote = await listRemoteFiles(target, commit);
  const selected = selectFiles(remote, params);
  const destination = params.localDir
    ? localDirDestination(resolve(params.localDir), commit)
    : await cacheDestination(join(params.cacheDir, repoCacheFolderName(target)), params.revision, commit);

  const missing: RemoteFile[] = [];
  for (const file of selected) {
    if (!(await destination.has(file))) missing.push(file);
  }
  // In the cache, files with the same content share one blob: it is fetched once.
  const toFetch = params.localDir ? missing : [...new Map(missing.map((file) => [file.etag, file])).values()];
  const totalBytes = toFetch.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  let downloadedBytes = 0;
  const queue = [...missing];
  let failed = false;
  const worker = async () => {
    for (let file = queue.shift(); file && !failed; file = queue.shift()) {
      const current = file;
      try {
        await destination.store(current, (partPath) =>
          fetchFile({ target, commit, file: current, partPath }, (bytes, fromNetwork) => {
            doneBytes += bytes;
            if (fromNetwork) downloadedBytes += bytes;
            params.onProgress?.({ doneBytes, totalBytes, path: current.path });
          }),
        );
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, queue.length) }, worker));
  return {
    path: destination.root,
    commit,
    files: selected.map((file) => file.path).sort(),
    downloadedBytes,
  };
}

async function listRemoteFiles(target: HubTarget, commit: string): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  const entries = listFiles({
    repo: designation(target),
    recursive: true,
    revision: commit,
    hubUrl: target.hubUrl,
    ...(target.accessToken ? { accessToken: target.accessToken } : {}),
  });
  for await (const entry of entries) {
    if (entry.type !== "file") continue;
    try {
      validateRepoPath(entry.path);
    } catch (error) {
      // A hostile or broken hub must not make us write outside the destination folder.
      throw new Error(`The hub listed an unsafe path: ${(error as Error).message}`);
    }
    const etag = entry.lfs?.oid ?? entry.oid;
    if (!etag) throw new Error(`The hub gave no content id for ${entry.path}`);
    files.push({
      path: entry.path,
      size: entry.lfs?.size ?? entry.size,
      etag,
      algorithm: entry.lfs ? "sha256" : "git-sha1",
    });
  }
  return files;
}

function selectFiles(remote: RemoteFile[], params: DownloadParams): RemoteFile[] {
  if (params.files && params.files.length > 0) {
    const byPath = new Map(remote.map((file) => [file.path, file]));
    return params.files.map((path) => {
      const file = byPath.get(path);
      if (!file) throw new Error(`${path} is not in ${params.target.id} at revision ${params.revision}`);
      return file;
    });
  }
  const accept = createPathFilter(params.filter ?? {});
  return remote.filter((file) => accept(file.path));
}

interface Destination {
  root: string;
  has(file: RemoteFile): Promise<boolean>;
  /** Fetches into a part file (via `fetchInto`), then moves it into place. */
  store(file: RemoteFile, fetchInto: (partPath: string) => Promise<void>): Promise<void>;
}

async function cacheDestination(storage: string, revision: string, commit: string): Promise<Destination> {
  if (revision !== commit) {
    const refPath = join(storage, "refs", revision);
    await mkdir(dirname(refPath), { recursive: true });
    await writeFile(refPath, commit);
  }
  const snapshot = join(storage, "snapshots", commit);
  await mkdir(snapshot, { recursive: true });
  const blobPath = (file: RemoteFile) => join(storage, "blobs", file.etag);
  const pointerPath = (file: RemoteFile) => join(snapshot, file.path);
  /** One fetch per blob, shared by every file with that content. */
  const fetching = new Map<string, Promise<void>>();
  const link = async (file: RemoteFile) => {
    const pointer = pointerPath(file);
    await mkdir(dirname(pointer), { recursive: true });
    await rm(pointer, { force: true });
    try {
      await symlink(relative(dirname(pointer), blobPath(file)), pointer);
    } catch {
      // Filesystems without symlinks get a copy, as huggingface_hub does.
      await copyFile(blobPath(file), pointer);
    }
  };
  return {
    root: snapshot,
    async has(file) {
      if (await isFileOfSize(pointerPath(file), file.size)) return true;
      if (!(await isFileOfSize(blobPath(file), file.size))) return false;
      await link(file);
      return true;
    },
    async store(file, fetchInto) {
      let blobReady = fetching.get(file.etag);
      if (!blobReady) {
        blobReady = (async () => {
          await mkdir(join(storage, "blobs"), { recursive: true });
          const part = `${blobPath(file)}.incomplete`;
          await fetchInto(part);
          await rename(part, blobPath(file));
        })();
        fetching.set(file.etag, blobReady);
      }
      await blobReady;
      await link(file);
    },
  };
}

/** huggingface_hub's `local_dir` bookkeeping: `.cache/huggingface/download/<path>.metadata` = commit, etag, time. */
function localDirDestination(root: string, commit: string): Destination {
  const bookkeeping = (file: RemoteFile, suffix: string) =>
    join(root, ".cache", "huggingface", "download", `${file.path}${suffix}`);
  return {
    root,
    async has(file) {
      if (!(await isFileOfSize(join(root, file.path), file.size))) return false;
      const metadata = await readFile(bookkeeping(file, ".metadata"), "utf8").catch(() => "");
      return metadata.split("\n")[1] === file.etag;
    },
    async store(file, fetchInto) {
      const part = bookkeeping(file, ".incomplete");
      await mkdir(dirname(part), { recursive: true });
      await fetchInto(part);
      const finalPath = join(root, file.path);
      await mkdir(dirname(finalPath), { recursive: true });
      await rename(part, finalPath);
      await writeFile(bookkeeping(file, ".metadata"), `${commit}\n${file.etag}\n${Date.now() / 1000}\n`);
    },
  };
}

async function isFileOfSize(path: string, size: number): Promise<boolean> {
  try {
    const stats = await stat(path);
    return stats.isFile() && stats.size === size;
  } catch {
    return false;
  }
}

function resolveUrl(target: HubTarget, commit: string, path: string): string {
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  return `${webRepoUrl(target)}/resolve/${commit}/${encodedPath}`;
}

/**
 * GETs one file into `partPath`, resuming after the bytes a previous run left there, and checks the whole
 * content against the file's content id. On a mismatch the part file is removed so a re-run starts over.
 */
async function fetchFile(
  input: { target: HubTarget; commit: string; file: RemoteFile; partPath: string },
  onBytes: (bytes: number, fromNetwork: boolean) => void,
): Promise<void> {
  const { target, file, partPath } = input;
  let offset = await lstat(partPath)
    .then((stats) => (stats.isFile() ? stats.size : 0))
    .catch(() => 0);
  if (offset >= file.size) offset = 0;
  const response = await fetch(resolveUrl(target, input.commit, file.path), {
    headers: {
      ...(target.accessToken ? { authorization: `Bearer ${target.accessToken}` } : {}),
      ...(offset > 0 ? { range: `bytes=${offset}-` } : {}),
      "accept-encoding": "identity",
    },
  });
  if (!response.ok) throw await apiError(response);
  // A server that ignores Range sends everything again: start the part file over.
  if (response.status !== 206) offset = 0;
  const hash = createContentHash(file.algorithm, file.size);
  if (offset > 0) {
    for await (const chunk of createReadStream(partPath, { end: offset - 1 })) hash.update(chunk as Buffer);
    onBytes(offset, false);
  }
  let received = offset;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      received += chunk.length;
      onBytes(chunk.length, true);
      callback(null, chunk);
    },
  });
  if (!response.body) throw new Error(`Empty response for ${file.path}`);
  await pipeline(
    Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>),
    counter,
    createWriteStream(partPath, { flags: offset > 0 ? "a" : "w" }),
  );
  const digest = hash.digest("hex");
  if (received !== file.size || digest !== file.etag) {
    await rm(partPath, { force: true });
    throw new Error(
      `${file.path}: the downloaded content does not match the hub's listing (${received} of ${file.size} bytes, ${file.algorithm} ${digest.slice(0, 12)} instead of ${file.etag.slice(0, 12)}); run the command again`,
    );
  }
}
