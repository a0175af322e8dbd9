import { HangarError } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import type { NamespaceRow, TokenRow } from "../../store/accounts-table.ts";
import type { HubContext } from "../hub.ts";

export interface UserSummary extends NamespaceRow {
  orgs: Array<{ name: string; role: TokenRole }>;
}

export interface OrgSummary extends NamespaceRow {
  members: Array<{ user: string; role: TokenRole }>;
}

/** Every user, with the organisations each belongs to. */
export function listUsers(hub: HubContext): UserSummary[] {
  return hub.catalog.accounts.listNamespaces("user").map((user) => ({
    ...user,
    orgs: hub.catalog.accounts.orgsOf(user.name).map((org) => ({ name: org.name, role: org.role })),
  }));
}

/** Every organisation, with its members. */
export function listOrgs(hub: HubContext): OrgSummary[] {
  return hub.catalog.accounts
    .listNamespaces("org")
    .map((org) => ({ ...org, members: hub.catalog.accounts.membersOf(org.name) }));
}

/** One organisation with its members, or undefined when there is no organisation of that name. */
export function getOrg(hub: HubContext, name: string): OrgSummary | undefined {
  const org = hub.catalog.accounts.getNamespace(name);
  if (org?.kind !== "org") return undefined;
  return { ...org, members: hub.catalog.accounts.membersOf(org.name) };
}

/** A user's tokens (never their secrets, which are not stored). */
export function listTokens(hub: HubContext, user: string): TokenRow[] {
  if (hub.catalog.accounts.getNamespace(user)?.kind !== "user") {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${user}"`);
  }
  return hub.catalog.accounts.listTokens(user);
}
