import { HangarError } from "../../core/errors.ts";
import type { TokenRole } from "../../core/types.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

export interface UserOverview {
  kind: "user";
  name: string;
  fullname: string;
  createdAt: string;
  numModels: number;
  numDatasets: number;
  numSpaces: number;
  numLikes: number;
  numFollowers: number;
  numFollowing: number;
  isFollowing: boolean | undefined;
  orgs: Array<{ name: string; fullname: string }>;
}

export interface OrganizationOverview {
  kind: "org";
  name: string;
  fullname: string;
  createdAt: string;
  numUsers: number;
  numModels: number;
  numDatasets: number;
  numSpaces: number;
  numFollowers: number;
  isFollowing: boolean | undefined;
}

export function namespaceNotFound(kind: "user" | "org", name: string): HangarError {
  return new HangarError(
    "HANGAR_ERR_NOT_FOUND",
    `${kind === "user" ? "User" : "Organization"} ${name} not found`,
  );
}

/** A namespace of the given kind, or 404 naming it. */
export async function getNamespaceOf(hub: HubScope, kind: "user" | "org", name: string) {
  const account = await hub.catalog.accounts.getNamespace(name);
  if (!account || account.kind !== kind) throw namespaceNotFound(kind, name);
  return account;
}

/** A user's public profile: public repo counts, likes, follows and organisations. */
export async function getUserOverview(hub: HubScope, caller: Caller, name: string): Promise<UserOverview> {
  const account = await getNamespaceOf(hub, "user", name);
  const social = hub.catalog.social;
  const repos = await social.countRepos(account.name);
  return {
    kind: "user",
    name: account.name,
    fullname: account.fullname || account.name,
    createdAt: account.createdAt,
    numModels: repos.model,
    numDatasets: repos.dataset,
    numSpaces: repos.space,
    numLikes: await social.countLikesBy(account.name),
    numFollowers: await social.countFollows(account.name, "followers"),
    numFollowing: await social.countFollows(account.name, "following"),
    isFollowing: caller ? await social.isFollowing(caller.user, account.name) : undefined,
    orgs: (await hub.catalog.accounts.orgsOf(account.name)).map((org) => ({
      name: org.name,
      fullname: org.fullname || org.name,
    })),
  };
}

/** An organisation's public profile: members, public repo counts, followers. */
export async function getOrganizationOverview(
  hub: HubScope,
  caller: Caller,
  name: string,
): Promise<OrganizationOverview> {
  const account = await getNamespaceOf(hub, "org", name);
  const social = hub.catalog.social;
  const repos = await social.countRepos(account.name);
  return {
    kind: "org",
    name: account.name,
    fullname: account.fullname || account.name,
    createdAt: account.createdAt,
    numUsers: (await hub.catalog.accounts.membersOf(account.name)).length,
    numModels: repos.model,
    numDatasets: repos.dataset,
    numSpaces: repos.space,
    numFollowers: await social.countFollows(account.name, "followers"),
    isFollowing: caller ? await social.isFollowing(caller.user, account.name) : undefined,
  };
}

export interface NamespaceMember {
  name: string;
  fullname: string;
  /** The member's role in the organisation (shown to members only). */
  role?: TokenRole;
}

/** An organisation's members; their roles only for callers who are members themselves (or admins). */
export async function listOrganizationMembers(
  hub: HubScope,
  caller: Caller,
  org: string,
): Promise<NamespaceMember[]> {
  const account = await getNamespaceOf(hub, "org", org);
  const members = await hub.catalog.accounts.membersOf(account.name);
  const insider =
    !!caller &&
    (caller.isAdmin || members.some((member) => member.user.toLowerCase() === caller.user.toLowerCase()));
  const result: NamespaceMember[] = [];
  for (const member of members) {
    const user = await hub.catalog.accounts.getNamespace(member.user);
    result.push({
      name: member.user,
      fullname: user?.fullname || member.user,
      ...(insider ? { role: member.role } : {}),
    });
  }
  return result;
}
