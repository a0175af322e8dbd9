import { principalOf } from "../../hub/accounts/authenticate.ts";
import type { Principal } from "../../hub/accounts/principal.ts";
import type { HubContext } from "../../hub/hub.ts";

/**
 * The job's owner as a caller, looked up again each time the job runs: the token that created it, with the
 * user's current organisations. Undefined once the token is revoked or the user deleted: the job stops.
 */
export async function batchPrincipal(
  hub: HubContext,
  owner: string,
  tokenId: number | null,
): Promise<Principal | undefined> {
  if (tokenId === null) return undefined;
  const token = await hub.catalog.accounts.getToken(tokenId);
  const user = await hub.catalog.accounts.getNamespace(owner);
  if (!token || !user || token.user.toLowerCase() !== owner.toLowerCase()) return undefined;
  return principalOf(hub, user, token);
}
