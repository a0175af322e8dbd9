import type { Repo, RepoRef } from "../../core/types.ts";
import { assertCanWrite, getContributableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { parseRefName } from "../resolve-revision.ts";
import { canModerate, isAuthor } from "./discussion-records.ts";

/**
 * The repo a commit (or its preupload) goes to, if the caller may make it. Writers commit anywhere; as on
 * the Hub, anyone who may contribute opens a pull request (`create_pr`) and adds commits to an open pull
 * request of their own (`refs/pr/N`). Everything else is the usual 401/403.
 */
export async function getRepoForCommit(
  hub: HubScope,
  caller: Caller,
  ref: RepoRef,
  target: { revision: string; createPr: boolean },
): Promise<Repo> {
  const repo = await getContributableRepo(hub, caller, ref);
  if (canModerate(caller, repo) || target.createPr) return repo;
  const named = parseRefName(target.revision);
  if (named?.kind === "pr" && /^\d+$/.test(named.name)) {
    const discussion = await hub.catalog.discussions.get(repo.pk, Number(named.name));
    const pending = discussion?.status === "open" || discussion?.status === "draft";
    if (discussion && pending && isAuthor(caller, discussion.author)) return repo;
  }
  assertCanWrite(caller, repo.namespace);
  return repo;
}
