import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";

/**
 * Deletes a repository with its commits and refs (one transaction). Its blobs stay in the blob store until
 * garbage collection, since other repos may share them.
 */
export function deleteRepo(hub: HubContext, caller: Caller, params: { repo: RepoRef }): void {
  hub.catalog.transaction(() => {
    const repo = getWritableRepo(hub, caller, params.repo);
    hub.catalog.repos.delete(repo.pk);
  });
}
