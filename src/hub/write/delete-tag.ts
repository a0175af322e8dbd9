import type { RepoRef } from "../../core/types.ts";
import { getWritableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { revisionNotFound } from "../resolve-revision.ts";

export interface DeleteTagParams {
  repo: RepoRef;
  tag: string;
}

/** Deletes a tag; 404 RevisionNotFound when there is none of that name. */
export function deleteTag(hub: HubContext, caller: Caller, params: DeleteTagParams): void {
  const repo = getWritableRepo(hub, caller, params.repo);
  const tag = params.tag.replace(/^refs\/tags\//, "");
  if (!hub.catalog.commits.deleteRef(repo.pk, "tag", tag)) throw revisionNotFound(repo, tag);
}
