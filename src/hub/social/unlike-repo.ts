import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { requireUser } from "./like-repo.ts";
import { dayOf, rescoreRepo } from "./trending-score.ts";

/** The caller takes back its like of a repo (nothing happens when it had none). Returns the repo's likes. */
export async function unlikeRepo(hub: HubContext, caller: Caller, ref: RepoRef): Promise<number> {
  const user = requireUser(caller, "unlike a repo");
  return hub.catalog.transaction(async (tx) => {
    const repo = await getReadableRepo({ ...hub, catalog: tx }, caller, ref);
    if (!(await tx.social.removeLike(repo.pk, user.user))) return repo.likes;
    const now = Date.now();
    const likes = Math.max(0, repo.likes - 1);
    await tx.social.setPopularity(repo.pk, { likes });
    await tx.social.addDailyFigures(repo.pk, dayOf(now), { likes: -1 });
    await rescoreRepo(tx, repo.pk, now);
    return likes;
  });
}
