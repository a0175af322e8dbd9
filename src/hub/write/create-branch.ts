import { HangarError } from "../../core/errors.ts";
import { buildHangarCommit, commitDate } from "../../core/git-objects.ts";
import { nowIso } from "../../core/time.ts";
import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { recordAudit, repoTarget } from "../audit/record-audit.ts";
import { emitRefMoved } from "../events/emit-ref-moved.ts";
import type { HubContext } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { validateRefName } from "./validate-ref-name.ts";

export interface CreateBranchParams {
  repo: RepoRef;
  branch: string;
  /** Revision the branch starts at; the default branch when unset. */
  startingPoint?: string;
  /** Start the branch at a new commit with no files and no parent. */
  empty?: boolean;
  /** Move an existing branch instead of refusing with 409. */
  overwrite?: boolean;
}

/** Creates a branch at a revision (409 when it exists, unless `overwrite`). */
export async function createBranch(
  hub: HubContext,
  caller: Caller,
  params: CreateBranchParams,
): Promise<{ commitOid: string }> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  validateRefName(params.branch, "branch");
  return hub.catalog.transaction(async (tx) => {
    const commits = tx.commits;
    const existing = await commits.getRef(repo.pk, "branch", params.branch);
    if (existing && !params.overwrite) {
      throw new HangarError("HANGAR_ERR_CONFLICT", `Reference already exists: refs/heads/${params.branch}`);
    }
    if (existing && params.startingPoint === undefined && !params.empty) {
      return { commitOid: existing.commitOid };
    }
    const at = nowIso();
    let commitOid: string;
    if (params.empty) {
      const author = caller?.user ?? "hangar";
      const message = `Create empty branch ${params.branch}`;
      const date = commitDate(new Date(at));
      const built = buildHangarCommit({ files: [], parents: [], author, date, message });
      commitOid = built.oid;
      if (!(await commits.getCommit(repo.pk, commitOid))) {
        const commit = { oid: commitOid, parents: [], author, date, title: message, message };
        await commits.insertCommit(repo.pk, { ...commit, metadata: {} });
        await commits.insertGitObjects(repo.pk, [...built.trees.objects, built.commit]);
      }
    } else {
      commitOid = (await resolveRevision({ ...hub, catalog: tx }, repo, params.startingPoint ?? "HEAD"))
        .commit.oid;
    }
    await commits.setRef(repo.pk, "branch", params.branch, commitOid, at);
    await recordAudit(tx, {
      caller,
      action: existing ? "ref.update" : "ref.create",
      target: repoTarget(repo),
      details: { ref: `refs/heads/${params.branch}`, from: existing?.commitOid ?? null, to: commitOid },
    });
    await emitRefMoved({ ...hub, catalog: tx }, repo, {
      kind: "branch",
      name: params.branch,
      oldSha: existing?.commitOid ?? null,
      newSha: commitOid,
    });
    return { commitOid };
  });
}
