import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { badRequest } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { nowIso } from "../../store/catalog.ts";
import type { HubContext } from "../hub.ts";
import { acquireBlobLeases } from "../maintenance/blob-leases.ts";
import { PENDING_COMMIT_LEASE_MS } from "./lfs-batch.ts";
import { type SignedUpload, verifyUploadQuery } from "./lfs-signing.ts";

/**
 * The upload side of LFS: bytes arrive on signed URLs (no Authorization header) and stream into the blob
 * store, which checks sha256 and size as they arrive and keeps nothing that does not match. Uploads in
 * flight exist only as files under the blob store's temp folder, where maintenance can see their age.
 */
export interface LfsUploadTarget {
  repo: RepoRef;
  oid: string;
  /** The signed query of the URL (`size`, `expires`, `chunk`, `signature`, and `part` for parts). */
  query: URLSearchParams;
  now?: number;
}

type Body = AsyncIterable<Uint8Array>;

async function drain(body: Body): Promise<void> {
  for await (const _chunk of body) {
    // Discarded: the object is already stored.
  }
}

function assertDeclaredLength(declared: number | undefined, expected: number, what: string): void {
  if (declared !== undefined && declared !== expected) {
    throw badRequest(`${what} must be ${expected} bytes, but the request announces ${declared} bytes`);
  }
}

async function alreadyStored(hub: HubContext, upload: SignedUpload): Promise<boolean> {
  return (await hub.blobs.sizeOf(upload.oid)) === upload.size;
}

/** Registers a finished upload and leases it against gc until its commit (which comes in a later request). */
async function recordUpload(hub: HubContext, upload: SignedUpload): Promise<void> {
  hub.catalog.commits.registerBlob(upload.oid, upload.size, nowIso());
  await acquireBlobLeases(hub.blobs, [upload.oid], { ttlMs: PENDING_COMMIT_LEASE_MS });
}

/** A single PUT of a whole object. */
export async function uploadLfsObject(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<void> {
  const upload = verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize !== 0) {
    throw badRequest(
      "This object is uploaded in parts: PUT each part to its own URL, then POST the completion",
    );
  }
  assertDeclaredLength(target.contentLength, upload.size, `Object ${upload.oid}`);
  if (await alreadyStored(hub, upload)) {
    await drain(target.body);
    return;
  }
  await hub.blobs.put(target.body, { expectedSha256: upload.oid, expectedSize: upload.size });
  await recordUpload(hub, upload);
}

function partsFolder(hub: HubContext, upload: SignedUpload): string {
  return join(hub.blobs.tempDir, `multipart-${upload.oid}-${upload.size}-${upload.chunkSize}`);
}

function partLength(upload: SignedUpload, part: number): number {
  return Math.min(upload.chunkSize, upload.size - (part - 1) * upload.chunkSize);
}

function partCount(upload: SignedUpload): number {
  return Math.ceil(upload.size / upload.chunkSize);
}

function parsePartNumber(upload: SignedUpload, value: unknown): number {
  const part = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof part !== "number" || !Number.isSafeInteger(part) || part < 1 || part > partCount(upload)) {
    throw badRequest(`Invalid part number "${String(value)}": expected 1 to ${partCount(upload)}`);
  }
  return part;
}

/** An ETag names the bytes of a part, so a completion can only name parts that were stored whole. */
function partEtag(digest: string): string {
  return `"${digest}"`;
}

/** One part of a multipart upload; returns the part's ETag, which the completion call sends back. */
export async function uploadLfsPart(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<string> {
  const upload = verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  const part = parsePartNumber(upload, target.query.get("part"));
  const expected = partLength(upload, part);
  assertDeclaredLength(target.contentLength, expected, `Part ${part}`);
  const folder = partsFolder(hub, upload);
  await mkdir(folder, { recursive: true });
  const temp = hub.blobs.tempPath();
  const handle = await open(temp, "w");
  const hash = createHash("sha256");
  let received = 0;
  try {
    for await (const chunk of target.body) {
      received += chunk.byteLength;
      if (received > expected) throw badRequest(`Part ${part} is larger than its ${expected} bytes`);
      hash.update(chunk);
      await handle.write(chunk);
    }
    if (received !== expected) {
      throw badRequest(`Part ${part} must be ${expected} bytes, but ${received} were received`);
    }
    await handle.close();
    const digest = hash.digest("hex");
    // The part appears under its final name only once complete, so a completion never reads half a part.
    await rename(temp, join(folder, `${part}.${digest}.part`));
    return partEtag(digest);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
}

export interface CompletedPart {
  partNumber: unknown;
  etag: unknown;
}

/** Joins the parts in order into the blob store, checking the whole object's sha256 and size. */
export async function completeLfsMultipart(
  hub: HubContext,
  target: LfsUploadTarget & { parts: CompletedPart[] },
): Promise<void> {
  const upload = verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  const folder = partsFolder(hub, upload);
  if (await alreadyStored(hub, upload)) {
    await rm(folder, { recursive: true, force: true });
    return;
  }
  const count = partCount(upload);
  const byNumber = new Map<number, string>();
  for (const given of target.parts) {
    const part = parsePartNumber(upload, given.partNumber);
    const etag = typeof given.etag === "string" ? given.etag.replace(/^W\//, "").replace(/"/g, "") : "";
    if (!/^[0-9a-f]{64}$/.test(etag)) throw badRequest(`Part ${part} has an unknown ETag`);
    byNumber.set(part, join(folder, `${part}.${etag}.part`));
  }
  const files: string[] = [];
  for (let part = 1; part <= count; part++) {
    const file = byNumber.get(part);
    if (!file) throw badRequest(`Part ${part} of ${count} is missing from the completion request`);
    const info = await stat(file).catch(() => null);
    if (!info || info.size !== partLength(upload, part)) {
      throw badRequest(`Part ${part} was not uploaded (or not with that ETag): upload it again`);
    }
    files.push(file);
  }
  async function* joined(): AsyncGenerator<Uint8Array> {
    for (const file of files) yield* createReadStream(file);
  }
  try {
    await hub.blobs.put(joined(), { expectedSha256: upload.oid, expectedSize: upload.size });
    await recordUpload(hub, upload);
  } finally {
    // Whether the object matched or not, its parts are of no further use: a retry starts with new parts.
    await rm(folder, { recursive: true, force: true });
  }
}
