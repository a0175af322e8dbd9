import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { DiscussionEventRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import {
  type CommentData,
  checkComment,
  type DiscussionRef,
  forbidden,
  getDiscussion,
  isAuthor,
} from "./discussion-records.ts";
import { getComment } from "./get-comment.ts";

/** Replaces a comment's text, keeping the earlier versions in its history. Only its author may. */
export async function editComment(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { commentId: string; content: string },
): Promise<DiscussionEventRow> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  const text = checkComment("content", params.content);
  return await hub.catalog.transaction(async (tx) => {
    const scope = { ...hub, catalog: tx };
    const discussion = await getDiscussion(scope, repo, params.num);
    const event = await getComment(scope, discussion, params.commentId);
    if (!isAuthor(caller, event.author)) throw forbidden("Only the author of a comment may edit it");
    const data = event.data as unknown as CommentData;
    if (data.hidden) throw new HangarError("HANGAR_ERR_CONFLICT", "A hidden comment cannot be edited");
    const updated: CommentData = {
      ...data,
      edited: true,
      history: [{ raw: text, updatedAt: nowIso(), author: caller!.user }, ...data.history],
    };
    await tx.discussions.setEventData(event.pk, { ...updated });
    return { ...event, data: { ...updated } };
  });
}
