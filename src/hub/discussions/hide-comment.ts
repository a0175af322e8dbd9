import type { DiscussionEventRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import {
  type CommentData,
  canModerate,
  type DiscussionRef,
  forbidden,
  getDiscussion,
  isAuthor,
} from "./discussion-records.ts";
import { getComment } from "./get-comment.ts";

/**
 * Hides a comment for good: its text and earlier versions are erased, as on the Hub, where hiding cannot
 * be undone. Its author and the repo's writers may.
 */
export async function hideComment(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { commentId: string },
): Promise<DiscussionEventRow> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  return await hub.catalog.transaction(async (tx) => {
    const scope = { ...hub, catalog: tx };
    const discussion = await getDiscussion(scope, repo, params.num);
    const event = await getComment(scope, discussion, params.commentId);
    if (!isAuthor(caller, event.author) && !canModerate(caller, repo)) {
      throw forbidden("Only the author of a comment or a writer of the repo may hide it");
    }
    const data = event.data as unknown as CommentData;
    const latest = data.history[0];
    const hidden: CommentData = {
      edited: data.edited,
      hidden: true,
      hiddenBy: caller!.user,
      history: latest ? [{ ...latest, raw: "" }] : [],
    };
    await tx.discussions.setEventData(event.pk, { ...hidden });
    return { ...event, data: { ...hidden } };
  });
}
