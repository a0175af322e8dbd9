import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { emitHubEvent } from "../events/emit-hub-event.ts";
import type { HubContext } from "../hub.ts";

/**
 * Deletes a repository with its commits and refs (one transaction). Its blobs stay in the blob store until
 * garbage collection, since other repos may share them.
 */
export async function deleteRepo(hub: HubContext, caller: Caller, params: { repo: RepoRef }): Promise<void> {
  await hub.catalog.transaction(async (tx) => {
    const repo = await getWritableRepo({ ...hub, catalog: tx }, caller, params.repo);
    await emitHubEvent({ ...hub, catalog: tx }, { scope: "repo", action: "delete", repo });
    await tx.repos.delete(repo.pk);
    await recordAudit(tx, { caller, action: "repo.delete", target: repoTarget(repo) });
  });
}
