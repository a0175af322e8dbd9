import type { DiscussionEventRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import {
  addEvent,
  canModerate,
  checkTitle,
  type DiscussionRef,
  forbidden,
  getDiscussion,
  isAuthor,
} from "./discussion-records.ts";

/** Changes a discussion's title; its author and the repo's writers may. */
export async function renameDiscussion(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { title: string },
): Promise<DiscussionEventRow> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  const title = checkTitle(params.title);
  return await hub.catalog.transaction(async (tx) => {
    const scope = { ...hub, catalog: tx };
    const discussion = await getDiscussion(scope, repo, params.num, { forUpdate: true });
    if (!isAuthor(caller, discussion.author) && !canModerate(caller, repo)) {
      throw forbidden("Only the author of a discussion or a writer of the repo may rename it");
    }
    await tx.discussions.setTitle(discussion.pk, title);
    return await addEvent(scope, discussion, "title-change", caller!.user, {
      from: discussion.title,
      to: title,
    });
  });
}
