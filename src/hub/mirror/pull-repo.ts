import type { ListFileEntry } from "@huggingface/hub";
import { HangarError } from "../../core/errors.ts";
import { createPathFilter, type PathFilter } from "../../core/glob.ts";
import type { Repo, RepoRef, RepoType, TreeFile } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { isCommitId, parseRepoId } from "../../core/validate.ts";
import { localAdministrator } from "../accounts/principal.ts";
import type { StoredFile } from "../create-commit.ts";
import { createRepo } from "../create-repo.ts";
import type { HubContext, HubScope } from "../hub.ts";
import { acquireBlobLeases, type BlobLease } from "../maintenance/blob-leases.ts";
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
import { recordUpstreamPopularity } from "./upstream-popularity.ts";

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
  /** The licence policy's warning for a licence under review (absent when there is none). */
  licenceWarning?: string;
}

const DOWNLOAD_CONCURRENCY = 4;

/** The local repo a pull writes into: a new one, an upstream-only catalog entry, or an earlier mirror. */
async function mirrorTarget(hub: HubScope, ref: RepoRef): Promise<Repo | undefined> {
  const repo = await hub.catalog.repos.get(ref);
  if (!repo || repo.origin === "upstream" || !(await hasCommits(hub, repo))) return repo;
  const refs = await hub.catalog.commits.listRefs(repo.pk);
  let mirrored = false;
  for (const row of refs) {
    if (mirrorInfoOf(await hub.catalog.commits.getCommit(repo.pk, row.commitOid))) mirrored = true;
  }
  if (!mirrored) {
    throw new HangarError(
      "HANGAR_ERR_CONFLICT",
      `${repoLabel(ref)} already exists here with its own commits; a pull only updates repos made by a pull`,
    );
  }
  return repo;
}

