import { badRequest } from "../../core/errors.ts";
import type { ChunkSource } from "../../core/feed-chunks.ts";
import type { UploadedPart } from "../../store/blob-store-types.ts";
import type { HubContext } from "../hub.ts";
import type { SignedUpload } from "./lfs-signing.ts";
import {
  alreadyHeld,
  assertDeclaredLength,
  brokenOff,
  type CompletedPart,
  type LfsUploadTarget,
  leaseUntilCommit,
  parsePartNumber,
  partCount,
  partLength,
  recordUpload,
  uploadRepo,
} from "./lfs-upload.ts";

/**
 * Multipart LFS uploads on a blob store that keeps the sessions itself (S3): the batch API began the
 * session and handed out the store's part URLs, and its id is signed into the upload URL, so the parts
 * never pass through Hangar and any node can complete it. The store assembles the parts and checks the
 * object's sha256 and size before it becomes visible.
 */
export type StoreUpload = SignedUpload & { uploadId: string };

/** A part sent through Hangar after all (a store without part URLs): relayed into the store's session. */
export async function uploadStorePart(
  hub: HubContext,
  upload: StoreUpload,
  target: LfsUploadTarget & { body: ChunkSource; contentLength?: number },
): Promise<string> {
  const part = parsePartNumber(upload, target.query.get("part"));
  assertDeclaredLength(target.contentLength, partLength(upload, part), `Part ${part}`);
  try {
    return (await hub.blobs.putPart(upload.uploadId, part, target.body)).etag;
  } catch (error) {
    throw brokenOff(error, `Part ${part}`);
  }
}

/** Completes the store's session with the parts the client names (their ETags as the store gave them). */
export async function completeStoreMultipart(
  hub: HubContext,
  upload: StoreUpload,
  parts: CompletedPart[],
): Promise<void> {
  const repo = await uploadRepo(hub, upload);
  if (await alreadyHeld(hub, repo, upload)) {
    // A completion retried after its answer was lost, or an object another upload brought meanwhile.
    await leaseUntilCommit(hub, upload);
    await hub.blobs.abortMultipart(upload.uploadId).catch(() => {});
    return;
  }
  const count = partCount(upload);
  const byNumber = new Map<number, UploadedPart>();
  for (const given of parts) {
    const partNumber = parsePartNumber(upload, given.partNumber);
    if (typeof given.etag !== "string" || given.etag === "") {
      throw badRequest(`Part ${partNumber} has no ETag`);
    }
    byNumber.set(partNumber, { partNumber, etag: given.etag });
  }
  for (let part = 1; part <= count; part++) {
    if (!byNumber.has(part))
      throw badRequest(`Part ${part} of ${count} is missing from the completion request`);
  }
  await leaseUntilCommit(hub, upload);
  await hub.blobs.completeMultipart(upload.uploadId, upload.oid, upload.size, [...byNumber.values()]);
  await recordUpload(hub, repo, upload);
}
