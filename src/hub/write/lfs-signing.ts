import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import type { HubContext } from "../hub.ts";

/**
 * Clients PUT LFS objects without an Authorization header, so each upload URL carries its own permission:
 * an HMAC over the repo, the object, its size, the part size and an expiry, keyed by a per-instance secret
 * kept in the catalog (so every process on one catalog accepts the others' URLs and a restart keeps them).
 */
export interface SignedUpload {
  repo: RepoRef;
  oid: string;
  size: number;
  /** Unix time in seconds after which the URL is refused. */
  expires: number;
  /** Part size of a multipart upload; 0 for a single PUT. */
  chunkSize: number;
  /**
   * The blob store's multipart session (engines whose clients send parts straight to the store, S3): signed
   * with the rest, so any node that receives the completion knows which session to complete.
   */
  uploadId?: string;
}

const SECRET_KEY = "lfs_upload_signing_secret";
const secrets = new WeakMap<HubContext, Buffer>();

async function signingSecret(hub: HubContext): Promise<Buffer> {
  const cached = secrets.get(hub);
  if (cached) return cached;
  // Every node of an instance must sign alike: the first to start stores the key, the others read it.
  const hex = await hub.catalog.setMetaIfAbsent(SECRET_KEY, randomBytes(32).toString("hex"));
  const secret = Buffer.from(hex, "hex");
  secrets.set(hub, secret);
  return secret;
}

async function signature(hub: HubContext, upload: SignedUpload): Promise<string> {
  const message = [
    upload.repo.type,
    upload.repo.namespace,
    upload.repo.name,
    upload.oid,
    upload.size,
    upload.expires,
    upload.chunkSize,
    // Absent from URLs without a store session, whose signatures stay what they were.
    ...(upload.uploadId !== undefined ? [upload.uploadId] : []),
  ].join("\n");
  return createHmac("sha256", await signingSecret(hub))
    .update(message)
    .digest("hex");
}

/** The query string (without `?`) that authorises one upload. */
export async function signUploadQuery(hub: HubContext, upload: SignedUpload): Promise<string> {
  const query = new URLSearchParams({
    size: String(upload.size),
    expires: String(upload.expires),
    chunk: String(upload.chunkSize),
    ...(upload.uploadId !== undefined ? { upload: upload.uploadId } : {}),
    signature: await signature(hub, upload),
  });
  return query.toString();
}

/** Reads and checks the signed fields of an upload URL; 403 when tampered with or expired. */
export async function verifyUploadQuery(
  hub: HubContext,
  repo: RepoRef,
  oid: string,
  query: URLSearchParams,
  now = Date.now(),
): Promise<SignedUpload> {
  const denied = (reason: string): HangarError =>
    new HangarError("HANGAR_ERR_FORBIDDEN", `This upload URL is not valid: ${reason}. Ask for a new one.`);
  const integer = (name: string): number => {
    const value = query.get(name);
    const parsed = value === null || !/^\d+$/.test(value) ? Number.NaN : Number(value);
    if (!Number.isSafeInteger(parsed)) throw denied(`missing or malformed "${name}"`);
    return parsed;
  };
  const upload: SignedUpload = {
    repo,
    oid,
    size: integer("size"),
    expires: integer("expires"),
    chunkSize: integer("chunk"),
  };
  const uploadId = query.get("upload");
  if (uploadId !== null) upload.uploadId = uploadId;
  const given = Buffer.from(query.get("signature") ?? "", "utf8");
  const expected = Buffer.from(await signature(hub, upload), "utf8");
  if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
    throw denied("the signature does not match");
  }
  if (upload.expires * 1000 < now) throw denied("it has expired");
  return upload;
}

/** A download URL's permission: one object of one repo until an expiry. */
export interface SignedDownload {
  repo: RepoRef;
  oid: string;
  size: number;
  expires: number;
}

async function downloadSignature(hub: HubContext, download: SignedDownload): Promise<string> {
  // "download" first: no upload message starts with it (those start with a repo type), so neither kind of
  // URL can pass for the other.
  const message = [
    "download",
    download.repo.type,
    download.repo.namespace,
    download.repo.name,
    download.oid,
    download.size,
    download.expires,
  ].join("\n");
  return createHmac("sha256", await signingSecret(hub))
    .update(message)
    .digest("hex");
}

/** The query string (without `?`) that authorises one download. */
export async function signDownloadQuery(hub: HubContext, download: SignedDownload): Promise<string> {
  return new URLSearchParams({
    size: String(download.size),
    expires: String(download.expires),
    signature: await downloadSignature(hub, download),
  }).toString();
}

/** Reads and checks a download URL's signed fields; 403 when tampered with or expired. */
export async function verifyDownloadQuery(
  hub: HubContext,
  repo: RepoRef,
  oid: string,
  query: URLSearchParams,
  now = Date.now(),
): Promise<SignedDownload> {
  const denied = (reason: string): HangarError =>
    new HangarError("HANGAR_ERR_FORBIDDEN", `This download URL is not valid: ${reason}. Ask for a new one.`);
  const integer = (name: string): number => {
    const value = query.get(name);
    const parsed = value === null || !/^\d+$/.test(value) ? Number.NaN : Number(value);
    if (!Number.isSafeInteger(parsed)) throw denied(`missing or malformed "${name}"`);
    return parsed;
  };
  const download: SignedDownload = { repo, oid, size: integer("size"), expires: integer("expires") };
  const given = Buffer.from(query.get("signature") ?? "", "utf8");
  const expected = Buffer.from(await downloadSignature(hub, download), "utf8");
  if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
    throw denied("the signature does not match");
  }
  if (download.expires * 1000 < now) throw denied("it has expired");
  return download;
}
