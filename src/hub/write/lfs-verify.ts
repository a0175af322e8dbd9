import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

export interface LfsVerifyParams {
  repo: RepoRef;
  oid: unknown;
  size: unknown;
}

/** The LFS verify action (Python calls it after an upload): succeeds only if the repo holds the object whole. */
export async function verifyLfsObject(hub: HubScope, caller: Caller, params: LfsVerifyParams): Promise<void> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  const oid = typeof params.oid === "string" ? params.oid : "";
  if (!/^[0-9a-f]{64}$/.test(oid)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Invalid object id "${String(params.oid)}"`);
  }
  // Only this repo's objects count (see repoHoldsLfsObject): one stored for other repos only is answered
  // as one never uploaded, and its size is not compared.
  const held = await hub.catalog.lfsUploads.heldSize(repo.pk, oid);
  if (held === undefined || (await hub.blobs.sizeOf(oid)) !== held) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `Object ${oid} has not been uploaded`);
  }
  if (held !== params.size) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Object ${oid} is stored with ${held} bytes, not ${String(params.size)}`,
    );
  }
}
