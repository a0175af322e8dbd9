import { badRequest, HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { repoUrlPrefix } from "../../core/validate.ts";
import { MAX_PARTS, MIN_PART_BYTES } from "../../store/s3-multipart.ts";
import { canWriteNamespace, getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { acquireBlobLeases } from "../maintenance/blob-leases.ts";
import { repoHoldsLfsObject } from "./held-lfs-objects.ts";
import { signUploadQuery } from "./lfs-signing.ts";

export interface LfsBatchParams {
  repo: RepoRef;
  operation: string;
  /** Transfer adapters the client offers; Hangar always answers "basic" (never "xet"). */
  transfers?: string[];
  hashAlgo?: string;
  objects: Array<{ oid: unknown; size: unknown }>;
  /** Base URL the client sees; upload URLs must be absolute on it. */
  baseUrl: string;
  now?: number;
}

export interface LfsAction {
  href: string;
  header?: Record<string, string>;
  expires_at?: string;
}

export interface LfsBatchObject {
  oid: string;
  size: number;
  authenticated?: boolean;
  actions?: { upload: LfsAction; verify?: LfsAction };
  error?: { code: number; message: string };
}

export interface LfsBatchResult {
  transfer: "basic";
  hash_algo: "sha256";
  objects: LfsBatchObject[];
}

export const DEFAULT_MULTIPART_THRESHOLD = 64 * 1024 ** 2;
export const DEFAULT_MULTIPART_CHUNK_SIZE = 32 * 1024 ** 2;
/** Upload URLs stay valid for a day: a multipart upload of a large file on a slow link takes hours. */
const UPLOAD_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;
const SHA256 = /^[0-9a-f]{64}$/;
/** How long an uploaded (or already stored) object is protected from gc while its commit is on the way. */
export const PENDING_COMMIT_LEASE_MS = 60 * 60 * 1000;

/** The path of the signed upload route for one object (the server registers the same shape). */
export function uploadPath(repo: RepoRef, oid: string): string {
  return `/api/lfs-upload/${repo.type}/${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}/${oid}`;
}

/**
 * Answers a Git LFS batch request for uploads (downloads: `lfsDownloadBatch`): objects the repo already holds need nothing, the others get
 * a signed upload URL (or one URL per part for large objects, the Hub's "multipart" convention).
 */
export async function lfsBatch(
  hub: HubContext,
  caller: Caller,
  params: LfsBatchParams,
): Promise<LfsBatchResult> {
  // As on the Hub, someone who may not write to the repo may still upload the files of a pull request. They
  // are told nothing about the repo's objects: every object gets an upload URL (bytes the store has are
  // hashed and dropped), and no verify action, which would answer for objects the repo holds.
  const repo = await getContributableRepo(hub, caller, params.repo);
  const writer = canWriteNamespace(caller, repo.namespace);
  if (params.operation !== "upload") {
    throw new HangarError(
      "HANGAR_ERR_NOT_IMPLEMENTED",
      `The LFS "${params.operation}" operation is not supported: "upload" and "download" are`,
    );
  }
  if (params.hashAlgo !== undefined && params.hashAlgo !== "sha256" && params.hashAlgo !== "sha_256") {
    throw badRequest(`Unsupported LFS hash algorithm "${params.hashAlgo}": only sha256 is supported`);
  }
  const limits = hub.config.limits;
  const multipartThreshold = limits.lfsMultipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const chunkSize = limits.lfsMultipartChunkSize ?? DEFAULT_MULTIPART_CHUNK_SIZE;
  const multipartOffered = params.transfers?.includes("multipart") ?? false;
  const now = params.now ?? Date.now();
  const expiresMs = now + UPLOAD_URL_LIFETIME_MS;
  const expires = Math.floor(expiresMs / 1000);
  const expiresAt = new Date(expires * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const verifyHref = `${params.baseUrl}/${repoUrlPrefix(repo.type)}${repo.namespace}/${repo.name}.git/info/lfs/objects/verify`;

  const objects: LfsBatchObject[] = [];
  /** Objects the repo already holds: the client skips them and commits them next. */
  const stored: string[] = [];
  for (const requested of params.objects) {
    const oid = typeof requested.oid === "string" ? requested.oid : String(requested.oid);
    const size = typeof requested.size === "number" ? requested.size : Number.NaN;
    if (!SHA256.test(oid)) {
      objects.push({
        oid,
        size,
        error: { code: 422, message: `Invalid object id "${oid}": expected sha256 hex` },
      });
      continue;
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      objects.push({
        oid,
        size,
        error: { code: 422, message: `Invalid size for ${oid}: expected an integer >= 0` },
      });
      continue;
    }
    if (size > limits.maxFileSize) {
      objects.push({
        oid,
        size,
        error: {
          code: 413,
          message: `${oid} is ${size} bytes, over the limit of ${limits.maxFileSize} bytes`,
        },
      });
      continue;
    }
    // Only objects this repo already holds are skipped: for any other, stored or not, the client sends the
    // bytes, and the answer is the same whoever else may hold them.
    if (writer && (await repoHoldsLfsObject(hub, { repoPk: repo.pk, object: { oid, size } }))) {
      stored.push(oid);
      objects.push({ oid, size });
      continue;
    }
    const multipart = multipartOffered && size >= multipartThreshold && size > chunkSize;
    if (multipart && !hub.blobs.partAssembly) {
      const upload = await storeMultipartAction(hub, { repo, oid, size, expires, chunkSize }, params.baseUrl);
      objects.push({
        oid,
        size,
        authenticated: true,
        actions: {
          upload: { ...upload, expires_at: expiresAt },
          ...(writer ? { verify: { href: verifyHref, expires_at: expiresAt } } : {}),
        },
      });
      continue;
    }
    const signed = { repo, oid, size, expires, chunkSize: multipart ? chunkSize : 0 };
    const href = `${params.baseUrl}${uploadPath(repo, oid)}?${await signUploadQuery(hub, signed)}`;
    const upload: LfsAction = { href, expires_at: expiresAt };
    if (multipart) {
      const header: Record<string, string> = { chunk_size: String(chunkSize) };
      const parts = Math.ceil(size / chunkSize);
      for (let part = 1; part <= parts; part++) header[String(part)] = `${href}&part=${part}`;
      upload.header = header;
    }
    objects.push({
      oid,
      size,
      authenticated: true,
      actions: { upload, ...(writer ? { verify: { href: verifyHref, expires_at: expiresAt } } : {}) },
    });
  }
  // Keep gc away from the stored objects until their commit, even from old blobs no commit references any
  // more: one lease for all of them (one catalog write, however many objects the batch names).
  if (stored.length > 0) await acquireBlobLeases(hub, stored, { ttlMs: PENDING_COMMIT_LEASE_MS });
  return { transfer: "basic", hash_algo: "sha256", objects };
}

/**
 * The upload action of a large object on a store whose clients send parts straight to it (S3): a session
 * begun in the store, its presigned part URLs as the Hub's numbered `header` entries, and as `href` the
 * completion URL on Hangar, signed with the session's id so whichever node receives the completion can
 * finish it. Parts are at least S3's minimum and few enough for its part limit.
 */
async function storeMultipartAction(
  hub: HubContext,
  object: { repo: RepoRef; oid: string; size: number; expires: number; chunkSize: number },
  baseUrl: string,
): Promise<LfsAction> {
  const chunkSize = Math.max(object.chunkSize, MIN_PART_BYTES, Math.ceil(object.size / MAX_PARTS));
  const session = await hub.blobs.beginMultipart(object.oid, object.size, chunkSize, {
    expiresInSeconds: Math.max(1, object.expires - Math.floor(Date.now() / 1000)),
  });
  // Until completed or aborted; gc aborts it once its URLs have expired.
  await hub.catalog.multipartSessions.open(session.uploadId, object.expires * 1000);
  const signed = { ...object, chunkSize, uploadId: session.uploadId };
  const href = `${baseUrl}${uploadPath(object.repo, object.oid)}?${await signUploadQuery(hub, signed)}`;
  const header: Record<string, string> = { chunk_size: String(chunkSize) };
  const parts = Math.ceil(object.size / chunkSize);
  for (let part = 1; part <= parts; part++) {
    // A store without part URLs takes the parts through Hangar, on the same signed URL.
    header[String(part)] = session.partUrls?.[part - 1] ?? `${href}&part=${part}`;
  }
  return { href, header };
}
