import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

export interface Liker {
  user: string;
  fullname: string;
}

/** Users who like a repo the caller can read, by name, one page after `after`. */
export async function listRepoLikers(
  hub: HubScope,
  caller: Caller,
  params: { repo: RepoRef; limit: number; after?: string },
): Promise<Liker[]> {
  const repo = await getReadableRepo(hub, caller, params.repo);
  const rows = await hub.catalog.social.likers(repo.pk, params.limit, params.after);
  return rows.map((row) => ({ user: row.username, fullname: row.fullname }));
}
