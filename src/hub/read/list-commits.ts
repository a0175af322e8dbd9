import type { StoredCommit } from "../../core/catalog-types.ts";
import type { RepoRef } from "../../core/types.ts";
import { isCommitId } from "../../core/validate.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { resolveRevision, walkHistory } from "../resolve-revision.ts";
import { decodeCursor, encodeCursor } from "./paging.ts";

export interface ListCommitsParams {
  ref: RepoRef;
  revision: string;
  limit: number;
  cursor?: string;
}

export interface ListCommitsResult {
  commits: StoredCommit[];
  nextCursor?: string;
}

function isCommitCursor(value: unknown): value is { from: string } {
  const from = (value as { from?: unknown } | null)?.from;
  return typeof from === "string" && isCommitId(from);
}

/**
 * The history of a revision, newest first, by first parents. The cursor names the next commit to show, so
 * a page costs the same however deep it is and stays right when the branch moves meanwhile.
 */
export async function listCommits(
  hub: HubScope,
  caller: Caller,
  params: ListCommitsParams,
): Promise<ListCommitsResult> {
  const repo = await getReadableRepo(hub, caller, params.ref);
  let start = (await resolveRevision(hub, repo, params.revision)).commit;
  if (params.cursor) {
    const { from } = decodeCursor(params.cursor, isCommitCursor);
    start = (await resolveRevision(hub, repo, from)).commit;
  }
  const commits: StoredCommit[] = [];
  let next: StoredCommit | undefined;
  for await (const commit of walkHistory(hub, repo, start)) {
    if (commits.length === params.limit) {
      next = commit;
      break;
    }
    commits.push(commit);
  }
  return { commits, ...(next ? { nextCursor: encodeCursor({ from: next.oid }) } : {}) };
}
