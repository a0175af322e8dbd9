import { openAsBlob } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { type CommitOperation, commitIter } from "@huggingface/hub";
import { countNoun } from "../../core/count-noun.ts";
import { badRequest } from "../../core/errors.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { hashFile } from "./file-hash.ts";
import { createPathFilter, type PathFilter } from "./glob.ts";
import {
  apiRepoUrl,
  designation,
  type HubTarget,
  hubRequest,
  resolveRevisionSha,
  webRepoUrl,
} from "./hub-client.ts";

export interface LocalFile {
  localPath: string;
  pathInRepo: string;
  size: number;
}

/** Folders `hf upload` never sends: git's own data and huggingface_hub's local-dir bookkeeping. */
const SKIPPED_FOLDERS = [".git", join(".cache", "huggingface")];

/**
 * The files to upload from a local file or folder. A file goes to `pathInRepo` (default: its own name); a
 * folder's files go under `pathInRepo` (default: the repo root), filtered by the patterns on their path
 * relative to the folder.
 */
export async function collectLocalFiles(params: {
  localPath: string;
  pathInRepo?: string;
  filter?: PathFilter;
}): Promise<LocalFile[]> {
  const stats = await stat(params.localPath).catch(() => undefined);
  if (!stats) throw badRequest(`${params.localPath} does not exist`);
  const prefix = (params.pathInRepo ?? "").replace(/^\/+|\/+$/g, "");
  if (stats.isFile()) {
    const pathInRepo = validateRepoPath(prefix || basename(params.localPath));
    return [{ localPath: params.localPath, pathInRepo, size: stats.size }];
  }
  if (!stats.isDirectory()) throw badRequest(`${params.localPath} is neither a file nor a folder`);
  const accept = createPathFilter(params.filter ?? {});
  const files: LocalFile[] = [];
  for (const entry of await readdir(params.localPath, { recursive: true, withFileTypes: true })) {
    const localPath = join(entry.parentPath, entry.name);
    // Symlinked files are uploaded with their target's content, as `hf upload` does.
    const isFile =
      entry.isFile() || (entry.isSymbolicLink() && (await stat(localPath).catch(() => undefined))?.isFile());
    if (!isFile) continue;
    const relativePath = relative(params.localPath, localPath);
    if (SKIPPED_FOLDERS.some((folder) => relativePath.startsWith(`${folder}${sep}`))) continue;
    const repoRelative = relativePath.split(sep).join("/");
    if (!accept(repoRelative)) continue;
    const pathInRepo = validateRepoPath(prefix ? `${prefix}/${repoRelative}` : repoRelative);
    files.push({ localPath, pathInRepo, size: (await stat(localPath)).size });
  }
  return files.sort((a, b) => (a.pathInRepo < b.pathInRepo ? -1 : a.pathInRepo > b.pathInRepo ? 1 : 0));
}

export interface UploadProgress {
  phase: "checking" | "hashing" | "uploading" | "committing";
  doneBytes: number;
  totalBytes: number;
}

export interface UploadParams {
  target: HubTarget;
  files: LocalFile[];
  branch: string;
  title?: string;
  description?: string;
  onProgress?: (progress: UploadProgress) => void;
}

export interface UploadResult {
  /** The new commit, or the branch head when nothing had changed. */
  commitOid: string;
  commitUrl: string;
  /** False when every file was already on the branch, so no commit was made. */
  committed: boolean;
  /** Bytes sent: LFS uploads plus regular files inlined in the commit. */
  uploadedBytes: number;
  /** Files in the commit. */
  changedFiles: string[];
  /** Files skipped because the branch already has the same content (or the hub asked to ignore them). */
  unchangedFiles: string[];
}

interface PreuploadAnswer {
  files: Array<{ path: string; uploadMode: "lfs" | "regular"; shouldIgnore?: boolean; oid?: string }>;
}

const PREUPLOAD_BATCH = 100;

/**
 * Uploads files in one commit through the Hub protocol, sending only what the server does not have:
 * preupload reports the content id of files already on the branch (identical ones are dropped, and when
 * all are identical no commit is made), and the LFS batch answers objects the server already stores with
 * no upload action, so an upload interrupted after its large files resumes without re-sending them.
 */
