import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { emitRefMoved } from "../events/emit-ref-moved.ts";
import type { HubContext } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { validateRefName } from "./validate-ref-name.ts";

export interface CreateTagParams {
  repo: RepoRef;
  tag: string;
  /** The revision to tag (branch, tag, `refs/pr/N` or commit id). */
  revision: string;
}

/**
 * Tags a revision (409 when the tag exists). Tags are lightweight: a tag message sent by a client is
 * accepted but not stored.
 */
export async function createTag(
  hub: HubContext,
  caller: Caller,
  params: CreateTagParams,
): Promise<{ commitOid: string }> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  validateRefName(params.tag, "tag");
  return hub.catalog.transaction(async (tx) => {
    if (await tx.commits.getRef(repo.pk, "tag", params.tag)) {
      throw new HangarError("HANGAR_ERR_CONFLICT", `Tag already exists: refs/tags/${params.tag}`);
    }
    const commitOid = (await resolveRevision({ ...hub, catalog: tx }, repo, params.revision)).commit.oid;
    await tx.commits.setRef(repo.pk, "tag", params.tag, commitOid, nowIso());
    await recordAudit(tx, {
      caller,
      action: "ref.create",
      target: repoTarget(repo),
      details: { ref: `refs/tags/${params.tag}`, to: commitOid },
    });
    await emitRefMoved({ ...hub, catalog: tx }, repo, {
      kind: "tag",
      name: params.tag,
      oldSha: null,
      newSha: commitOid,
    });
    return { commitOid };
  });
}
