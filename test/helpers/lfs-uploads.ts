// The Git LFS requests the LFS upload tests (test/integration/lfs-object-ownership.test.ts and
// lfs-pending-uploads.test.ts) make as the clients do: batch, the bytes sent to their signed URLs (whole or in
// parts), verify, a commit whose lfsFile lines name objects, and a download.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";

/** The headers of a Git LFS API request. */
export const LFS_HEADERS = {
  accept: "application/vnd.git-lfs+json",
  "content-type": "application/vnd.git-lfs+json",
};
/** A small multipart threshold: objects from 1 MiB go in 256 KiB parts. */
export const LIMITS = {
  ...DEFAULT_LIMITS,
  lfsMultipartThreshold: 1024 * 1024,
  lfsMultipartChunkSize: 256 * 1024,
};

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** An LFS object as the batch API names it: its sha256 and size. */
export interface LfsObject {
  oid: string;
  size: number;
}

/** The LFS object (sha256 and size) of `bytes`. */
export const objectOf = (bytes: Uint8Array): LfsObject => ({ oid: sha256(bytes), size: bytes.byteLength });

/** An object of a batch API answer: the actions to send it, or an error. */
export interface BatchObject extends LfsObject {
  authenticated?: boolean;
  actions?: {
    upload: { href: string; header?: Record<string, string>; expires_at?: string };
    verify?: { href: string; expires_at?: string };
  };
  error?: { code: number; message: string };
}

/** The Authorization header of `token`, if there is one. */
export const auth = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** A batch API upload request for `objects` to `repo`, offering the basic and multipart transfers. */
export function batch(
  url: string,
  repo: string,
  token: string | undefined,
  objects: LfsObject[],
): Promise<Response> {
  return fetch(`${url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...LFS_HEADERS, ...auth(token) },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      hash_algo: "sha256",
      objects,
    }),
  });
}

/** The objects of a batch API upload answer, which must be 200. */
export async function batchObjects(
  url: string,
  repo: string,
  token: string,
  objects: LfsObject[],
): Promise<BatchObject[]> {
  const response = await batch(url, repo, token, objects);
  assert.equal(response.status, 200);
  return ((await response.json()) as { objects: BatchObject[] }).objects;
}

/** A verify request for `object` in `repo`. */
export function verify(
  url: string,
  repo: string,
  token: string | undefined,
  object: LfsObject,
): Promise<Response> {
  return fetch(`${url}/${repo}.git/info/lfs/objects/verify`, {
    method: "POST",
    headers: { ...LFS_HEADERS, ...auth(token) },
    body: JSON.stringify(object),
  });
}

/** An NDJSON commit as Python's create_commit posts it; `lfsFile` lines name objects by sha256 and size. */
export function postCommit(
  url: string,
  repo: string,
  token: string | undefined,
  files: Array<{ path: string; object: LfsObject } | { path: string; text: string }>,
): Promise<Response> {
  const lines: unknown[] = [{ key: "header", value: { summary: "Add files" } }];
  for (const file of files) {
    lines.push(
      "object" in file
        ? {
            key: "lfsFile",
            value: { path: file.path, algo: "sha256", oid: file.object.oid, size: file.object.size },
          }
        : {
            key: "file",
            value: {
              path: file.path,
              content: Buffer.from(file.text).toString("base64"),
              encoding: "base64",
            },
          },
    );
  }
  return fetch(`${url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", ...auth(token) },
    body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
  });
}

/**
 * PUTs an object's bytes to its signed URL (or its parts to theirs, then completes), as the clients do;
 * `completion` receives the completion request's body, for a retry.
 */
export async function sendBytes(
  action: BatchObject,
  bytes: Uint8Array,
  completion?: (body: string) => void,
): Promise<Response> {
  const upload = action.actions!.upload;
  if (!upload.header) return fetch(upload.href, { method: "PUT", body: bytes });
  const chunk = Number(upload.header.chunk_size);
  const parts: Array<{ partNumber: number; etag: string }> = [];
  for (let part = 1; upload.header[String(part)]; part++) {
    const put = await fetch(upload.header[String(part)]!, {
      method: "PUT",
      body: bytes.subarray((part - 1) * chunk, part * chunk),
    });
    assert.equal(put.status, 200);
    parts.push({ partNumber: part, etag: put.headers.get("etag")! });
  }
  const body = JSON.stringify({ oid: action.oid, parts });
  completion?.(body);
  return fetch(upload.href, { method: "POST", headers: LFS_HEADERS, body });
}

/** The error message of an error answer. */
export async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

/** GET of `path` on the main branch of `repo`, as `token`'s owner if given. */
export async function download(url: string, repo: string, path: string, token?: string): Promise<Response> {
  return fetch(`${url}/${repo}/resolve/main/${path}`, { headers: auth(token) });
}
