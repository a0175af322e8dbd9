import { REPO_SORT_KEYS, type RepoSortKey } from "../../core/catalog-types.ts";
import { badRequest } from "../../core/errors.ts";
import type { CommitMetadata, Repo, RepoType, TreeFile } from "../../core/types.ts";
import { visibleNamespaces } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { type ModelSummary, summarizeModel } from "./model-summary.ts";
import { decodeCursor, encodeCursor } from "./paging.ts";

/** Sort names clients send that Hangar ranks by a close equivalent. */
const SORT_ALIASES: Record<string, RepoSortKey> = {
  likes7d: "likes",
  likes30d: "likes",
  modified: "lastModified",
};

/** A listing's sort key from the `sort` parameter; trending first when none is given, as on the Hub. */
export function parseRepoSort(value: string | null | undefined): RepoSortKey {
  if (value === null || value === undefined || value === "") return "trendingScore";
  if ((REPO_SORT_KEYS as readonly string[]).includes(value)) return value as RepoSortKey;
  const alias = SORT_ALIASES[value];
  if (alias) return alias;
  throw badRequest(`Invalid sort "${value}": expected one of ${REPO_SORT_KEYS.join(", ")}`);
}

export interface ListReposParams {
  type: RepoType;
  /** Substrings of the id, all of which must match. */
  search?: string[];
  author?: string;
  /** Tags that must all be present (`filter`). */
  tags?: string[];
  pipelineTag?: string;
  gated?: boolean;
  sort: RepoSortKey;
  descending: boolean;
  /** Page size, already capped. */
  limit: number;
  cursor?: string;
  /** Load each repo's files at its head (for `siblings`). */
  withFiles?: boolean;
  /** Load each repo's head commit metadata (for `cardData`, `config`). */
  withMetadata?: boolean;
  /** Summarise each model (the `hangar` field). */
  withSummary?: boolean;
}

/** One repo of a listing, with what was asked to be loaded beside it. */
export interface RepoListing {
  repo: Repo;
  files?: TreeFile[];
  metadata?: CommitMetadata;
  summary?: ModelSummary;
}

export interface ListReposResult {
  items: RepoListing[];
  /** Present when there may be more: pass it back as `cursor`. */
  nextCursor?: string;
}

/** What a listing loads beside each repo. */
export type ListingLoads = Pick<ListReposParams, "withFiles" | "withMetadata" | "withSummary">;

/** One repo of a listing with what `loads` asks for, read at the repo's head commit. */
export async function toRepoListing(hub: HubScope, repo: Repo, loads: ListingLoads): Promise<RepoListing> {
  const withSummary = loads.withSummary === true && repo.type === "model";
  const commit =
    repo.sha && (loads.withFiles || loads.withMetadata || withSummary)
      ? await hub.catalog.commits.getCommit(repo.pk, repo.sha)
      : undefined;
  return {
    repo,
    ...(commit && loads.withFiles ? { files: await hub.catalog.commits.listFiles(commit.pk) } : {}),
    ...(commit && loads.withMetadata ? { metadata: commit.metadata } : {}),
    ...(withSummary ? { summary: await summarizeModel(hub, repo, commit?.metadata) } : {}),
  };
}

interface ListCursor {
  s: RepoSortKey;
  v: string | number;
  k: number;
}

function isListCursor(value: unknown): value is ListCursor {
  if (typeof value !== "object" || value === null) return false;
  const cursor = value as Record<string, unknown>;
  return (
    typeof cursor.s === "string" &&
    (typeof cursor.v === "string" || typeof cursor.v === "number") &&
    typeof cursor.k === "number"
  );
}

/**
 * Lists repositories the caller may see, one keyset page at a time: the cursor holds the last row's sort
 * value and row id, so pages stay consistent while repos are added and cost the same however deep.
 */
export async function listRepos(
  hub: HubScope,
  caller: Caller,
  params: ListReposParams,
): Promise<ListReposResult> {
  let after: { value: string | number; pk: number } | undefined;
  if (params.cursor) {
    const cursor = decodeCursor(params.cursor, isListCursor);
    // A cursor made for another sort order would skip rows arbitrarily: start over instead.
    if (cursor.s === params.sort) after = { value: cursor.v, pk: cursor.k };
  }
  const repos = await hub.catalog.repos.list({
    type: params.type,
    ...(params.search ? { search: params.search } : {}),
    ...(params.author ? { author: params.author } : {}),
    ...(params.tags ? { tags: params.tags } : {}),
    ...(params.pipelineTag ? { pipelineTag: params.pipelineTag } : {}),
    ...(params.gated !== undefined ? { gated: params.gated } : {}),
    visibleNamespaces: visibleNamespaces(caller),
    sort: params.sort,
    descending: params.descending,
    limit: params.limit + 1,
    ...(after ? { after } : {}),
  });
  const page = repos.slice(0, params.limit);
  const items = await Promise.all(page.map((repo) => toRepoListing(hub, repo, params)));
  const last = page[page.length - 1];
  return {
    items,
    ...(repos.length > params.limit && last
      ? {
          nextCursor: encodeCursor({
            s: params.sort,
            v: hub.catalog.repos.sortValue(last, params.sort),
            k: last.pk,
          } satisfies ListCursor),
        }
      : {}),
  };
}
