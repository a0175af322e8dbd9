import { HangarError } from "../../core/errors.ts";
import { createPathFilter, type PathFilter } from "../../core/glob.ts";
import type { Repo, RepoRef, RepoType, TreeFile } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { isCommitId, parseRepoId } from "../../core/validate.ts";
import { localAdministrator } from "../accounts/principal.ts";
import type { StoredFile } from "../create-commit.ts";
import { createRepo } from "../create-repo.ts";
import type { HubContext } from "../hub.ts";
import { downloadUpstreamFile } from "./download-upstream-file.ts";
import { hasCommits, mirrorInfoOf } from "./mirror-info.ts";
import { recordMirroredCommit } from "./record-mirrored-commit.ts";
import {
  fetchUpstreamCommit,
  fetchUpstreamRepoInfo,
  listUpstreamFiles,
  repoLabel,
  type Upstream,
  upstreamFetch,
  upstreamFileUrl,
} from "./upstream-client.ts";

export interface PullProgress {
  filesDone: number;
  filesTotal: number;
  /** Bytes of the selected files in place so far (reused files count at once). */
  bytesDone: number;
  bytesTotal: number;
  /** The file being downloaded, if any. */
  path?: string;
}

export interface PullRepoParams {
  /** `namespace/name` on the upstream (and here). */
  repo: string;
  type?: RepoType;
  /** Branch, tag or commit id upstream; the default branch when absent. */
  revision?: string;
  include?: string[];
  exclude?: string[];
  /** The upstream (defaults to `config.upstream`). */
  endpoint?: string;
  token?: string;
  onProgress?: (progress: PullProgress) => void;
  /**
   * Further selections to keep (`hangar sync` re-pulls a partial mirror with the selections it was made
   * with): a file is pulled when any selection, or include/exclude, selects it.
   */
  selections?: Array<Required<PathFilter>>;
}

export interface PullRepoResult {
  repo: string;
  type: RepoType;
  /** The upstream commit, recorded here with the same id. */
  commit: string;
  /** Refs pointed at the commit (`main`, the pulled branch or tag). */
  refs: string[];
  repoCreated: boolean;
  /** Whether the commit is new here. */
  commitCreated: boolean;
  files: number;
  bytes: number;
  filesDownloaded: number;
  /** Bytes fetched over the network (a resumed file counts only its rest). */
  bytesDownloaded: number;
  filesReused: number;
  /** A filtered pull records the upstream commit with only the selected files. */
  partial: boolean;
  upstreamFiles: number;
}

const DOWNLOAD_CONCURRENCY = 4;

/** The local repo a pull writes into: a new one, an upstream-only catalog entry, or an earlier mirror. */
function mirrorTarget(hub: HubContext, ref: RepoRef): Repo | undefined {
  const repo = hub.catalog.repos.get(ref);
  if (!repo || repo.origin === "upstream" || !hasCommits(hub, repo)) return repo;
  const refs = hub.catalog.commits.listRefs(repo.pk);
  const mirrored = refs.some((row) => mirrorInfoOf(hub.catalog.commits.getCommit(repo.pk, row.commitOid)));
  if (!mirrored) {
    throw new HangarError(
      "HANGAR_ERR_CONFLICT",
      `${repoLabel(ref)} already exists here with its own commits; a pull only updates repos made by a pull`,
    );
  }
  return repo;
}

/** Files of this repo's commits by git blob id, so unchanged regular files are not downloaded again. */
function knownFiles(hub: HubContext, repo: Repo | undefined): Map<string, TreeFile> {
  const known = new Map<string, TreeFile>();
  if (!repo) return known;
  const commits = hub.catalog.commits;
  for (const row of commits.listRefs(repo.pk)) {
    const commit = commits.getCommit(repo.pk, row.commitOid);
    if (!commit) continue;
    for (const file of commits.listFiles(commit.pk)) known.set(file.gitOid, file);
  }
  return known;
}

/** Runs `work` over the items a few at a time; after a failure no new item starts, and the first error is thrown once every running one has ended. */
async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failure) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}

/**
 * Copies a repo from an upstream hub: the commit the revision points at upstream is recorded here with the
 * upstream's id, author, date and message, and every (selected) file with the same bytes, verified against
 * the upstream's sha256 or git id. Files already stored are not downloaded again, and an interrupted
 * download resumes where it stopped on the next run.
 */
