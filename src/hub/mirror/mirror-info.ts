import type { StoredCommit } from "../../core/catalog-types.ts";
import type { PathFilter } from "../../core/glob.ts";
import type { CommitMetadata, Repo, RepoType } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";

/**
 * Where a mirrored commit comes from, kept in the commit's metadata under `mirror`. A filtered pull records
 * the upstream commit id too, but its tree holds only the selected files: `partial` says so, and `filters`
 * lists the selections made so far (a file is present when any of them selects it).
 */
export interface MirrorInfo {
  /** The upstream hub's endpoint. */
  upstream: string;
  type: RepoType;
  /** `namespace/name` upstream. */
  repo: string;
  /** The revision asked for (`main`, a tag, a commit id). */
  revision: string;
  /** The upstream commit, which is also this commit's id. */
  commit: string;
  partial: boolean;
  filters: Array<Required<PathFilter>>;
  /** Files in this commit's tree, and in the upstream's. */
  files: number;
  upstreamFiles: number;
  pulledAt: string;
}

export type MirroredMetadata = CommitMetadata & { mirror?: MirrorInfo };

export function mirrorInfoOf(commit: { metadata: CommitMetadata } | undefined): MirrorInfo | undefined {
  return (commit?.metadata as MirroredMetadata | undefined)?.mirror;
}

/** The head of a repo's default branch, if it has one. */
export async function defaultBranchHead(hub: HubScope, repo: Repo): Promise<StoredCommit | undefined> {
  const ref = await hub.catalog.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH);
  return ref ? await hub.catalog.commits.getCommit(repo.pk, ref.commitOid) : undefined;
}

/** Whether a repo has any commit (an upstream-only catalog entry, or a repo made without one, has none). */
export async function hasCommits(hub: HubScope, repo: Repo): Promise<boolean> {
  return repo.sha !== null || (await hub.catalog.commits.listRefs(repo.pk)).length > 0;
}
