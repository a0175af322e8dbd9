import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller, Principal } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { dayOf, rescoreRepo } from "./trending-score.ts";

export function requireUser(caller: Caller, what: string): Principal {
  if (!caller)
    throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `Authentication required: sign in to ${what}`);
  return caller;
}

/**
 * The caller likes a repo it can read (liking twice changes nothing). The repo's `likes` figure, its likes
 * of the day and its trending score move in the same transaction. Returns the repo's likes afterwards.
 */
export async function likeRepo(hub: HubContext, caller: Caller, ref: RepoRef): Promise<number> {
  const user = requireUser(caller, "like a repo");
  return hub.catalog.transaction(async (tx) => {
    const repo = await getReadableRepo({ ...hub, catalog: tx }, caller, ref);
    const now = Date.now();
    if (await tx.social.addLike(repo.pk, user.user, nowIso())) {
      await tx.social.setPopularity(repo.pk, { likes: repo.likes + 1 });
      await tx.social.addDailyFigures(repo.pk, dayOf(now), { likes: 1 });
      await rescoreRepo(tx, repo.pk, now);
      return repo.likes + 1;
    }
    return repo.likes;
  });
}
