import { buildGitTrees } from "../../core/git-objects.ts";
import type { RepoRef, TreeFile } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { attachScanResults, lastCommitFinder, type TreeEntry } from "./list-tree.ts";

export interface GetPathsInfoParams {
  ref: RepoRef;
  revision: string;
  paths: string[];
  /** Adds `lastCommit` to each entry. */
  expand?: boolean;
}

export interface PathsInfoResult {
  commitOid: string;
  /** Entries for the paths that exist, files and folders, in the order asked; missing paths are left out. */
  entries: TreeEntry[];
}

/** Describes a set of paths at a revision, as `paths-info` does. */
export async function getPathsInfo(
  hub: HubScope,
  caller: Caller,
  params: GetPathsInfoParams,
): Promise<PathsInfoResult> {
  const paths = [...new Set(params.paths.map((path) => validateRepoPath(path.replace(/\/+$/, ""))))];
  const repo = await getReadableRepo(hub, caller, params.ref);
  const { commit } = await resolveRevision(hub, repo, params.revision);
  const entries: TreeEntry[] = [];
  const scanned: TreeFile[] = [];
  for (const path of paths) {
    const file = await hub.catalog.commits.getFile(commit.pk, path);
    if (file) {
      entries.push({ type: "file", file });
      scanned.push(file);
      continue;
    }
    const members = await hub.catalog.commits.listFilesUnder(commit.pk, path);
    if (members.length > 0) {
      entries.push({ type: "directory", path, oid: buildGitTrees(members).folders.get(path)! });
      scanned.push(...members);
    }
  }
  if (params.expand) {
    const find = lastCommitFinder(hub, repo.pk, scanned);
    for (const entry of entries) {
      const lastCommit = await find(entry);
      if (lastCommit) entry.lastCommit = lastCommit;
    }
    await attachScanResults(hub, entries);
  }
  return { commitOid: commit.oid, entries };
}
