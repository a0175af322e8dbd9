import { HangarError } from "../core/errors.ts";
import { DEFAULT_BRANCH, type Repo } from "../core/types.ts";
import { isCommitId } from "../core/validate.ts";
import { nowIso } from "../store/catalog.ts";
import type { HubContext } from "./hub.ts";
import { parseRefName, revisionNotFound } from "./resolve-revision.ts";

export interface CreateBranchIfMissingParams {
  repo: Repo;
  /** A branch name (`dev`) or full ref (`refs/heads/dev`). Tags, pull requests and commit ids are left alone. */
  revision: string;
  /** Where a new branch starts; the default branch unless given. */
  startingPoint?: string;
}

/** Checks a branch name against the parts of git's ref-name rules that matter for URLs and file systems. */
function validateBranchName(name: string): string {
  const invalid =
    name.length === 0 ||
    name.length > 255 ||
    [...name].some((char) => char.charCodeAt(0) <= 0x20 || char.charCodeAt(0) === 0x7f) ||
    /[~^:?*[\\]/.test(name) ||
    name.includes("..") ||
    name.includes("@{") ||
    name.includes("//") ||
    name.startsWith("/") ||
    name.startsWith("-") ||
    name.endsWith("/") ||
    name.endsWith(".") ||
    name.endsWith(".lock") ||
    name.split("/").some((part) => part.startsWith("."));
  if (invalid) throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Invalid branch name "${name}"`);
  return name;
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
  return validateBranchName(name);
}

/**
 * Makes sure a branch exists before committing to it, creating it at the head of the default branch (or at
 * `startingPoint`) when missing. Returns whether a branch was created. Revisions that are not branch names
 * are left for the commit to accept or refuse.
 */
export function createBranchIfMissing(hub: HubContext, params: CreateBranchIfMissingParams): boolean {
  const name = branchNameOf(params.revision);
  if (name === undefined) return false;
  const named = parseRefName(params.revision);
  return hub.catalog.transaction(() => {
    const commits = hub.catalog.commits;
    if (commits.getRef(params.repo.pk, "branch", name)) return false;
    // A plain name that is a tag is refused by the commit, not shadowed by a new branch.
    if (!named && commits.getRef(params.repo.pk, "tag", name)) return false;
    const start = params.startingPoint ?? DEFAULT_BRANCH;
    const from = commits.getRef(params.repo.pk, "branch", start);
    const startOid = from?.commitOid ?? (isCommitId(start) ? start : undefined);
    if (!startOid || !commits.getCommit(params.repo.pk, startOid)) throw revisionNotFound(params.repo, start);
    commits.setRef(params.repo.pk, "branch", name, startOid, nowIso());
    return true;
  });
}
