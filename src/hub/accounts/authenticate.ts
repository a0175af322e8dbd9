import type { NamespaceRow, TokenRow } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Credential } from "../../store/accounts-table.ts";
import type { HubScope } from "../hub.ts";
import type { Principal } from "./principal.ts";
import { hashToken } from "./tokens.ts";

/** The Hub's message for a token it does not know; `huggingface_hub` shows it as is. */
export const INVALID_CREDENTIALS = "Invalid credentials in Authorization header";

/** Resolves a bearer token to its principal; an unknown token is an error, not anonymity. */
export function authenticate(hub: HubScope, token: string): Promise<Principal> {
  return authenticateHash(hub, hashToken(token));
}

/**
 * `authenticate` for a token already hashed (`hashToken`): the server hashes each request's token once, for
 * its throttle and this. One catalog read per request: the token, its user and the user's organisations.
 */
export async function authenticateHash(hub: HubScope, tokenHash: string): Promise<Principal> {
  const found = await hub.catalog.accounts.findCredential(tokenHash);
  if (!found) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", INVALID_CREDENTIALS);
  const { token, user, orgs } = found;
  // Recording every use would turn each read into a write; once a minute is enough to show activity.
  if (!token.lastUsedAt || Date.now() - Date.parse(token.lastUsedAt) > 60_000)
    await hub.catalog.accounts.touchToken(token.id, nowIso());
  return principalFrom(user, token, orgs);
}

/** The principal of a user acting with one of their tokens: the user's admin right, token and organisations. */
export async function principalOf(hub: HubScope, user: NamespaceRow, token: TokenRow): Promise<Principal> {
  return principalFrom(user, token, await hub.catalog.accounts.orgsOf(user.name));
}

function principalFrom(user: NamespaceRow, token: TokenRow, orgs: Credential["orgs"]): Principal {
  return {
    user: user.name,
    fullname: user.fullname,
    email: user.email,
    isAdmin: user.isAdmin && token.role === "admin",
    token: { id: token.id, displayName: token.displayName, role: token.role, createdAt: token.createdAt },
    orgs: orgs.map((org) => ({ name: org.name, fullname: org.fullname, role: org.role })),
  };
}