export async function uploadFiles(params: UploadParams): Promise<UploadResult> {
  const { target } = params;
  const report = params.onProgress ?? (() => {});
  report({ phase: "checking", doneBytes: 0, totalBytes: params.files.length });

  const remote = await preupload(target, params.branch, params.files);
  const changed: LocalFile[] = [];
  const unchanged: string[] = [];
  let checked = 0;
  for (const file of params.files) {
    const answer = remote.get(file.pathInRepo);
    if (answer?.shouldIgnore) {
      unchanged.push(file.pathInRepo);
    } else if (answer?.oid && answer.oid === (await localOid(file, answer.uploadMode))) {
      unchanged.push(file.pathInRepo);
    } else {
      changed.push(file);
    }
    report({ phase: "checking", doneBytes: ++checked, totalBytes: params.files.length });
  }

  if (changed.length === 0) {
    const head = await resolveRevisionSha(target, params.branch);
    return {
      commitOid: head,
      commitUrl: `${webRepoUrl(target)}/commit/${head}`,
      committed: false,
      uploadedBytes: 0,
      changedFiles: [],
      unchangedFiles: unchanged,
    };
  }

  let uploadedBytes = 0;
  let streamedBytes = 0;
  let reportUpload = () => {};
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(
      input,
      init
        ? streamWithProgress(init, (bytes) => {
            streamedBytes += bytes;
            reportUpload();
          })
        : init,
    );
    if (response.ok && init?.body) uploadedBytes += sentBytes(String(input), init);
    return response;
  };
  const operations: CommitOperation[] = await Promise.all(
    changed.map(async (file) => ({
      operation: "addOrUpdate" as const,
      path: file.pathInRepo,
      content: await openAsBlob(file.localPath),
    })),
  );
  const sizes = new Map(changed.map((file) => [file.pathInRepo, file.size]));
  const hashed = new Map<string, number>();
  // The library reports an upload only as started (0) and done (1); a file the server already stores goes
  // straight to done. Byte progress comes from the request bodies as they stream out.
  const started = new Set<string>();
  let alreadyStoredBytes = 0;
  const lfsBytes = () => [...hashed.keys()].reduce((sum, path) => sum + (sizes.get(path) ?? 0), 0);
  reportUpload = () => {
    const total = lfsBytes();
    report({
      phase: "uploading",
      doneBytes: Math.min(total, streamedBytes + alreadyStoredBytes),
      totalBytes: total,
    });
  };
  const iterator = commitIter({
    repo: designation(target),
    operations,
    title: params.title ?? defaultTitle(changed),
    ...(params.description ? { description: params.description } : {}),
    branch: params.branch,
    hubUrl: target.hubUrl,
    ...(target.accessToken ? { accessToken: target.accessToken } : {}),
    useXet: false,
    fetch: countingFetch,
  });
  let step = await iterator.next();
  while (!step.done) {
    const event = step.value;
    if (event.event === "phase") {
      if (event.phase === "committing") report({ phase: "committing", doneBytes: 0, totalBytes: 0 });
    } else if (event.state === "hashing") {
      hashed.set(event.path, event.progress);
      let done = 0;
      for (const [path, fraction] of hashed) done += fraction * (sizes.get(path) ?? 0);
      report({ phase: "hashing", doneBytes: Math.round(done), totalBytes: lfsBytes() });
    } else if (event.state === "uploading") {
      if (event.progress === 0) started.add(event.path);
      if (event.progress === 1 && !started.has(event.path)) alreadyStoredBytes += sizes.get(event.path) ?? 0;
      reportUpload();
    }
    step = await iterator.next();
  }
  const output = step.value;
  if (!output) throw new Error("The hub did not confirm the commit");
  return {
    commitOid: output.commit.oid,
    commitUrl: output.commit.url,
    committed: true,
    uploadedBytes,
    changedFiles: changed.map((file) => file.pathInRepo),
    unchangedFiles: unchanged,
  };
}

async function preupload(
  target: HubTarget,
  branch: string,
  files: LocalFile[],
): Promise<Map<string, PreuploadAnswer["files"][number]>> {
  const answers = new Map<string, PreuploadAnswer["files"][number]>();
  for (let start = 0; start < files.length; start += PREUPLOAD_BATCH) {
    const batch = files.slice(start, start + PREUPLOAD_BATCH);
    const body = {
      files: await Promise.all(
        batch.map(async (file) => ({ path: file.pathInRepo, size: file.size, sample: await sample(file) })),
      ),
    };
    const answer = await hubRequest<PreuploadAnswer>(
      target,
      "POST",
      `${apiRepoUrl(target)}/preupload/${encodeURIComponent(branch)}`,
      body,
    );
    for (const entry of answer.files ?? []) answers.set(entry.path, entry);
  }
  return answers;
}

/** The first 512 bytes, base64: what the server looks at to choose LFS for binary files. */
async function sample(file: LocalFile): Promise<string> {
  const handle = await open(file.localPath, "r");
  try {
    const buffer = Buffer.alloc(Math.min(512, file.size));
    await handle.read(buffer, 0, buffer.length, 0);
    return buffer.toString("base64");
  } finally {
    await handle.close();
  }
}

function localOid(file: LocalFile, mode: "lfs" | "regular"): Promise<string> {
  return hashFile(file.localPath, mode === "lfs" ? "sha256" : "git-sha1");
}

/**
 * Sends a PUT's Blob body as a stream that reports bytes as they go out, with its Content-Length kept (S3
 * and other object stores refuse chunked uploads).
 */
function streamWithProgress(init: RequestInit, onBytes: (bytes: number) => void): RequestInit {
  const body = init.body;
  if (init.method !== "PUT" || !(body instanceof Blob) || body.size === 0) return init;
  const counted = body.stream().pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onBytes(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
  const headers = new Headers(init.headers);
  headers.set("content-length", String(body.size));
  // `duplex` is required by fetch for stream bodies; Node's RequestInit type does not list it yet.
  return { ...init, body: counted, headers, duplex: "half" } as RequestInit;
}

/** Content bytes in one request: an LFS object (or part) PUT, or the base64 files inlined in a commit. */
function sentBytes(url: string, init: RequestInit): number {
  const body = init.body;
  if (init.method === "PUT") {
    if (body instanceof Blob) return body.size;
    if (body instanceof ArrayBuffer) return body.byteLength;
    if (ArrayBuffer.isView(body)) return body.byteLength;
    return 0;
  }
  if (init.method === "POST" && /\/commit\/[^/]+$/.test(new URL(url).pathname) && typeof body === "string") {
    let bytes = 0;
    for (const line of body.split("\n")) {
      if (!line.trim()) continue;
      const entry = JSON.parse(line) as { key?: string; value?: { content?: string } };
      if (entry.key === "file" && typeof entry.value?.content === "string") {
        bytes += Buffer.byteLength(entry.value.content, "base64");
      }
    }
    return bytes;
  }
  return 0;
}

function defaultTitle(files: LocalFile[]): string {
  return files.length === 1 ? `Upload ${files[0]!.pathInRepo}` : `Upload ${countNoun(files.length, "file")}`;
}
