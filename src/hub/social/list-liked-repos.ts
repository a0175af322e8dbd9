import { HangarError } from "../../core/errors.ts";
import type { LikedRepo } from "../../store/social-table.ts";
import type { Caller } from "../accounts/principal.ts";
import { canRead } from "../access.ts";
import type { HubScope } from "../hub.ts";

/** The repos a user likes, newest like first, leaving out private repos the caller cannot read. */
export async function listLikedRepos(hub: HubScope, caller: Caller, user: string): Promise<LikedRepo[]> {
  const account = await hub.catalog.accounts.getNamespace(user);
  if (!account || account.kind !== "user") throw new HangarError("HANGAR_ERR_NOT_FOUND", `User ${user} not found`);
  const liked = await hub.catalog.social.likedBy(account.name);
  return liked.filter((repo) => canRead(caller, repo));
}
