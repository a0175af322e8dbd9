import { HangarError } from "../../core/errors.ts";
import type { DiscussionEventRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import {
  addComment,
  addEvent,
  canModerate,
  checkComment,
  type DiscussionRef,
  forbidden,
  getDiscussion,
  isAuthor,
} from "./discussion-records.ts";

/**
 * Closes or reopens a discussion or pull request, with an optional comment. The repo's writers may, and the
 * author of the discussion for their own; a merged pull request stays merged.
 */
export async function changeDiscussionStatus(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { status: "open" | "closed"; comment?: string },
): Promise<DiscussionEventRow> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  const comment = params.comment?.trim() ? checkComment("comment", params.comment) : undefined;
  return await hub.catalog.transaction(async (tx) => {
    const scope = { ...hub, catalog: tx };
    const discussion = await getDiscussion(scope, repo, params.num, { forUpdate: true });
    if (!isAuthor(caller, discussion.author) && !canModerate(caller, repo)) {
      throw forbidden("Only the author of a discussion or a writer of the repo may change its status");
    }
    if (discussion.status === "merged") {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `Pull request #${discussion.num} is merged: its status cannot change`,
      );
    }
    const current = discussion.status === "draft" ? "open" : discussion.status;
    if (current === params.status) {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `Discussion #${discussion.num} is already ${params.status}`,
      );
    }
    if (comment) await addComment(scope, discussion, caller!.user, comment);
    await tx.discussions.setStatus(discussion.pk, params.status);
    return await addEvent(scope, discussion, "status-change", caller!.user, { status: params.status });
  });
}
