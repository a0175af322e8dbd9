import { HangarError } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";

export interface LfsVerifyParams {
  repo: RepoRef;
  oid: unknown;
  size: unknown;
}

/** The LFS verify action (Python calls it after an upload): succeeds only if the object is stored whole. */
export async function verifyLfsObject(
  hub: HubContext,
  caller: Caller,
  params: LfsVerifyParams,
): Promise<void> {
  getWritableRepo(hub, caller, params.repo);
  const oid = typeof params.oid === "string" ? params.oid : "";
  if (!/^[0-9a-f]{64}$/.test(oid)) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Invalid object id "${String(params.oid)}"`);
  }
  const stored = await hub.blobs.sizeOf(oid);
  if (stored === null) {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `Object ${oid} has not been uploaded`);
  }
  if (stored !== params.size) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Object ${oid} is stored with ${stored} bytes, not ${String(params.size)}`,
    );
  }
}