/** Files of this repo's commits by git blob id, so unchanged regular files are not downloaded again. */
async function knownFiles(hub: HubScope, repo: Repo | undefined): Promise<Map<string, TreeFile>> {
  const known = new Map<string, TreeFile>();
  if (!repo) return known;
  const commits = hub.catalog.commits;
  for (const row of await commits.listRefs(repo.pk)) {
    const commit = await commits.getCommit(repo.pk, row.commitOid);
    if (!commit) continue;
    for (const file of await commits.listFiles(commit.pk)) known.set(file.gitOid, file);
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

/** What a pull places: the selected files, found here or fetched, and what it cost. */
interface FetchedFiles {
  files: Array<{ path: string; file: StoredFile }>;
  filesDownloaded: number;
  bytesDownloaded: number;
}

async function fetchFiles(
  hub: HubContext,
  upstream: Upstream,
  ref: RepoRef,
  sha: string,
  selected: readonly ListFileEntry[],
  leases: BlobLease[],
  onProgress?: (progress: PullProgress) => void,
): Promise<FetchedFiles> {
  const progress: PullProgress = {
    filesDone: 0,
    filesTotal: selected.length,
    bytesDone: 0,
    bytesTotal: selected.reduce((total, entry) => total + entry.size, 0),
  };
  onProgress?.(progress);
  const known = await knownFiles(hub, await hub.catalog.repos.get(ref));
  const fetchImpl = upstreamFetch(upstream, repoLabel(ref));
  const fetched: FetchedFiles = { files: [], filesDownloaded: 0, bytesDownloaded: 0 };
  await mapLimit(selected, DOWNLOAD_CONCURRENCY, async (entry) => {
    const lfs = entry.lfs;
    const gitOid = entry.oid;
    if (!gitOid) {
      throw new HangarError("HANGAR_ERR_UPSTREAM", `The upstream lists no git id for ${entry.path}`);
    }
    const candidate = lfs ? lfs.oid : known.get(gitOid)?.sha256;
    if (candidate) leases.push(await acquireBlobLeases(hub, [candidate]));
    let sha256 = candidate && (await hub.blobs.sizeOf(candidate)) === entry.size ? candidate : undefined;
    if (sha256) {
      progress.bytesDone += entry.size;
    } else {
      progress.path = entry.path;
      const downloaded = await downloadUpstreamFile(
        hub,
        fetchImpl,
        {
          url: upstreamFileUrl(upstream, ref, sha, entry.path),
          path: entry.path,
          size: entry.size,
          gitOid,
          ...(lfs ? { sha256: lfs.oid } : {}),
        },
        (bytes) => {
          progress.bytesDone += bytes;
          onProgress?.(progress);
        },
      );
      sha256 = downloaded.sha256;
      if (sha256 !== candidate) leases.push(await acquireBlobLeases(hub, [sha256]));
      fetched.filesDownloaded++;
      fetched.bytesDownloaded += downloaded.fetchedBytes;
      // A resumed file's earlier bytes count as done now.
      progress.bytesDone += entry.size - downloaded.fetchedBytes;
    }
    fetched.files.push({ path: entry.path, file: { sha256, size: entry.size, gitOid, lfs: Boolean(lfs) } });
    progress.filesDone++;
    onProgress?.(progress);
  });
  return fetched;
}

/**
 * The refs a pulled revision moves: the default branch when none is named, the named branch, or the named
 * tag. A commit id or a pull-request ref names neither.
 */
async function refsToMove(
  upstream: Upstream,
  ref: RepoRef,
  revision: string | undefined,
  sha: string,
): Promise<{ branch?: string; tag?: string }> {
  if (revision === undefined) return { branch: DEFAULT_BRANCH };
  if (isCommitId(revision) || revision.startsWith("refs/pr/")) return {};
  if (revision.startsWith("refs/heads/")) return { branch: revision.slice("refs/heads/".length) };
  if (revision.startsWith("refs/tags/")) return { tag: revision.slice("refs/tags/".length) };
  // A plain name resolves to a branch before a tag, as on the Hub.
  const response = await upstreamFetch(
    upstream,
    repoLabel(ref),
  )(`${upstream.endpoint}/api/${ref.type}s/${ref.namespace}/${ref.name}/refs`);
  const refs = (await response.json()) as {
    branches?: Array<{ name: string }>;
    tags?: Array<{ name: string; targetCommit: string }>;
  };
  if (refs.branches?.some((row) => row.name === revision)) return { branch: revision };
  if (refs.tags?.some((row) => row.name === revision && row.targetCommit === sha)) return { tag: revision };
  return {};
}

/**
 * Copies a repo from an upstream hub: the commit the revision points at upstream is recorded here with the
 * upstream's id, author, date and message, and every (selected) file with the same bytes, verified against
 * the upstream's sha256 or git id. Files already stored are not downloaded again, and an interrupted
 * download resumes where it stopped on the next run.
 */
export async function pullRepo(hub: HubContext, params: PullRepoParams): Promise<PullRepoResult> {
  const ref = parseRepoId(params.repo, params.type ?? "model");
  const token = params.token ?? hub.config.upstream.token;
  const upstream: Upstream = {
    endpoint: (params.endpoint ?? hub.config.upstream.endpoint).replace(/\/+$/, ""),
    ...(token ? { token } : {}),
  };
  const revision = params.revision && params.revision !== "HEAD" ? params.revision : undefined;
  await mirrorTarget(hub, ref);

  const info = await fetchUpstreamRepoInfo(upstream, ref, revision);
  // Before a byte is fetched: a licence the policy denies stops the pull here (403), nothing stored.
  const licence = await hub.licences?.beforePull(hub, {
    repo: `${ref.namespace}/${ref.name}`,
    type: ref.type,
    license: info.license,
    baseModels: info.baseModels,
  });
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
  const { branch, tag } = await refsToMove(upstream, ref, revision, info.sha);

  // Blobs found or fetched are leased until the commit references them, so gc cannot take them in between.
  const leases: BlobLease[] = [];
  try {
    const fetched = await fetchFiles(hub, upstream, ref, info.sha, selected, leases, params.onProgress);

    // The repo row is made only once every byte is here, so a failed pull leaves no empty repo behind.
    let repo = await mirrorTarget(hub, ref);
    let repoCreated = false;
    if (!repo) {
      repo = await createRepo(hub, localAdministrator(), {
        ...ref,
        private: info.private,
        gated: info.gated,
        initialCommit: false,
      });
      repoCreated = true;
    } else if (!(await hasCommits(hub, repo))) {
      // A catalog entry takes the upstream's visibility; an earlier mirror keeps whatever was set here.
      await hub.catalog.repos.updateSettings(repo.pk, { private: info.private, gated: info.gated });
    }

    const recorded = await recordMirroredCommit(hub, {
      repo,
      oid: info.sha,
      commit: details ?? {
        title: `Mirror of ${ref.namespace}/${ref.name}`,
        message: `Mirror of ${ref.namespace}/${ref.name}`,
        author: "upstream",
        date: info.lastModified ?? new Date().toISOString(),
      },
      files: fetched.files,
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
    await recordUpstreamPopularity(hub.catalog, repo.pk, info, upstream.endpoint);
    // The mirrored files are scanned in the background like committed ones.
    if (recorded.created) hub.scans?.notify?.();
    const refs = [
      ...(!branch &&
      (await hub.catalog.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH))?.commitOid === info.sha
        ? [DEFAULT_BRANCH]
        : []),
      ...(branch ? [branch] : []),
      ...(tag ? [`refs/tags/${tag}`] : []),
    ];
    return {
      repo: `${ref.namespace}/${ref.name}`,
      type: ref.type,
      commit: info.sha,
      refs,
      repoCreated,
      commitCreated: recorded.created,
      files: recorded.mirror.files,
      bytes: selected.reduce((total, entry) => total + entry.size, 0),
      filesDownloaded: fetched.filesDownloaded,
      bytesDownloaded: fetched.bytesDownloaded,
      filesReused: selected.length - fetched.filesDownloaded,
      partial: recorded.mirror.partial,
      upstreamFiles: listed.length,
      ...(licence?.warning ? { licenceWarning: licence.warning } : {}),
    };
  } finally {
    for (const lease of leases) lease.release();
  }
}
