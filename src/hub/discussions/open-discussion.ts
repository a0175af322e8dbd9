import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import { DEFAULT_BRANCH, type Repo, type RepoRef } from "../../core/types.ts";
import type { DiscussionRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";
import { addComment, checkComment, checkTitle, emitDiscussionEvent } from "./discussion-records.ts";
import { recordPullRequestOpened } from "./record-pull-request.ts";

export interface OpenDiscussionParams {
  repo: RepoRef;
  title: string;
  description?: string;
  /** A pull request gets `refs/pr/N`, at the head of the default branch, and starts as a draft. */
  pullRequest: boolean;
}

/**
 * Opens a discussion or a pull request. Anyone who may read the repo and holds a write token may: a pull
 * request is how someone without write access proposes a change. Numbers are shared with `refs/pr/N`.
 */
export async function openDiscussion(
  hub: HubContext,
  caller: Caller,
  params: OpenDiscussionParams,
): Promise<{ repo: Repo; discussion: DiscussionRow }> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  const author = caller!.user;
  const title = checkTitle(params.title);
  const description = params.description?.trim()
    ? checkComment("description", params.description)
    : undefined;
  // Two callers may take the same number at once; the loser tries the next one.
  for (let attempt = 1; attempt <= 8; attempt++) {
    const opened = await hub.catalog.transaction(async (tx) => {
      const scope = { ...hub, catalog: tx };
      const num = await tx.discussions.nextNumber(repo.pk);
      const at = nowIso();
      if (params.pullRequest) {
        const main = await tx.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH);
        if (!main) throw revisionNotFound(repo, DEFAULT_BRANCH);
        if (!(await tx.commits.insertRef(repo.pk, "pr", String(num), main.commitOid, at))) return undefined;
        return await recordPullRequestOpened(scope, {
          repo,
          num,
          title,
          ...(description ? { description } : {}),
          author,
          targetBranch: DEFAULT_BRANCH,
          status: "draft",
          createdAt: at,
        });
      }
      const discussion = await tx.discussions.insert({
        repoPk: repo.pk,
        num,
        title,
        author,
        isPullRequest: false,
        status: "open",
        targetBranch: null,
        createdAt: at,
      });
      if (discussion) await emitDiscussionEvent(scope, discussion, { action: "create" });
      if (discussion && description) await addComment(scope, discussion, author, description);
      return discussion;
    });
    if (opened) return { repo, discussion: opened };
  }
  throw new HangarError("HANGAR_ERR_CONFLICT", "Too many discussions were opened at once: please try again");
}
