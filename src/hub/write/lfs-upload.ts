import { createHash } from "node:crypto";
import { badRequest, HangarError } from "../../core/errors.ts";
import { type ChunkSource, feedChunks } from "../../core/feed-chunks.ts";
import type { Repo, RepoRef } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import type { AssemblyUpload, PartAssembly } from "../../store/blob-store-types.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { acquireBlobLeases, type BlobLease } from "../maintenance/blob-leases.ts";
import { recordReceivedLfsObject, repoHoldsLfsObject } from "./held-lfs-objects.ts";
import { PENDING_COMMIT_LEASE_MS } from "./lfs-batch.ts";
import { type SignedUpload, verifyUploadQuery } from "./lfs-signing.ts";
import { completeStoreMultipart, type StoreUpload, uploadStorePart } from "./lfs-store-multipart.ts";

/**
 * The upload side of LFS: bytes arrive on signed URLs (no Authorization header) and stream into the blob
 * store, which checks sha256 and size as they arrive and keeps nothing that does not match. Uploads in
 * flight exist only as files under the blob store's temp folder, where maintenance can see their age. Bytes
 * of an object the store already holds for other repos are checked all the same, then dropped: only bytes
 * that hash to the object make a repo hold it (see repoHoldsLfsObject).
 */
export interface LfsUploadTarget {
  repo: RepoRef;
  oid: string;
  /** The signed query of the URL (`size`, `expires`, `chunk`, `signature`, and `part` for parts). */
  query: URLSearchParams;
  now?: number;
}

type Body = ChunkSource;

/** Reads a body to its end, discarding it (the repo already holds the object). */
function drain(body: Body): Promise<void> {
  return feedChunks(body, () => undefined);
}

/**
 * Reads a body to its end and checks that it is the object's bytes, keeping none of them: the store already
 * has the object. Refuses a body that does not match with the blob store's own messages.
 */
async function checkWithoutStoring(body: Body, upload: SignedUpload): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  await feedChunks(body, (chunk) => {
    size += chunk.byteLength;
    if (size > upload.size) throw badRequest(`Received more than the announced ${upload.size} bytes`);
    hash.update(chunk);
  });
  if (size !== upload.size) throw badRequest(`Received ${size} bytes, but ${upload.size} were announced`);
  const digest = hash.digest("hex");
  if (digest !== upload.oid) {
    throw badRequest(`Content sha256 is ${digest}, but ${upload.oid} was announced`);
  }
}

export function assertDeclaredLength(declared: number | undefined, expected: number, what: string): void {
  if (declared !== undefined && declared !== expected) {
    throw badRequest(`${what} must be ${expected} bytes, but the request announces ${declared} bytes`);
  }
}

/** A body cut short because the client went away is the client's failure (400), not an internal error. */
export function brokenOff(error: unknown, what: string): unknown {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code !== "ECONNRESET" && code !== "ERR_STREAM_PREMATURE_CLOSE") return error;
  return badRequest(`${what} broke off before its last byte: send it again`);
}

async function alreadyStored(hub: HubScope, upload: SignedUpload): Promise<boolean> {
  return (await hub.blobs.sizeOf(upload.oid)) === upload.size;
}

/** Whether the repo holds the object already, so the upload (a client's retry) has nothing left to do. */
export function alreadyHeld(hub: HubScope, repo: Repo, upload: SignedUpload): Promise<boolean> {
  return repoHoldsLfsObject(hub, { repoPk: repo.pk, object: { oid: upload.oid, size: upload.size } });
}

/**
 * The repo the upload URL was signed for. It is looked up by name, as signed: after a move the URL no
 * longer names the repo, and the client asks the batch API again.
 */
export async function uploadRepo(hub: HubScope, upload: SignedUpload): Promise<Repo> {
  const repo = await hub.catalog.repos.get(upload.repo);
  if (!repo) {
    const id = `${repoUrlPrefix(upload.repo.type)}${upload.repo.namespace}/${upload.repo.name}`;
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `The repository ${id} of this upload URL no longer exists (deleted or moved): ask the LFS batch API for a new URL`,
    );
  }
  return repo;
}

/**
 * Leases the object against gc, from before it is found stored (so the copy the bytes are checked against
 * stays) until its commit, which comes in a later request, or never: the lease then ends by itself.
 */
export function leaseUntilCommit(hub: HubContext, upload: SignedUpload): Promise<BlobLease> {
  return acquireBlobLeases(hub, [upload.oid], { ttlMs: PENDING_COMMIT_LEASE_MS });
}

/** Records that the repo received the object whole: its next commit may point at it. */
export async function recordUpload(hub: HubContext, repo: Repo, upload: SignedUpload): Promise<void> {
  await recordReceivedLfsObject(hub, {
    repoPk: repo.pk,
    repoId: repo.id,
    object: { oid: upload.oid, size: upload.size },
  });
}

