import type { RefRow } from "../../core/catalog-types.ts";
import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

export interface ListRefsParams {
  ref: RepoRef;
  /** Whether pull-request refs are listed. */
  includePullRequests?: boolean;
}

export interface RepoRefs {
  branches: RefRow[];
  tags: RefRow[];
  /** Absent unless asked for, as on the Hub. */
  pullRequests?: RefRow[];
}

export async function listRefs(hub: HubScope, caller: Caller, params: ListRefsParams): Promise<RepoRefs> {
  const repo = await getReadableRepo(hub, caller, params.ref);
  const refs = await hub.catalog.commits.listRefs(repo.pk);
  const byNumber = (a: RefRow, b: RefRow): number => Number(a.name) - Number(b.name);
  return {
    branches: refs.filter((ref) => ref.kind === "branch"),
    tags: refs.filter((ref) => ref.kind === "tag"),
    ...(params.includePullRequests
      ? { pullRequests: refs.filter((ref) => ref.kind === "pr").sort(byNumber) }
      : {}),
  };
}
