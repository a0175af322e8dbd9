import { HangarError } from "../../core/errors.ts";
import type { DiscussionEventRow, DiscussionRow } from "../../store/discussions-table.ts";
import type { HubScope } from "../hub.ts";

/** A comment of a discussion by its event id (compared lower-cased, as Python sends it). */
export async function getComment(
  hub: HubScope,
  discussion: DiscussionRow,
  commentId: string,
): Promise<DiscussionEventRow> {
  const event = await hub.catalog.discussions.getEvent(discussion.pk, commentId.toLowerCase());
  if (event?.type !== "comment") {
    throw new HangarError(
      "HANGAR_ERR_NOT_FOUND",
      `Comment ${commentId} not found in discussion #${discussion.num}`,
    );
  }
  return event;
}
