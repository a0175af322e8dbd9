import type { RepoRef } from "../../core/types.ts";
import { repoNotFound } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { defaultBranchHead, hasCommits, mirrorInfoOf } from "./mirror-info.ts";
import { pullRepo } from "./pull-repo.ts";
import { upstreamFailure } from "./upstream-client.ts";

/** Pulls in progress per instance, so concurrent requests for one repo and revision share one pull. */
const inFlight = new WeakMap<HubContext, Map<string, Promise<unknown>>>();

function pullsOf(hub: HubContext): Map<string, Promise<unknown>> {
  let pulls = inFlight.get(hub);
  if (!pulls) {
    pulls = new Map();
    inFlight.set(hub, pulls);
  }
  return pulls;
}

function resolvable(hub: HubContext, ref: RepoRef, revision: string): boolean {
  const repo = hub.catalog.repos.get(ref);
  if (!repo) return false;
  try {
    resolveRevision(hub, repo, revision);
    return true;
  } catch {
    return false;
  }
}

/**
 * Pull-through mode: before a read of a repo this instance lacks (or knows only as an upstream-only catalog
 * entry), the repo is pulled from the upstream at the revision asked for, so the read is answered from the
 * local copy and every later read is local too. A mirrored repo asked for a revision it does not have yet
 * pulls that revision. Repos with local content of their own are never touched.
 *
 * When the pull fails the read goes on with what is here (a catalog entry is still described, a mirror
 * keeps serving its files); a repo that is not here at all answers exactly as the Hub does for a missing
 * repo (RepoNotFound), whether the upstream lacks it, refuses it, or cannot be reached. A gated upstream
 * repo says so, as the Hub would.
 */
export async function ensureRepoAvailable(
  hub: HubContext,
  caller: Caller,
  ref: RepoRef,
  revision: string,
): Promise<void> {
  if (!hub.config.pullThrough) return;
  const repo = hub.catalog.repos.get(ref);
  if (repo && repo.origin === "local" && hasCommits(hub, repo)) {
    if (resolvable(hub, ref, revision)) return;
    if (!mirrorInfoOf(defaultBranchHead(hub, repo))) return;
  }
  const upstreamRevision = revision === "HEAD" ? undefined : revision;
  const key = `${ref.type}/${ref.namespace}/${ref.name}@${upstreamRevision ?? ""}`;
  const pulls = pullsOf(hub);
  let pull = pulls.get(key);
  if (!pull) {
    pull = pullRepo(hub, {
      repo: `${ref.namespace}/${ref.name}`,
      type: ref.type,
      ...(upstreamRevision ? { revision: upstreamRevision } : {}),
    }).finally(() => pulls.delete(key));
    pulls.set(key, pull);
  }
  try {
    await pull;
  } catch (error) {
    // An upstream-only entry is still described from the catalog, and a mirror keeps serving what it has.
    if (hub.catalog.repos.get(ref)) return;
    const failure = upstreamFailure(error);
    if (failure === "gated") throw error;
    if (failure !== undefined) throw repoNotFound(caller, ref);
    throw error;
  }
}
