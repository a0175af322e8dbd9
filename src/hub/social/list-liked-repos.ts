import type { LikedRepo } from "../../store/social-table.ts";
import { canRead } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { getNamespaceOf } from "./get-namespace-overview.ts";

/** The repos a user likes, newest like first, leaving out private repos the caller cannot read. */
export async function listLikedRepos(hub: HubScope, caller: Caller, user: string): Promise<LikedRepo[]> {
  const account = await getNamespaceOf(hub, "user", user);
  const liked = await hub.catalog.social.likedBy(account.name);
  return liked.filter((repo) => canRead(caller, repo));
}
