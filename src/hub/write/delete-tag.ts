import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget, withinTransaction } from "../audit/record-audit.ts";
import { emitRefMoved } from "../events/emit-ref-moved.ts";
import type { HubScope } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";

export interface DeleteTagParams {
  repo: RepoRef;
  tag: string;
}

/** Deletes a tag; 404 RevisionNotFound when there is none of that name. */
export async function deleteTag(hub: HubScope, caller: Caller, params: DeleteTagParams): Promise<void> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  const tag = params.tag.replace(/^refs\/tags\//, "");
  await withinTransaction(hub.catalog, async (tx) => {
    const current = await tx.commits.getRef(repo.pk, "tag", tag);
    if (!current || !(await tx.commits.deleteRef(repo.pk, "tag", tag))) throw revisionNotFound(repo, tag);
    await recordAudit(tx, {
      caller,
      action: "ref.delete",
      target: repoTarget(repo),
      details: { ref: `refs/tags/${tag}` },
    });
    await emitRefMoved({ ...hub, catalog: tx }, repo, {
      kind: "tag",
      name: tag,
      oldSha: current.commitOid,
      newSha: null,
    });
  });
}
