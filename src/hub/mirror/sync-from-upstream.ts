import { nowIso } from "../../core/time.ts";
import { REPO_TYPES, type Repo, type RepoRef } from "../../core/types.ts";
import { parseRepoId } from "../../core/validate.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { defaultBranchHead, type MirrorInfo, mirrorInfoOf } from "./mirror-info.ts";
import { pullRepo } from "./pull-repo.ts";
import { fetchUpstreamRepoInfo, type Upstream, upstreamFailure } from "./upstream-client.ts";
import { recordUpstreamPopularity } from "./upstream-popularity.ts";

export type SyncStatus =
  /** An upstream-only entry whose figures were refreshed. */
  | "refreshed"
  /** A mirror whose upstream has not moved. */
  | "current"
  /** A mirror whose upstream moved, pulled again. */
  | "pulled"
  /** A mirror whose upstream moved, not pulled (`pull: false`). */
  | "behind"
  /** The upstream does not have it (any more), or refuses it. */
  | "missing"
  | "failed";

export interface SyncEntry {
  repo: string;
  type: Repo["type"];
  kind: "entry" | "mirror";
  status: SyncStatus;
  /** The upstream head, when known. */
  upstreamSha?: string;
  /** The commit the mirror had before. */
  previousSha?: string;
  /** The downloads and likes the upstream reports, recorded apart from Hangar's own counts. */
  upstreamDownloads?: number;
  upstreamLikes?: number;
  message?: string;
}

export interface SyncParams {
  /** Only these ids (`ns/name`); every upstream-only entry and mirror otherwise. */
  repos?: RepoRef[];
  /** Pull mirrors whose upstream moved (default true); false only reports them as behind. */
  pull?: boolean;
  onEntry?: (entry: SyncEntry) => void;
}

const PAGE = 500;
const CONCURRENCY = 4;

/** Upstream-only entries and mirrored repos, found by paging through every repo in id order. */
async function* syncCandidates(
  hub: HubScope,
  only?: RepoRef[],
): AsyncGenerator<{ repo: Repo; mirror?: MirrorInfo }> {
  const consider = async (repo: Repo) => {
    if (repo.origin === "upstream") return { repo };
    const mirror = mirrorInfoOf(await defaultBranchHead(hub, repo));
    return mirror ? { repo, mirror } : undefined;
  };
  if (only) {
    for (const ref of only) {
      const repo = await hub.catalog.repos.get(ref);
      const candidate = repo && (await consider(repo));
      if (candidate) yield candidate;
    }
    return;
  }
  for (const type of REPO_TYPES) {
    let after: { value: string | number; pk: number } | undefined;
    for (;;) {
      const page = await hub.catalog.repos.list({
        type,
        visibleNamespaces: "all",
        sort: "id",
        descending: false,
        limit: PAGE,
        ...(after ? { after } : {}),
      });
      for (const repo of page) {
        const candidate = await consider(repo);
        if (candidate) yield candidate;
      }
      if (page.length < PAGE) break;
      const last = page[page.length - 1]!;
      after = { value: last.id, pk: last.pk };
    }
  }
}

/**
 * Refreshes what the upstream says about upstream-only catalog entries (downloads, likes, last change,
 * gating) and about mirrored repos (downloads, likes, gating): the downloads and likes are kept dated and
 * labelled with the upstream's endpoint, apart from Hangar's own counts, and listed as their sum; a mirror whose upstream revision moved is pulled again with the file
 * selection it was made with, so `sync` keeps a team's mirrors current. An unreachable upstream stops the
 * sync with that error; other failures are reported per repo.
 */
export async function syncFromUpstream(hub: HubContext, params: SyncParams = {}): Promise<SyncEntry[]> {
  const upstream: Upstream = {
    endpoint: hub.config.upstream.endpoint,
    ...(hub.config.upstream.token ? { token: hub.config.upstream.token } : {}),
  };
  const results: SyncEntry[] = [];
  const candidates = syncCandidates(hub, params.repos);
  let stop: unknown;
  const worker = async () => {
    for (
      let next = await candidates.next();
      !next.done && stop === undefined;
      next = await candidates.next()
    ) {
      const entry = await syncOne(
        hub,
        upstream,
        next.value.repo,
        next.value.mirror,
        params.pull ?? true,
      ).catch((error: unknown) => {
        if (upstreamFailure(error) === "unreachable") stop = error;
        return undefined;
      });
      if (!entry) continue;
      results.push(entry);
      params.onEntry?.(entry);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (stop !== undefined) throw stop;
  return results.sort((a, b) => (a.repo < b.repo ? -1 : a.repo > b.repo ? 1 : 0));
}

async function syncOne(
  hub: HubContext,
  upstream: Upstream,
  repo: Repo,
  mirror: MirrorInfo | undefined,
  pull: boolean,
): Promise<SyncEntry> {
  const base = { repo: repo.id, type: repo.type, kind: mirror ? "mirror" : "entry" } as const;
  // A mirror follows the revision it was pulled from; a pinned commit id never moves.
  const revision = mirror && mirror.revision !== "main" ? mirror.revision : undefined;
  const ref = mirror ? parseRepoId(mirror.repo, mirror.type) : repo;
  let info: Awaited<ReturnType<typeof fetchUpstreamRepoInfo>>;
  try {
    info = await fetchUpstreamRepoInfo(upstream, ref, revision);
  } catch (error) {
    const failure = upstreamFailure(error);
    if (failure === "unreachable") throw error;
    return {
      ...base,
      status: failure === "missing" || failure === "auth" || failure === "gated" ? "missing" : "failed",
      message: (error as Error).message,
    };
  }
  await hub.catalog.repos.setUpstreamFigures(repo.pk, {
    // A mirror's last change is its own head commit's date; an entry's is the upstream's.
    ...(!mirror && info.lastModified ? { lastModified: info.lastModified } : {}),
    gated: info.gated,
  });
  // Downloads and likes: the upstream's, dated and labelled, beside Hangar's own counts (which they add to).
  await recordUpstreamPopularity(hub.catalog, repo.pk, info, upstream.endpoint);
  const figures = {
    ...(info.downloads !== undefined ? { upstreamDownloads: info.downloads } : {}),
    ...(info.likes !== undefined ? { upstreamLikes: info.likes } : {}),
  };
  if (!mirror) {
    // The entry's popularity figures are now the upstream's of today, no longer the bundled snapshot's.
    const facts = await hub.catalog.facts.get(repo.pk);
    if (facts) {
      await hub.catalog.facts.set(repo.pk, {
        ...facts,
        snapshotDate: nowIso(),
        snapshotSource: upstream.endpoint,
      });
    }
    return { ...base, status: "refreshed", upstreamSha: info.sha, ...figures };
  }
  if (info.sha === mirror.commit) return { ...base, status: "current", upstreamSha: info.sha, ...figures };
  if (!pull)
    return { ...base, status: "behind", upstreamSha: info.sha, previousSha: mirror.commit, ...figures };
  try {
    await pullRepo(hub, {
      repo: mirror.repo,
      type: mirror.type,
      ...(revision ? { revision } : {}),
      endpoint: upstream.endpoint,
      ...(mirror.partial ? { selections: mirror.filters, include: [], exclude: [] } : {}),
    });
    return { ...base, status: "pulled", upstreamSha: info.sha, previousSha: mirror.commit, ...figures };
  } catch (error) {
    if (upstreamFailure(error) === "unreachable") throw error;
    return {
      ...base,
      status: "failed",
      upstreamSha: info.sha,
      message: (error as Error).message,
      ...figures,
    };
  }
}
