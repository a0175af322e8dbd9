import type { Readable } from "node:stream";
import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { assertCanDownload, getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { signDownloadQuery, verifyDownloadQuery } from "../write/lfs-signing.ts";
import { DOWNLOAD_URL_SECONDS } from "./open-file.ts";

const SHA256 = /^[0-9a-f]{64}$/;

export interface LfsDownloadObject {
  oid: string;
  size: number;
  authenticated?: boolean;
  actions?: { download: { href: string; expires_at: string } };
  error?: { code: number; message: string };
}

export interface LfsDownloadBatchResult {
  transfer: "basic";
  hash_algo: "sha256";
  objects: LfsDownloadObject[];
}

/** The path of the signed download route for one object (the server registers the same shape). */
export function downloadPath(repo: RepoRef, oid: string): string {
  return `/api/lfs-download/${repo.type}/${encodeURIComponent(repo.namespace)}/${encodeURIComponent(repo.name)}/${oid}`;
}

/**
 * Answers a Git LFS batch request for downloads: each object the repo holds (one of its commits references
 * it, or it was uploaded to it) gets a signed, expiring URL (a presigned blob store URL when the store
 * hands those out and `downloads` is `redirect`); any other object a 404 of its own.
 */
export async function lfsDownloadBatch(
  hub: HubContext,
  caller: Caller,
  params: { repo: RepoRef; objects: Array<{ oid: unknown; size: unknown }>; baseUrl: string; now?: number },
): Promise<LfsDownloadBatchResult> {
  const repo = await getReadableRepo(hub, caller, params.repo);
  if (repo.disabled) throw new HangarError("HANGAR_ERR_FORBIDDEN", "Access to this resource is disabled.");
  assertCanDownload(caller, repo);
  const now = params.now ?? Date.now();
  const expires = Math.floor(now / 1000) + DOWNLOAD_URL_SECONDS;
  const expiresAt = new Date(expires * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const objects: LfsDownloadObject[] = [];
  for (const requested of params.objects) {
    const oid = typeof requested.oid === "string" ? requested.oid : String(requested.oid);
    const size = typeof requested.size === "number" ? requested.size : Number.NaN;
    if (!SHA256.test(oid) || !Number.isSafeInteger(size) || size < 0) {
      objects.push({ oid, size, error: { code: 422, message: `Invalid object ${oid} of size ${size}` } });
      continue;
    }
    const held = await hub.catalog.lfsUploads.heldSize(repo.pk, oid);
    if (held !== size || (await hub.blobs.sizeOf(oid)) !== size) {
      objects.push({
        oid,
        size,
        error: { code: 404, message: `Object ${oid} of size ${size} does not exist in ${repo.id}` },
      });
      continue;
    }
    const presigned =
      hub.config.s3.downloads === "redirect"
        ? await hub.blobs.downloadUrl(oid, { expiresInSeconds: DOWNLOAD_URL_SECONDS })
        : undefined;
    const href =
      presigned ??
      `${params.baseUrl}${downloadPath(repo, oid)}?${await signDownloadQuery(hub, { repo, oid, size, expires })}`;
    objects.push({ oid, size, authenticated: true, actions: { download: { href, expires_at: expiresAt } } });
  }
  return { transfer: "basic", hash_algo: "sha256", objects };
}

/** The bytes behind a signed download URL. */
export async function openSignedLfsDownload(
  hub: HubContext,
  params: { repo: RepoRef; oid: string; query: URLSearchParams },
): Promise<{ size: number; read: () => Promise<Readable> }> {
  const signed = await verifyDownloadQuery(hub, params.repo, params.oid, params.query);
  if ((await hub.blobs.sizeOf(signed.oid)) !== signed.size) {
    throw new HangarError(
      "HANGAR_ERR_BLOB_MISSING",
      `The LFS object ${signed.oid} is missing from the blob store; run an integrity check`,
    );
  }
  return { size: signed.size, read: () => hub.blobs.openRead(signed.oid) };
}
