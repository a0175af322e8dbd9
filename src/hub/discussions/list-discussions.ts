import type { Repo, RepoRef } from "../../core/types.ts";
import type { DiscussionFilter, DiscussionRow } from "../../store/discussions-table.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

/** The Hub's page size for discussion listings. */
export const DISCUSSIONS_PAGE_SIZE = 50;

export interface ListDiscussionsParams {
  repo: RepoRef;
  /** `discussion`, `pull_request` or `all` (the default). */
  type?: "all" | "discussion" | "pull_request";
  /** `open` (drafts included), `closed` (merged included) or `all` (the default). */
  status?: "all" | "open" | "closed";
  author?: string;
  /** 0-based page index (`p`). */
  page: number;
}

export interface ListDiscussionsResult {
  repo: Repo;
  discussions: Array<DiscussionRow & { numComments: number }>;
  count: number;
  start: number;
}

/** A page of a repo's discussions and pull requests, newest first, for anyone who may read the repo. */
export async function listDiscussions(
  hub: HubScope,
  caller: Caller,
  params: ListDiscussionsParams,
): Promise<ListDiscussionsResult> {
  const repo = await getReadableRepo(hub, caller, params.repo);
  const filter: DiscussionFilter = {
    ...(params.type === "discussion" ? { isPullRequest: false } : {}),
    ...(params.type === "pull_request" ? { isPullRequest: true } : {}),
    ...(params.status === "open" ? { statuses: ["open", "draft"] as const } : {}),
    ...(params.status === "closed" ? { statuses: ["closed", "merged"] as const } : {}),
    ...(params.author ? { author: params.author } : {}),
  };
  const start = params.page * DISCUSSIONS_PAGE_SIZE;
  const { rows, count } = await hub.catalog.discussions.list(repo.pk, filter, {
    offset: start,
    limit: DISCUSSIONS_PAGE_SIZE,
  });
  const comments = await hub.catalog.discussions.countComments(rows.map((row) => row.pk));
  return {
    repo,
    discussions: rows.map((row) => ({ ...row, numComments: comments.get(row.pk) ?? 0 })),
    count,
    start,
  };
}