/** A single PUT of a whole object. */
export async function uploadLfsObject(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<void> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize !== 0) {
    throw badRequest(
      "This object is uploaded in parts: PUT each part to its own URL, then POST the completion",
    );
  }
  assertDeclaredLength(target.contentLength, upload.size, `Object ${upload.oid}`);
  const repo = await uploadRepo(hub, upload);
  await leaseUntilCommit(hub, upload);
  if (await alreadyHeld(hub, repo, upload)) {
    await drain(target.body);
    return;
  }
  try {
    if (await alreadyStored(hub, upload)) await checkWithoutStoring(target.body, upload);
    else {
      await hub.blobs.put(target.body, {
        expectedSha256: upload.oid,
        expectedSize: upload.size,
        releaseChunks: true,
      });
    }
  } catch (error) {
    throw brokenOff(error, `The upload of ${upload.oid}`);
  }
  await recordUpload(hub, repo, upload);
}

/**
 * The store's in-place assembly, which multipart uploads without a store session use. Such a URL reaching an
 * engine without one was handed out before the instance moved its blobs: the client asks the batch API again.
 */
function partAssembly(hub: HubScope): PartAssembly {
  if (hub.blobs.partAssembly) return hub.blobs.partAssembly;
  throw new HangarError(
    "HANGAR_ERR_FORBIDDEN",
    "This upload URL is not valid: it was made for another blob store. Ask for a new one.",
  );
}

function hasStoreSession(upload: SignedUpload): upload is StoreUpload {
  return upload.uploadId !== undefined;
}

/** The upload as the store's assembly knows it: one per object and repo, so two repos never share parts. */
function assemblyUpload(upload: SignedUpload): AssemblyUpload {
  return {
    oid: upload.oid,
    size: upload.size,
    chunkSize: upload.chunkSize,
    scope: [upload.repo.type, upload.repo.namespace, upload.repo.name].join("\n"),
  };
}

export function partLength(upload: SignedUpload, part: number): number {
  return Math.min(upload.chunkSize, upload.size - (part - 1) * upload.chunkSize);
}

export function partCount(upload: SignedUpload): number {
  return Math.ceil(upload.size / upload.chunkSize);
}

export function parsePartNumber(upload: SignedUpload, value: unknown): number {
  const part = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof part !== "number" || !Number.isSafeInteger(part) || part < 1 || part > partCount(upload)) {
    throw badRequest(`Invalid part number "${String(value)}": expected 1 to ${partCount(upload)}`);
  }
  return part;
}

/**
 * Waits until the early hash of the multipart upload of `oid` in progress (if any) has caught up with the
 * parts received whole, and returns how many leading parts it covers. For tests and diagnostics: uploads
 * never wait for it.
 */
export function earlyHashedParts(hub: HubScope, oid: string): Promise<number> {
  return hub.blobs.partAssembly?.earlyHashedParts(oid) ?? Promise.resolve(0);
}

/** One part of a multipart upload; returns the part's ETag, which the completion call sends back. */
export async function uploadLfsPart(
  hub: HubContext,
  target: LfsUploadTarget & { body: Body; contentLength?: number },
): Promise<string> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  if (hasStoreSession(upload)) return uploadStorePart(hub, upload, target);
  const part = parsePartNumber(upload, target.query.get("part"));
  assertDeclaredLength(target.contentLength, partLength(upload, part), `Part ${part}`);
  const assembly = partAssembly(hub);
  try {
    return await assembly.writePart(assemblyUpload(upload), part, target.body);
  } catch (error) {
    throw brokenOff(error, `Part ${part}`);
  }
}

export interface CompletedPart {
  partNumber: unknown;
  etag: unknown;
}

/**
 * Checks the completion's part list, then has the store check that every part arrived whole under the ETag
 * the client names, hash the assembled object once (sha256 and size must be the object's) and store it.
 */
export async function completeLfsMultipart(
  hub: HubContext,
  target: LfsUploadTarget & { parts: CompletedPart[] },
): Promise<void> {
  const upload = await verifyUploadQuery(hub, target.repo, target.oid, target.query, target.now);
  if (upload.chunkSize === 0) throw badRequest("This object is uploaded with a single PUT, not in parts");
  if (hasStoreSession(upload)) return completeStoreMultipart(hub, upload, target.parts);
  const assembly = partAssembly(hub);
  const repo = await uploadRepo(hub, upload);
  if (await alreadyHeld(hub, repo, upload)) {
    // A completion retried after its answer was lost: the parts are gone, the object is there.
    await leaseUntilCommit(hub, upload);
    await assembly.discard(assemblyUpload(upload));
    return;
  }
  const count = partCount(upload);
  const byNumber = new Map<number, string>();
  for (const given of target.parts) {
    const part = parsePartNumber(upload, given.partNumber);
    const etag = typeof given.etag === "string" ? given.etag.replace(/^W\//, "").replace(/"/g, "") : "";
    if (!/^[0-9a-f]{32}$/.test(etag)) throw badRequest(`Part ${part} has an unknown ETag`);
    byNumber.set(part, etag);
  }
  for (let part = 1; part <= count; part++) {
    if (!byNumber.has(part))
      throw badRequest(`Part ${part} of ${count} is missing from the completion request`);
  }
  // From before the object is stored until its commit, which comes in a later request.
  await leaseUntilCommit(hub, upload);
  await assembly.complete(assemblyUpload(upload), byNumber);
  await recordUpload(hub, repo, upload);
}
