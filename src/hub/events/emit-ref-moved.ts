import type { Repo } from "../../core/types.ts";
import type { HubScope } from "../hub.ts";
import { emitHubEvent } from "./emit-hub-event.ts";

/** A ref as git names it (`refs/heads/main`, `refs/tags/v1`, `refs/pr/3`). */
export function fullRefName(kind: "branch" | "tag" | "pr" | string, name: string): string {
  if (kind === "branch") return `refs/heads/${name}`;
  if (kind === "tag") return `refs/tags/${name}`;
  if (kind === "pr") return `refs/pr/${name}`;
  return `refs/${kind}/${name}`;
}

/**
 * A ref of a repo moved (a commit, a push, a branch or tag created or deleted): one `repo.content` update
 * event, with the repo as it is now (its new head) and the ref's commits before and after.
 */
export async function emitRefMoved(
  hub: HubScope,
  repo: Repo,
  ref: { kind: string; name: string; oldSha: string | null; newSha: string | null },
): Promise<void> {
  const current = (await hub.catalog.repos.getByPk(repo.pk)) ?? repo;
  await emitHubEvent(hub, {
    scope: "repo.content",
    action: "update",
    repo: current,
    updatedRefs: [{ ref: fullRefName(ref.kind, ref.name), oldSha: ref.oldSha, newSha: ref.newSha }],
  });
}
