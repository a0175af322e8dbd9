import { HangarError } from "../../core/errors.ts";
import type { DiscussionRow } from "../../store/discussions-table.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import { type CommitOperation, createCommit } from "../create-commit.ts";
import type { HubContext } from "../hub.ts";
import {
  addComment,
  addEvent,
  checkComment,
  type DiscussionRef,
  getDiscussion,
} from "./discussion-records.ts";
import { type PullRequestState, pullRequestState } from "./pull-request-changes.ts";

export interface MergePullRequestResult {
  discussion: DiscussionRow;
  /** The commit on the target branch that carries the pull request's changes. */
  mergeCommitOid: string;
}

/** The Hub's refusal of a merge whose files the target branch has changed differently since. */
function mergeConflict(discussion: DiscussionRow, conflicts: readonly string[]): HangarError {
  return new HangarError(
    "HANGAR_ERR_CONFLICT",
    `This pull request has conflicts with ${discussion.targetBranch ?? "main"} and cannot be merged: ${conflicts.join(", ")}. Rebase it on the branch as it is now.`,
    { details: { filesWithConflicts: conflicts } },
  );
}

/** The operations that bring the pull request's changes onto its target branch. */
function mergeOperations(state: PullRequestState): CommitOperation[] {
  const operations: CommitOperation[] = [];
  for (const { path, after } of state.changes) {
    const current = state.targetFiles.get(path);
    if (current?.gitOid === after?.gitOid) continue;
    if (after) {
      const { sha256, size, gitOid, lfs } = after;
      operations.push({ kind: "put", path, file: { sha256, size, gitOid, lfs } });
    } else if (current) {
      operations.push({ kind: "delete", path });
    }
  }
  return operations;
}

/**
 * Merges a pull request into its target branch: one commit with its changes, made through the same commit
 * path as uploads (limits, scan gate, metadata), on the branch head the conflicts were checked against. The
 * pull request is marked merged in that commit's transaction. Only the repo's writers may merge.
 */
export async function mergePullRequest(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { comment?: string },
): Promise<MergePullRequestResult> {
  const repo = await getWritableRepo(hub, caller, params.repo);
  const comment = params.comment?.trim() ? checkComment("comment", params.comment) : undefined;
  for (let attempt = 1; ; attempt++) {
    const discussion = await getDiscussion(hub, repo, params.num);
    if (!discussion.isPullRequest) {
      throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Discussion #${discussion.num} is not a pull request`);
    }
    assertMergeable(discussion);
    const state = await pullRequestState(hub, repo, discussion);
    if (state.conflicts.length > 0) throw mergeConflict(discussion, state.conflicts);
    const operations = mergeOperations(state);
    if (state.changes.length === 0) {
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `Pull request #${discussion.num} has no changes to merge`,
      );
    }
    try {
      const result = await createCommit(hub, {
        repo,
        revision: discussion.targetBranch ?? "main",
        operations,
        title: discussion.title,
        description: `Merges pull request #${discussion.num} (refs/pr/${discussion.num}).`,
        author: caller!.user,
        caller,
        parentCommit: state.target.oid,
        inTransaction: async (scope, committed) => {
          const locked = await getDiscussion(scope, repo, params.num, { forUpdate: true });
          assertMergeable(locked);
          if (comment) await addComment(scope, locked, caller!.user, comment);
          await scope.catalog.discussions.setStatus(locked.pk, "merged", committed.commit.oid);
          await addEvent(scope, locked, "status-change", caller!.user, { status: "merged" });
        },
      });
      return {
        discussion: { ...discussion, status: "merged", mergeCommitOid: result.commit.oid },
        mergeCommitOid: result.commit.oid,
      };
    } catch (error) {
      // The branch moved after the conflicts were checked: check again against its new head.
      const moved = HangarError.isInstance(error) && error.code === "HANGAR_ERR_PRECONDITION_FAILED";
      if (!moved || attempt >= 3) throw error;
    }
  }
}

function assertMergeable(discussion: DiscussionRow): void {
  if (discussion.status === "merged") {
    throw new HangarError("HANGAR_ERR_CONFLICT", `Pull request #${discussion.num} is already merged`);
  }
  if (discussion.status === "closed") {
    throw new HangarError(
      "HANGAR_ERR_CONFLICT",
      `Pull request #${discussion.num} is closed: reopen it before merging`,
    );
  }
}
