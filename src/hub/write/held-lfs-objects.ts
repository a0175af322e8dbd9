import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { HubContext, HubScope } from "../hub.ts";

/** An LFS object as clients name it. */
export interface LfsObjectId {
  oid: string;
  size: number;
}

/**
 * Whether a repo holds an LFS object, so that its clients may name it without sending the bytes (the batch
 * answers "already stored", verify succeeds, a commit may point at it): the repo received the bytes on one
 * of its upload URLs or one of its commits references them, and the blob store still has them. Objects
 * other repos hold do not count, readable or not: the Hub keeps LFS objects per repo too, so its clients
 * upload whatever the batch asks for, and an answer about another repo's object would tell a caller that
 * the object exists. Storage stays deduplicated: bytes sent again to another repo are hashed, not stored twice.
 */
export async function repoHoldsLfsObject(
  hub: HubScope,
  params: { repoPk: number; object: LfsObjectId },
): Promise<boolean> {
  const { object } = params;
  if ((await hub.catalog.lfsUploads.heldSize(params.repoPk, object.oid)) !== object.size) return false;
  return (await hub.blobs.sizeOf(object.oid)) === object.size;
}

/**
 * Records that a repo received bytes hashed to an object (now in the blob store), in one catalog
 * transaction with the blob registry. Throws RepoNotFound when the repo was deleted meanwhile.
 */
export async function recordReceivedLfsObject(
  hub: HubContext,
  params: { repoPk: number; repoId: string; object: LfsObjectId },
): Promise<void> {
  const { oid, size } = params.object;
  const at = nowIso();
  const recorded = await hub.catalog.transaction(async (tx) => {
    await tx.commits.registerBlob(oid, size, at);
    return tx.lfsUploads.record({ repoPk: params.repoPk, sha256: oid, size, at });
  });
  if (!recorded) {
    throw new HangarError(
      "HANGAR_ERR_REPO_NOT_FOUND",
      `The repository ${params.repoId} was deleted while ${oid} was being uploaded to it`,
    );
  }
  hub.telemetry?.lfsObjectStored(size);
}

/**
 * The Hub's answer to a commit that points at LFS objects the repo does not hold (400; the clients raise
 * BadRequestError, and scripts match its first sentence), naming every offending file.
 */
export function lfsObjectsMissing(paths: readonly string[]): HangarError {
  return new HangarError(
    "HANGAR_ERR_BAD_REQUEST",
    `Your push was rejected because an LFS pointer pointed to a file that does not exist: the content of each offending file has not been uploaded to this repo (upload it through the LFS batch API first). Offending file: ${paths.map((path) => `- ${path}`).join(" ")}`,
  );
}
