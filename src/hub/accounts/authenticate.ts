import type { NamespaceRow, TokenRow } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { HubScope } from "../hub.ts";
import type { Principal } from "./principal.ts";
import { hashToken } from "./tokens.ts";

/** The Hub's message for a token it does not know; `huggingface_hub` shows it as is. */
export const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

/** Resolves a bearer token to its principal; an unknown token is an error, not anonymity. */
export async function authenticate(hub: HubScope, token: string): Promise<Principal> {
  const row = await hub.catalog.accounts.findTokenByHash(hashToken(token));
  const user = row ? await hub.catalog.accounts.getNamespace(row.user) : undefined;
  if (!row || !user) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", INVALID_CREDENTIALS);
  // Recording every use would turn each read into a write; once a minute is enough to show activity.
  if (!row.lastUsedAt || Date.now() - Date.parse(row.lastUsedAt) > 60_000)
    await hub.catalog.accounts.touchToken(row.id, nowIso());
  return principalOf(hub, user, row);
}

/** The principal of a user acting with one of their tokens: the user's admin right, token and organisations. */
export async function principalOf(hub: HubScope, user: NamespaceRow, token: TokenRow): Promise<Principal> {
  return {
    user: user.name,
    fullname: user.fullname,
    email: user.email,
    isAdmin: user.isAdmin && token.role === "admin",
    token: { id: token.id, displayName: token.displayName, role: token.role, createdAt: token.createdAt },
    orgs: (await hub.catalog.accounts.orgsOf(user.name)).map((org) => ({
      name: org.name,
      fullname: org.fullname,
      role: org.role,
    })),
  };
}
