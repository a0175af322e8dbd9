import { HangarError } from "../core/errors.ts";
import type { RepoRef } from "../core/types.ts";
import { isCommitId } from "../core/validate.ts";
import { getWritableRepo } from "./access.ts";
import type { Caller } from "./accounts/principal.ts";
import type { HubContext } from "./hub.ts";
import { parseRefName } from "./resolve-revision.ts";
import { createBranch } from "./write/create-branch.ts";
import { validateRefName } from "./write/validate-ref-name.ts";

export interface CreateBranchIfMissingParams {
  repo: RepoRef;
  /** A branch name (`dev`) or full ref (`refs/heads/dev`). Tags, pull requests and commit ids are left alone. */
  revision: string;
}

/**
 * The branch a revision names, checked, or undefined when it names something else (a tag, a pull request,
 * a commit id, `HEAD`). Callers can check a revision with it before creating anything.
 */
export function branchNameOf(revision: string): string | undefined {
  const named = parseRefName(revision);
  if (named && named.kind !== "branch") return undefined;
  const name = named?.name ?? revision;
  if (name === "HEAD" || (!named && isCommitId(name))) return undefined;
  return validateRefName(name, "branch");
}

/**
 * Makes sure a branch exists before committing to it, creating it at the head of the default branch when
 * missing. Returns whether a branch was created. A plain name that is already a tag is left for the commit
 * to refuse rather than shadowed by a new branch.
 */
export async function createBranchIfMissing(
  hub: HubContext,
  caller: Caller,
  params: CreateBranchIfMissingParams,
): Promise<boolean> {
  const name = branchNameOf(params.revision);
  if (name === undefined) return false;
  const repo = await getWritableRepo(hub, caller, params.repo);
  const commits = hub.catalog.commits;
  if (await commits.getRef(repo.pk, "branch", name)) return false;
  if (!parseRefName(params.revision) && (await commits.getRef(repo.pk, "tag", name))) return false;
  try {
    await createBranch(hub, caller, { repo: params.repo, branch: name });
    return true;
  } catch (error) {
    // Another writer created it in the meantime: it exists, which is all the caller needs.
    if (HangarError.isInstance(error) && error.code === "HANGAR_ERR_CONFLICT") return false;
    throw error;
  }
}
