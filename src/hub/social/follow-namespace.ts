import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { requireUser } from "./like-repo.ts";

/** The caller follows (or, with `follow: false`, stops following) a user or an organisation. */
export async function followNamespace(
  hub: HubScope,
  caller: Caller,
  params: { name: string; follow: boolean },
): Promise<void> {
  const user = requireUser(caller, "follow someone");
  const account = await hub.catalog.accounts.getNamespace(params.name);
  if (!account) throw new HangarError("HANGAR_ERR_NOT_FOUND", `${params.name} not found`);
  if (account.name.toLowerCase() === user.user.toLowerCase())
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "name: a user cannot follow themselves");
  if (params.follow) await hub.catalog.social.follow(user.user, account.name, nowIso());
  else await hub.catalog.social.unfollow(user.user, account.name);
}