export async function pullRepo(hub: HubContext, params: PullRepoParams): Promise<PullRepoResult> {
  const ref = parseRepoId(params.repo, params.type ?? "model");
  const upstream: Upstream = {
    endpoint: (params.endpoint ?? hub.config.upstream.endpoint).replace(/\/+$/, ""),
    ...((params.token ?? hub.config.upstream.token)
      ? { token: params.token ?? hub.config.upstream.token }
      : {}),
  };
  const revision = params.revision && params.revision !== "HEAD" ? params.revision : undefined;
  mirrorTarget(hub, ref);

  const info = await fetchUpstreamRepoInfo(upstream, ref, revision);
  const listed = await listUpstreamFiles(upstream, ref, info.sha);
  const filter: Required<PathFilter> = { include: params.include ?? [], exclude: params.exclude ?? [] };
  const selections = [
    ...(filter.include.length > 0 || filter.exclude.length > 0 ? [filter] : []),
    ...(params.selections ?? []),
  ];
  const matchers = selections.map(createPathFilter);
  const selected =
    matchers.length === 0
      ? listed
      : listed.filter((entry) => matchers.some((matches) => matches(entry.path)));
  const details = await fetchUpstreamCommit(upstream, ref, info.sha);

  const progress: PullProgress = {
    filesDone: 0,
    filesTotal: selected.length,
    bytesDone: 0,
    bytesTotal: selected.reduce((total, entry) => total + entry.size, 0),
  };
  params.onProgress?.(progress);
  const known = knownFiles(hub, hub.catalog.repos.get(ref));
  const fetchImpl = upstreamFetch(upstream, repoLabel(ref));
  const pulled: Array<{ path: string; file: StoredFile }> = [];
  let filesDownloaded = 0;
  let bytesDownloaded = 0;
  await mapLimit(selected, DOWNLOAD_CONCURRENCY, async (entry) => {
    const lfs = entry.lfs;
    const gitOid = entry.oid;
    if (!gitOid) {
      throw new HangarError("HANGAR_ERR_UPSTREAM", `The upstream lists no git id for ${entry.path}`);
    }
    const candidate = lfs ? lfs.oid : known.get(gitOid)?.sha256;
    let sha256 = candidate && (await hub.blobs.sizeOf(candidate)) === entry.size ? candidate : undefined;
    if (sha256) {
      progress.bytesDone += entry.size;
    } else {
      progress.path = entry.path;
      const downloaded = await downloadUpstreamFile(
        hub,
        fetchImpl,
        {
          url: upstreamFileUrl(upstream, ref, info.sha, entry.path),
          path: entry.path,
          size: entry.size,
          gitOid,
          ...(lfs ? { sha256: lfs.oid } : {}),
        },
        (bytes) => {
          progress.bytesDone += bytes;
          params.onProgress?.(progress);
        },
      );
      sha256 = downloaded.sha256;
      filesDownloaded++;
      bytesDownloaded += downloaded.fetchedBytes;
      // A resumed file's earlier bytes count as done now.
      progress.bytesDone += entry.size - downloaded.fetchedBytes;
    }
    pulled.push({ path: entry.path, file: { sha256, size: entry.size, gitOid, lfs: Boolean(lfs) } });
    progress.filesDone++;
    params.onProgress?.(progress);
  });

  // The repo row is made only once every byte is here, so a failed pull leaves no empty repo behind.
  let repo = mirrorTarget(hub, ref);
  let repoCreated = false;
  if (!repo) {
    repo = await createRepo(hub, localAdministrator(), {
      ...ref,
      private: info.private,
      gated: info.gated,
      initialCommit: false,
    });
    repoCreated = true;
  } else {
    hub.catalog.repos.updateSettings(repo.pk, { private: info.private, gated: info.gated });
  }

  // A commit id or a pull-request ref names no branch or tag to record.
  const isSha = revision !== undefined && (isCommitId(revision) || revision.startsWith("refs/pr/"));
  const isTag = revision !== undefined && !isSha && (await upstreamHasTag(revision, info.sha));
  const branch =
    revision === undefined ? DEFAULT_BRANCH : !isSha && !isTag ? branchName(revision) : undefined;
  const tag = isTag ? revision!.replace(/^refs\/tags\//, "") : undefined;
  const recorded = await recordMirroredCommit(hub, {
    repo,
    oid: info.sha,
    commit: details ?? {
      title: `Mirror of ${ref.namespace}/${ref.name}`,
      message: `Mirror of ${ref.namespace}/${ref.name}`,
      author: "upstream",
      date: info.lastModified ?? new Date().toISOString(),
    },
    files: pulled,
    ...(branch ? { branch } : {}),
    ...(tag ? { tag } : {}),
    defaultBranchIfMissing: true,
    selections,
    upstream: {
      upstream: upstream.endpoint,
      type: ref.type,
      repo: `${ref.namespace}/${ref.name}`,
      revision: revision ?? DEFAULT_BRANCH,
      upstreamFiles: listed.length,
    },
  });
  hub.catalog.repos.setUpstreamFigures(repo.pk, {
    ...(info.downloads !== undefined ? { downloads: info.downloads } : {}),
    ...(info.likes !== undefined ? { likes: info.likes } : {}),
  });
  const refs = [branch, tag ? `refs/tags/${tag}` : undefined].filter((name): name is string => Boolean(name));
  if (!branch && hub.catalog.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH)?.commitOid === info.sha) {
    refs.unshift(DEFAULT_BRANCH);
  }
  return {
    repo: `${ref.namespace}/${ref.name}`,
    type: ref.type,
    commit: info.sha,
    refs,
    repoCreated,
    commitCreated: recorded.created,
    files: recorded.mirror.files,
    bytes: progress.bytesTotal,
    filesDownloaded,
    bytesDownloaded,
    filesReused: selected.length - filesDownloaded,
    partial: recorded.mirror.partial,
    upstreamFiles: listed.length,
  };

  /** A revision that is neither a commit id nor a branch upstream names a tag. */
  async function upstreamHasTag(name: string, sha: string): Promise<boolean> {
    if (name.startsWith("refs/tags/")) return true;
    if (name.startsWith("refs/heads/")) return false;
    const refsUrl = `${upstream.endpoint}/api/${ref.type}s/${ref.namespace}/${ref.name}/refs`;
    const response = await fetchImpl(refsUrl);
    const body = (await response.json()) as {
      branches?: Array<{ name: string }>;
      tags?: Array<{ name: string; targetCommit: string }>;
    };
    if (body.branches?.some((row) => row.name === name)) return false;
    return Boolean(body.tags?.some((row) => row.name === name && row.targetCommit === sha));
  }
}

function branchName(revision: string): string {
  return revision.replace(/^refs\/heads\//, "");
}
