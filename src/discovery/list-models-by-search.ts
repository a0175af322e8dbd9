import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import { type ListingLoads, type RepoListing, toRepoListing } from "../hub/read/list-repos.ts";
import { decodeCursor, encodeCursor } from "../hub/read/paging.ts";
import { searchModels } from "./search-models.ts";
import { MAX_RESULT_DEPTH, type SearchModelsParams, type SearchSort } from "./search-params.ts";

export interface ListModelsBySearchParams extends ListingLoads {
  search: SearchModelsParams;
  /** Page size asked for (the search caps it). */
  limit: number;
  cursor?: string;
}

export interface ListModelsBySearchResult {
  items: RepoListing[];
  /** Models matching in all (a page walk stops after the first MAX_RESULT_DEPTH). */
  total: number;
  nextCursor?: string;
}

interface SearchCursor {
  /** The sort the page numbers belong to. */
  s: SearchSort;
  /** 1-based page. */
  p: number;
}

function isSearchCursor(value: unknown): value is SearchCursor {
  if (typeof value !== "object" || value === null) return false;
  const cursor = value as Record<string, unknown>;
  return typeof cursor.s === "string" && Number.isSafeInteger(cursor.p) && (cursor.p as number) >= 1;
}

/**
 * A Hub-shaped model listing served by Hangar's search: the ranked models as the listing's repos, one page
 * per cursor. Pages are numbered, so a listing that changes while it is walked may repeat or skip a model;
 * the walk ends after the first MAX_RESULT_DEPTH results, as on /v1/discover.
 */
export async function listModelsBySearch(
  hub: HubContext,
  caller: Caller,
  params: ListModelsBySearchParams,
): Promise<ListModelsBySearchResult> {
  const sort = params.search.sort ?? "relevance";
  let page = 1;
  if (params.cursor) {
    const cursor = decodeCursor(params.cursor, isSearchCursor);
    // A cursor made for another order would skip models arbitrarily: start over instead.
    if (cursor.s === sort) page = cursor.p;
  }
  const result = await searchModels(hub, {
    ...params.search,
    sort,
    caller,
    page,
    limit: params.limit,
    facets: false,
    insights: false,
  });
  const items: RepoListing[] = [];
  for (const hit of result.results) {
    const slash = hit.id.indexOf("/");
    const repo = await hub.catalog.repos.get({
      type: "model",
      namespace: hit.id.slice(0, slash),
      name: hit.id.slice(slash + 1),
    });
    // Deleted since the index last saw it: the next search no longer finds it either.
    if (repo) items.push(await toRepoListing(hub, repo, params));
  }
  const more = page * result.limit < result.total && (page + 1) * result.limit <= MAX_RESULT_DEPTH;
  return {
    items,
    total: result.total,
    ...(more ? { nextCursor: encodeCursor({ s: sort, p: page + 1 } satisfies SearchCursor) } : {}),
  };
}
