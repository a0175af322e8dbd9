import type { RepoRef } from "../../core/types.ts";
import { repoNotFound } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { defaultBranchHead, hasCommits, mirrorInfoOf } from "./mirror-info.ts";
import { type PullRepoParams, pullRepo } from "./pull-repo.ts";
import { upstreamFailure } from "./upstream-client.ts";

interface RunningPull {
  /** What the pull fetches, so a request wanting the same joins it. */
  key: string;
  done: Promise<unknown>;
}

/** The pull running per repo, per instance: pulls of one repo run one after another, requests share them. */
const running = new WeakMap<HubContext, Map<string, RunningPull>>();

function pullsOf(hub: HubContext): Map<string, RunningPull> {
  let pulls = running.get(hub);
  if (!pulls) {
    pulls = new Map();
    running.set(hub, pulls);
  }
  return pulls;
}

/** A glob that selects exactly one path (the matcher's `*`, `?` and `[` become one-character sets). */
function exactPattern(path: string): string {
  return path.replace(/[*?[]/g, (char) => `[${char}]`);
}

/** What to pull so that a read can be answered here, or undefined when nothing is needed (or allowed). */
async function planPull(
  hub: HubScope,
  ref: RepoRef,
  revision: string,
  path: string | undefined,
): Promise<Omit<PullRepoParams, "repo" | "type"> | undefined> {
  const upstreamRevision = revision === "HEAD" ? {} : { revision };
  const onlyPath = path === undefined ? {} : { include: [exactPattern(path)] };
  const repo = await hub.catalog.repos.get(ref);
  if (!repo || repo.origin === "upstream" || !(await hasCommits(hub, repo))) {
    // A repo with no commit of its own is pulled; an empty local repo is the owner's, not the mirror's.
    return repo && repo.origin === "local" ? undefined : { ...upstreamRevision, ...onlyPath };
  }
  let commit: Awaited<ReturnType<typeof resolveRevision>>["commit"] | undefined;
  try {
    commit = (await resolveRevision(hub, repo, revision)).commit;
  } catch {
    commit = undefined;
  }
  if (!commit) {
    // A mirror asked for a revision it lacks pulls it; a local repo answers RevisionNotFound.
    return mirrorInfoOf(await defaultBranchHead(hub, repo))
      ? { ...upstreamRevision, ...onlyPath }
      : undefined;
  }
  const mirror = mirrorInfoOf(commit);
  if (!mirror?.partial) return undefined;
  // A partial mirror gets the file asked for, or all of its files for a listing, of the same commit.
  if (path !== undefined && (await hub.catalog.commits.getFile(commit.pk, path))) return undefined;
  return { revision: commit.oid, ...onlyPath };
}

/**
 * Pull-through mode: before a read of a repo this instance lacks (or knows only as an upstream-only catalog
 * entry), the repo is pulled from the upstream at the revision asked for, so the read is answered from the
 * local copy and later reads are local too. A file request pulls just that file (a partial mirror of the
 * commit, completed file by file); a repo info, tree or paths-info request pulls every file, since it lists
 * them. A mirror asked for a revision it does not have pulls that revision. Repos with content of their
 * own are never touched.
 *
 * When the pull fails the read goes on with what is here (a catalog entry is still described, a mirror
 * keeps serving its files); a repo that is not here at all, or a file of an upstream-only entry, answers
 * exactly as the Hub does for a missing repo (RepoNotFound), whether the upstream lacks it, refuses it, or
 * cannot be reached. A gated upstream
 * repo says so, as the Hub would.
 */
export async function ensureRepoAvailable(
  hub: HubContext,
  caller: Caller,
  ref: RepoRef,
  revision: string,
  path?: string,
): Promise<void> {
  if (!hub.config.pullThrough) return;
  const pulls = pullsOf(hub);
  const repoKey = `${ref.type}/${ref.namespace}/${ref.name}`.toLowerCase();
  for (;;) {
    const plan = await planPull(hub, ref, revision, path);
    if (!plan) return;
    const key = JSON.stringify(plan);
    const current = pulls.get(repoKey);
    let done: Promise<unknown>;
    if (current) {
      // Another pull of this repo runs: share it when it fetches the same, otherwise look again after it.
      if (current.key !== key) {
        await current.done.catch(() => {});
        continue;
      }
      done = current.done;
    } else {
      done = pullRepo(hub, { repo: `${ref.namespace}/${ref.name}`, type: ref.type, ...plan }).finally(() =>
        pulls.delete(repoKey),
      );
      pulls.set(repoKey, { key, done });
    }
    try {
      await done;
      return;
    } catch (error) {
      // A mirror keeps serving what it has, and an upstream-only entry is still described from the catalog;
      // its files, which are not here, are as missing as the repo would be.
      const local = await hub.catalog.repos.get(ref);
      if (local && ((await hasCommits(hub, local)) || path === undefined)) return;
      const failure = upstreamFailure(error);
      if (failure === "gated") throw error;
      if (failure !== undefined) throw repoNotFound(caller, ref);
      throw error;
    }
  }
}
