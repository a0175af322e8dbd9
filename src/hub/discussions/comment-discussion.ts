import type { DiscussionEventRow } from "../../store/discussions-table.ts";
import { getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { addComment, checkComment, type DiscussionRef, getDiscussion } from "./discussion-records.ts";

/** Adds a comment; anyone who may read the repo and holds a write token may comment. */
export async function commentDiscussion(
  hub: HubContext,
  caller: Caller,
  params: DiscussionRef & { comment: string },
): Promise<DiscussionEventRow> {
  const repo = await getContributableRepo(hub, caller, params.repo);
  const text = checkComment("comment", params.comment);
  return await hub.catalog.transaction(async (tx) => {
    const scope = { ...hub, catalog: tx };
    const discussion = await getDiscussion(scope, repo, params.num);
    return await addComment(scope, discussion, caller!.user, text);
  });
}
