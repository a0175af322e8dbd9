import { HangarError } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import type { DiscussionEventRow, DiscussionRow } from "../../store/discussions-table.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { type DiscussionRef, getDiscussion } from "./discussion-records.ts";
import { pullRequestState } from "./pull-request-changes.ts";
import { pullRequestDiff } from "./pull-request-diff.ts";

export interface DiscussionDetails {
  repo: Repo;
  discussion: DiscussionRow;
  events: DiscussionEventRow[];
  /** For an open pull request: the files that conflict with its target branch as it is now. */
  filesWithConflicts?: string[];
  /** For a pull request, when asked for: its changes as a git diff. */
  diff?: string;
}

/** A discussion with its timeline; a pull request also with its conflicts and, on request, its diff. */
export async function getDiscussionDetails(
  hub: HubScope,
  caller: Caller,
  params: DiscussionRef & { diff?: boolean },
): Promise<DiscussionDetails> {
  const repo = await getReadableRepo(hub, caller, params.repo);
  const discussion = await getDiscussion(hub, repo, params.num);
  const events = await hub.catalog.discussions.listEvents(discussion.pk);
  const details: DiscussionDetails = { repo, discussion, events };
  const pending = discussion.status === "open" || discussion.status === "draft";
  if (!discussion.isPullRequest) return details;
  details.filesWithConflicts = [];
  if (!pending && !params.diff) return details;
  try {
    const state = await pullRequestState(hub, repo, discussion);
    if (pending) details.filesWithConflicts = state.conflicts;
    if (params.diff) details.diff = await pullRequestDiff(hub.blobs, state.changes);
  } catch (error) {
    // The target branch was deleted: the discussion is still there to read, without conflicts or diff.
    if (!HangarError.isInstance(error) || error.code !== "HANGAR_ERR_REVISION_NOT_FOUND") throw error;
  }
  return details;
}
