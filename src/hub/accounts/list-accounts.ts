import type { NamespaceRow, TokenRow } from "../../core/catalog-types.ts";
import { HangarError } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";

export interface UserSummary extends NamespaceRow {
  orgs: Array<{ name: string; role: TokenRole }>;
}

export interface OrgSummary extends NamespaceRow {
  members: Array<{ user: string; role: TokenRole }>;
}

/** Every user, with the organisations each belongs to. */
export async function listUsers(hub: HubScope): Promise<UserSummary[]> {
  const users: UserSummary[] = [];
  for (const user of await hub.catalog.accounts.listNamespaces("user")) {
    const orgs = await hub.catalog.accounts.orgsOf(user.name);
    users.push({ ...user, orgs: orgs.map((org) => ({ name: org.name, role: org.role })) });
  }
  return users;
}

/** Every organisation, with its members. */
export async function listOrgs(hub: HubScope): Promise<OrgSummary[]> {
  const orgs: OrgSummary[] = [];
  for (const org of await hub.catalog.accounts.listNamespaces("org")) {
    orgs.push({ ...org, members: await hub.catalog.accounts.membersOf(org.name) });
  }
  return orgs;
}

/** One organisation with its members, or undefined when there is no organisation of that name. */
export async function getOrg(hub: HubScope, name: string): Promise<OrgSummary | undefined> {
  const org = await hub.catalog.accounts.getNamespace(name);
  if (org?.kind !== "org") return undefined;
  return { ...org, members: await hub.catalog.accounts.membersOf(org.name) };
}

/** A user's tokens (never their secrets, which are not stored). */
export async function listTokens(hub: HubScope, user: string): Promise<TokenRow[]> {
  if ((await hub.catalog.accounts.getNamespace(user))?.kind !== "user") {
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `No user "${user}"`);
  }
  return hub.catalog.accounts.listTokens(user);
}
