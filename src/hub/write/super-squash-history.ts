import { HangarError } from "../../core/errors.ts";
import { buildHangarCommit, commitDate } from "../../core/git-objects.ts";
import { nowIso } from "../../core/time.ts";
import { type CommitInfo, DEFAULT_BRANCH, type RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { refreshRepoHead } from "../create-commit.ts";
import type { HubContext } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";

export interface SuperSquashParams {
  repo: RepoRef;
  branch: string;
  /** The message of the one commit left (title, blank line, description). */
  message: string;
  author: string;
}

/**
 * Squashes a branch's whole history into one root commit with the branch's current files (real git tree
 * and commit objects, like every commit here), and moves the branch to it. Earlier commits stay readable by
 * id until garbage collection; other branches and pull requests keep theirs. Only writers may.
 */
export async function superSquashHistory(
  hub: HubContext,
  caller: Caller,
  params: SuperSquashParams,
): Promise<CommitInfo> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  const branch = params.branch.replace(/^refs\/heads\//, "");
  const message = params.message.trim() || `Super-squash branch '${branch}'`;
  if (message.includes("\0")) {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "The commit message may not contain a NUL character");
  }
  return await hub.catalog.transaction(async (tx) => {
    const ref = await tx.commits.getRef(repo.pk, "branch", branch, { forUpdate: true });
    const head = ref && (await tx.commits.getCommit(repo.pk, ref.commitOid));
    if (!ref || !head) throw revisionNotFound(repo, branch);
    const date = commitDate();
    const before = await tx.commits.listFiles(head.pk);
    const built = buildHangarCommit({ files: before, parents: [], author: params.author, date, message });
    const title = message.split("\n", 1)[0]!;
    const commit: CommitInfo = { oid: built.oid, parents: [], author: params.author, date, title, message };
    // Every file now last changed in the one commit there is.
    const files = before.map((file) => ({ ...file, lastCommit: built.oid }));
    if (!(await tx.commits.getCommit(repo.pk, built.oid))) {
      const commitPk = await tx.commits.insertCommit(repo.pk, { ...commit, metadata: head.metadata });
      await tx.commits.insertTree(commitPk, files);
      await tx.commits.insertGitObjects(repo.pk, [...built.trees.objects, built.commit]);
    }
    await tx.commits.setRef(repo.pk, "branch", branch, built.oid, nowIso());
    await recordAudit(tx, {
      caller,
      action: "repo.super_squash",
      target: repoTarget(repo),
      details: { ref: `refs/heads/${branch}`, from: ref.commitOid, commit: built.oid },
    });
    if (branch === DEFAULT_BRANCH) {
      await refreshRepoHead({ ...hub, catalog: tx }, repo, commit, head.metadata, files);
    }
    return commit;
  });
}
