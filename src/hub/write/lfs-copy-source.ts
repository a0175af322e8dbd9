import type { Repo } from "../../core/types.ts";
import { canRead } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { lfsObjectsMissing } from "./held-lfs-objects.ts";

/** How many repos holding an object are looked at for one the caller may read. */
const MAX_SOURCES = 200;

/**
 * The size of an LFS object a commit names by its sha256 alone: Python's `CommitOperationCopy` of an LFS
 * file sends the oid without the size, from this repo or from another one. The object counts if this repo
 * holds it, or if a repo the caller may read has it in a commit (the copy's source); knowing the hash of
 * an object in a repo the caller cannot read gets the same answer as an object never uploaded.
 */
export async function lfsCopySize(
  hub: HubScope,
  caller: Caller,
  params: { repo: Repo; oid: string; path: string },
): Promise<number> {
  const held = await hub.catalog.lfsUploads.heldSize(params.repo.pk, params.oid);
  if (held !== undefined && (await hub.blobs.sizeOf(params.oid)) === held) return held;
  for (const source of await hub.catalog.commits.reposHoldingLfsObject(params.oid, MAX_SOURCES)) {
    const repo = await hub.catalog.repos.getByPk(source.repoPk);
    if (!repo || !canRead(caller, repo)) continue;
    if ((await hub.blobs.sizeOf(params.oid)) === source.size) return source.size;
  }
  throw lfsObjectsMissing([params.path]);
}
