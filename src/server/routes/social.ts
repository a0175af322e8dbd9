import type { RepoRef } from "../../core/types.ts";
import { parseRepoType } from "../../core/validate.ts";
import { getDailyFigures } from "../../hub/social/daily-figures.ts";
import { followNamespace } from "../../hub/social/follow-namespace.ts";
import {
  getOrganizationOverview,
  getUserOverview,
  listOrganizationMembers,
} from "../../hub/social/get-namespace-overview.ts";
import { likeRepo } from "../../hub/social/like-repo.ts";
import { listFollows } from "../../hub/social/list-follows.ts";
import { listLikedRepos } from "../../hub/social/list-liked-repos.ts";
import { listRepoLikers } from "../../hub/social/list-repo-likers.ts";
import { unlikeRepo } from "../../hub/social/unlike-repo.ts";
import { decodeSegment, sendJson } from "../http.ts";
import type { RequestContext, Router } from "../router.ts";
import { toApiOrganizationOverview, toApiUserEntry, toApiUserOverview } from "../wire/api-user.ts";
import { nextPageLink } from "../wire/pagination.ts";

const REPO_API = "/api/:type(models|datasets|spaces)/:namespace/:name";
const LIKERS_PAGE = 1000;

function repoFromPath(context: RequestContext): RepoRef {
  return {
    type: parseRepoType(context.params.type),
    namespace: decodeSegment(context.params.namespace!),
    name: decodeSegment(context.params.name!),
  };
}

function nameOf(context: RequestContext): string {
  return decodeSegment(context.params.name!);
}

/** Likes, likers, and user and organisation pages (overview, members, followers, following). */
export function registerSocialRoutes(router: Router): void {
  router.add(
    "POST",
    `${REPO_API}/like`,
    async (context) => {
      const likes = await likeRepo(context.hangar, context.caller, repoFromPath(context));
      sendJson(context.response, 200, { likes });
    },
    { summary: "Likes a repo" },
  );

  router.add(
    "DELETE",
    `${REPO_API}/like`,
    async (context) => {
      const likes = await unlikeRepo(context.hangar, context.caller, repoFromPath(context));
      sendJson(context.response, 200, { likes });
    },
    { summary: "Takes back a like (unlike)" },
  );

  router.add(
    "GET",
    `${REPO_API}/daily-stats`,
    async (context) => {
      const days = context.url.searchParams.get("days");
      const figures = await getDailyFigures(context.hangar, context.caller, {
        repo: repoFromPath(context),
        days: days === null ? 30 : /^\d{1,4}$/.test(days) ? Number(days) : Number.NaN,
      });
      sendJson(context.response, 200, { days: figures });
    },
    {
      summary:
        "A repo's downloads and likes per day (UTC), oldest first, for the last `days` days (default 30, at most 365; Hangar's own)",
    },
  );

  router.add(
    "GET",
    `${REPO_API}/likers`,
    async (context) => {
      const after = context.url.searchParams.get("cursor") ?? undefined;
      const likers = await listRepoLikers(context.hangar, context.caller, {
        repo: repoFromPath(context),
        limit: LIKERS_PAGE,
        ...(after ? { after } : {}),
      });
      const last = likers.at(-1);
      const headers = likers.length === LIKERS_PAGE && last ? nextPageLink(context, last.user) : {};
      sendJson(
        context.response,
        200,
        likers.map((liker) =>
          toApiUserEntry({ name: liker.user, fullname: liker.fullname }, context.baseUrl),
        ),
        headers,
      );
    },
    { summary: "Users who like a repo (list_repo_likers)" },
  );

  router.add(
    "GET",
    "/api/users/:name/likes",
    async (context) => {
      const liked = await listLikedRepos(context.hangar, context.caller, nameOf(context));
      sendJson(
        context.response,
        200,
        liked.map((repo) => ({ createdAt: repo.likedAt, repo: { name: repo.id, type: repo.type } })),
      );
    },
    { summary: "Repos a user likes (list_liked_repos)" },
  );

  router.add(
    "GET",
    "/api/users/:name/overview",
    async (context) => {
      const overview = await getUserOverview(context.hangar, context.caller, nameOf(context));
      sendJson(context.response, 200, toApiUserOverview(overview, context.baseUrl));
    },
    { summary: "A user's profile (get_user_overview)" },
  );

  router.add(
    "GET",
    "/api/organizations/:name/overview",
    async (context) => {
      const overview = await getOrganizationOverview(context.hangar, context.caller, nameOf(context));
      sendJson(context.response, 200, toApiOrganizationOverview(overview, context.baseUrl));
    },
    { summary: "An organisation's profile (get_organization_overview)" },
  );

  router.add(
    "GET",
    "/api/organizations/:name/members",
    async (context) => {
      const members = await listOrganizationMembers(context.hangar, context.caller, nameOf(context));
      sendJson(
        context.response,
        200,
        members.map((member) => toApiUserEntry(member, context.baseUrl)),
      );
    },
    { summary: "An organisation's members (list_organization_members)" },
  );

  for (const [prefix, kind] of [
    ["users", "user"],
    ["organizations", "org"],
  ] as const) {
    const directions = kind === "user" ? (["followers", "following"] as const) : (["followers"] as const);
    for (const direction of directions) {
      router.add(
        "GET",
        `/api/${prefix}/:name/${direction}`,
        async (context) => {
          const follows = await listFollows(context.hangar, { kind, name: nameOf(context), direction });
          sendJson(
            context.response,
            200,
            follows.map((follow) => toApiUserEntry(follow, context.baseUrl)),
          );
        },
        {
          summary: `${direction === "followers" ? "Who follows" : "Whom follows"} a ${kind === "user" ? "user" : "organisation"}`,
        },
      );
    }
    router.add(
      ["POST", "DELETE"],
      `/api/${prefix}/:name/follow`,
      async (context) => {
        await followNamespace(context.hangar, context.caller, {
          name: nameOf(context),
          follow: context.method === "POST",
        });
        sendJson(context.response, 200, {});
      },
      { summary: "Follows (POST) or unfollows (DELETE) a user or organisation (Hangar's own route)" },
    );
  }
}
