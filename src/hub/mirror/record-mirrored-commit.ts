import { HangarError } from "../../core/errors.ts";
import type { PathFilter } from "../../core/glob.ts";
import { nowIso } from "../../core/time.ts";
import type { CommitInfo, Repo, TreeFile } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import { refreshRepoHead, type StoredFile } from "../create-commit.ts";
import type { HubContext } from "../hub.ts";
import { acquireBlobLeases } from "../maintenance/blob-leases.ts";
import { extractMetadata } from "../metadata/extract-metadata.ts";
import { collectChangedMetadata, emptyChangedMetadata } from "../metadata/read-file-facts.ts";
import type { MirroredMetadata, MirrorInfo } from "./mirror-info.ts";
import { mirrorInfoOf } from "./mirror-info.ts";

export interface RecordMirroredCommitParams {
  repo: Repo;
  /** The upstream's commit id, kept as this commit's id. */
  oid: string;
  commit: { title: string; message: string; author: string; date: string };
  /** The pulled files, already in the blob store. */
  files: Array<{ path: string; file: StoredFile }>;
  /** The branch moved to the commit; its previous head becomes the commit's parent. */
  branch?: string;
  /** A tag that names the commit (a pull of a tag). */
  tag?: string;
  /** Point `main` at the commit when the repo has no `main` yet (a first pull of a tag or commit id). */
  defaultBranchIfMissing?: boolean;
  /** This pull's file selections (a file is pulled when any selects it); none means every file. */
  selections: Array<Required<PathFilter>>;
  upstream: Pick<MirrorInfo, "upstream" | "type" | "repo" | "revision" | "upstreamFiles">;
}

export interface RecordMirroredCommitResult {
  commit: CommitInfo;
  /** Whether the commit is new here (false when an earlier pull recorded it). */
  created: boolean;
  /** Files this pull added to the commit's tree. */
  added: number;
  mirror: MirrorInfo;
}

const byPath = (a: TreeFile, b: TreeFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Records a commit pulled from an upstream with the upstream's id, as one catalog transaction like
 * `createCommit`: the pulled tree is a snapshot, not a list of operations, and the parent is whatever this
 * repo's branch pointed at before (the previous pull), or nothing on a first pull. Pulling more files of a
 * commit recorded by a filtered pull adds them to its tree: the id stays, the tree grows towards the upstream's.
 */
export async function recordMirroredCommit(
  hub: HubContext,
  params: RecordMirroredCommitParams,
): Promise<RecordMirroredCommitResult> {
  const { repo, oid } = params;
  const commits = hub.catalog.commits;
  for (const { path } of params.files) validateRepoPath(path);

  const stored = await commits.getCommit(repo.pk, oid);
  const branchHead = params.branch
    ? (await commits.getRef(repo.pk, "branch", params.branch))?.commitOid
    : undefined;
  const parentOid = stored ? stored.parents[0] : branchHead !== oid ? branchHead : undefined;
  const parent = parentOid ? await commits.getCommit(repo.pk, parentOid) : undefined;
  const parentFiles = new Map(
    (parent ? await commits.listFiles(parent.pk) : []).map((file) => [file.path, file]),
  );
  const existing = new Map(
    (stored ? await commits.listFiles(stored.pk) : []).map((file) => [file.path, file]),
  );

  // The metadata of a grown commit builds on its own; a new commit's on its parent's.
  const base = stored ? existing : parentFiles;
  const changed = emptyChangedMetadata();
  const files = new Map(existing);
  let added = 0;
  for (const { path, file } of params.files) {
    if (existing.has(path)) continue;
    const previous = parentFiles.get(path);
    files.set(path, {
      path,
      ...file,
      lastCommit: previous?.gitOid === file.gitOid ? previous.lastCommit : oid,
    });
    added++;
    if (base.get(path)?.gitOid !== file.gitOid) {
      await collectChangedMetadata(hub.blobs, path, file, changed);
    }
  }

  const earlier = mirrorInfoOf(stored);
  const partial = files.size < params.upstream.upstreamFiles;
  const filters = new Map(
    [...(earlier?.filters ?? []), ...params.selections].map((filter) => [JSON.stringify(filter), filter]),
  );
  const mirror: MirrorInfo = {
    ...params.upstream,
    commit: oid,
    partial,
    filters: partial ? [...filters.values()] : [],
    files: files.size,
    pulledAt: nowIso(),
  };
  const baseMetadata = (stored ?? parent)?.metadata ?? {};
  const metadata: MirroredMetadata = {
    ...extractMetadata({
      files,
      changed: changed.documents,
      fileFacts: changed.files,
      parent: baseMetadata,
    }),
    mirror,
  };
  const ordered = [...files.values()].sort(byPath);

  const lease = await acquireBlobLeases(
    hub,
    ordered.map((file) => file.sha256),
  );
  try {
    return await hub.catalog.transaction(async (tx) => {
      await tx.maintenance.holdOffGc();
      await lease.assertStored();
      const at = nowIso();
      let commit: CommitInfo;
      if (stored) {
        commit = {
          oid,
          parents: stored.parents,
          author: stored.author,
          date: stored.date,
          title: stored.title,
          message: stored.message,
        };
        if (added > 0) await tx.commits.replaceTree(stored.pk, ordered);
        await tx.commits.setMetadata(stored.pk, metadata);
      } else {
        if (
          params.branch &&
          (await tx.commits.getRef(repo.pk, "branch", params.branch))?.commitOid !== branchHead
        ) {
          throw new HangarError(
            "HANGAR_ERR_PRECONDITION_FAILED",
            `${params.branch} of ${repo.id} moved while the pull ran; run the pull again`,
          );
        }
        commit = { oid, parents: parentOid ? [parentOid] : [], ...params.commit };
        const commitPk = await tx.commits.insertCommit(repo.pk, { ...commit, metadata });
        await tx.commits.insertTree(commitPk, ordered);
      }
      for (const file of ordered) await tx.commits.registerBlob(file.sha256, file.size, at);
      if (params.branch) await tx.commits.setRef(repo.pk, "branch", params.branch, oid, at);
      if (params.tag) await tx.commits.setRef(repo.pk, "tag", params.tag, oid, at);
      if (params.defaultBranchIfMissing && !(await tx.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH))) {
        await tx.commits.setRef(repo.pk, "branch", DEFAULT_BRANCH, oid, at);
      }
      if ((await tx.commits.getRef(repo.pk, "branch", DEFAULT_BRANCH))?.commitOid === oid) {
        await refreshRepoHead({ ...hub, catalog: tx }, repo, commit, metadata, ordered);
      }
      return { commit, created: !stored, added, mirror };
    });
  } finally {
    lease.release();
  }
}
