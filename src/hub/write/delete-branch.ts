import { HangarError } from "../../core/errors.ts";
import { DEFAULT_BRANCH, type RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget, withinTransaction } from "../audit/record-audit.ts";
import { emitRefMoved } from "../events/emit-ref-moved.ts";
import type { HubScope } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";

export interface DeleteBranchParams {
  repo: RepoRef;
  branch: string;
}

/** Deletes a branch. The default branch cannot be deleted: every repo read starts from it. */
export async function deleteBranch(hub: HubScope, caller: Caller, params: DeleteBranchParams): Promise<void> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  const branch = params.branch.replace(/^refs\/heads\//, "");
  if (branch === DEFAULT_BRANCH) {
    throw new HangarError("HANGAR_ERR_FORBIDDEN", `Cannot delete the default branch "${DEFAULT_BRANCH}"`);
  }
  await withinTransaction(hub.catalog, async (tx) => {
    const current = await tx.commits.getRef(repo.pk, "branch", branch);
    if (!current || !(await tx.commits.deleteRef(repo.pk, "branch", branch)))
      throw revisionNotFound(repo, branch);
    await recordAudit(tx, {
      caller,
      action: "ref.delete",
      target: repoTarget(repo),
      details: { ref: `refs/heads/${branch}` },
    });
    await emitRefMoved({ ...hub, catalog: tx }, repo, {
      kind: "branch",
      name: branch,
      oldSha: current.commitOid,
      newSha: null,
    });
  });
}
