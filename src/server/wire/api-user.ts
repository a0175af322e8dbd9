import type {
  NamespaceMember,
  OrganizationOverview,
  UserOverview,
} from "../../hub/social/get-namespace-overview.ts";
import type { Follow } from "../../hub/social/list-follows.ts";

function avatar(baseUrl: string, name: string): string {
  return `${baseUrl}/avatars/${encodeURIComponent(name)}`;
}

/** `GET /api/users/{name}/overview`, as `huggingface_hub`'s User reads it. */
export function toApiUserOverview(overview: UserOverview, baseUrl: string) {
  return {
    _id: overview.name,
    user: overview.name,
    fullname: overview.fullname,
    avatarUrl: avatar(baseUrl, overview.name),
    type: "user",
    isPro: false,
    createdAt: overview.createdAt,
    numModels: overview.numModels,
    numDatasets: overview.numDatasets,
    numSpaces: overview.numSpaces,
    numDiscussions: 0,
    numPapers: 0,
    numUpvotes: 0,
    numLikes: overview.numLikes,
    numFollowers: overview.numFollowers,
    numFollowing: overview.numFollowing,
    ...(overview.isFollowing === undefined ? {} : { isFollowing: overview.isFollowing }),
    orgs: overview.orgs.map((org) => ({
      name: org.name,
      fullname: org.fullname,
      avatarUrl: avatar(baseUrl, org.name),
    })),
  };
}

/** `GET /api/organizations/{name}/overview`, as `huggingface_hub`'s Organization reads it. */
export function toApiOrganizationOverview(overview: OrganizationOverview, baseUrl: string) {
  return {
    _id: overview.name,
    name: overview.name,
    fullname: overview.fullname,
    avatarUrl: avatar(baseUrl, overview.name),
    type: "org",
    isVerified: false,
    createdAt: overview.createdAt,
    numUsers: overview.numUsers,
    numModels: overview.numModels,
    numDatasets: overview.numDatasets,
    numSpaces: overview.numSpaces,
    numFollowers: overview.numFollowers,
    numPapers: 0,
    ...(overview.isFollowing === undefined ? {} : { isFollowing: overview.isFollowing }),
  };
}

/** A user in a listing (members, followers, likers): `huggingface_hub` builds a User from it. */
export function toApiUserEntry(entry: NamespaceMember | Follow, baseUrl: string) {
  return {
    user: entry.name,
    fullname: entry.fullname,
    avatarUrl: avatar(baseUrl, entry.name),
    type: "kind" in entry ? entry.kind : "user",
    isPro: false,
    ...("role" in entry && entry.role ? { role: entry.role } : {}),
  };
}
