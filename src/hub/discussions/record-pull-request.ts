import type { CommitInfo, Repo } from "../../core/types.ts";
import type { DiscussionRow } from "../../store/discussions-table.ts";
import type { HubScope } from "../hub.ts";
import { addComment, addEvent, emitDiscussionEvent } from "./discussion-records.ts";

export interface PullRequestOpened {
  repo: Repo;
  num: number;
  title: string;
  description?: string;
  author: string;
  targetBranch: string;
  status: "open" | "draft";
  createdAt: string;
}

/**
 * Records a pull request (inside the transaction that creates its `refs/pr/N`): its row and, when it has
 * one, its description as the first comment. Undefined when another writer took the number first.
 */
export async function recordPullRequestOpened(
  hub: HubScope,
  opened: PullRequestOpened,
): Promise<DiscussionRow | undefined> {
  const discussion = await hub.catalog.discussions.insert({
    repoPk: opened.repo.pk,
    num: opened.num,
    title: opened.title,
    author: opened.author,
    isPullRequest: true,
    status: opened.status,
    targetBranch: opened.targetBranch,
    createdAt: opened.createdAt,
  });
  if (discussion) await emitDiscussionEvent(hub, discussion, { action: "create" });
  if (discussion && opened.description?.trim()) {
    await addComment(hub, discussion, opened.author, opened.description);
  }
  return discussion;
}

/**
 * Adds a commit pushed to `refs/pr/N` to that pull request's timeline (inside the commit's transaction). A
 * draft becomes open with its first commit, as on the Hub.
 */
export async function recordPullRequestCommit(
  hub: HubScope,
  params: { repo: Repo; num: number; commit: CommitInfo; author: string },
): Promise<void> {
  const discussion = await hub.catalog.discussions.get(params.repo.pk, params.num);
  if (!discussion?.isPullRequest) return;
  await addEvent(hub, discussion, "commit", params.author, {
    subject: params.commit.title,
    oid: params.commit.oid,
  });
  if (discussion.status === "draft") {
    await hub.catalog.discussions.setStatus(discussion.pk, "open");
    await addEvent(hub, discussion, "status-change", params.author, { status: "open" });
  }
}
