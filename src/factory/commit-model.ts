import { gitBlobOid, lfsPointerOid } from "../core/git-objects.ts";
import type { RepoRef } from "../core/types.ts";
import { DEFAULT_BRANCH } from "../core/types.ts";
import { localAdministrator } from "../hub/accounts/principal.ts";
import { type CommitOperation, type CreateCommitResult, createCommit } from "../hub/create-commit.ts";
import { createRepo } from "../hub/create-repo.ts";
import type { HubContext } from "../hub/hub.ts";
import { looksBinary } from "../hub/lfs-policy.ts";
import type { ModelFiles } from "./model-files.ts";

export interface CommitModelFilesParams {
  repo: RepoRef;
  files: ModelFiles;
  message: string;
  /** Called after each file is stored (big models take a while). */
  onFileStored?: (path: string, bytes: number) => void;
}

export interface CommitModelFilesResult extends CreateCommitResult {
  repoCreated: boolean;
}

/**
 * Writes a model's files into the hub as one commit on main: blobs first, then one commit, creating the repo
 * (in the admin's name) when it does not exist. Files identical to the head make no new commit.
 */
export async function commitModelFiles(
  hub: HubContext,
  params: CommitModelFilesParams,
): Promise<CommitModelFilesResult> {
  const caller = localAdministrator(params.repo.namespace);
  let repo = await hub.catalog.repos.get(params.repo);
  let repoCreated = false;
  if (!repo) {
    repo = await createRepo(hub, caller, { ...params.repo, author: params.repo.namespace });
    repoCreated = true;
  }
  const operations: CommitOperation[] = [];
  for (const [path, content] of Object.entries(params.files)) {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    const stored = await hub.blobs.put(bytes, { expectedSize: bytes.byteLength });
    const lfs = bytes.byteLength >= hub.config.limits.lfsThreshold || looksBinary(bytes.subarray(0, 8000));
    operations.push({
      kind: "put",
      path,
      file: {
        sha256: stored.sha256,
        size: bytes.byteLength,
        lfs,
        gitOid: lfs ? lfsPointerOid(stored.sha256, bytes.byteLength) : gitBlobOid(bytes),
      },
    });
    params.onFileStored?.(path, bytes.byteLength);
  }
  const result = await createCommit(hub, {
    repo,
    revision: DEFAULT_BRANCH,
    operations,
    title: params.message,
    author: params.repo.namespace,
    allowEmpty: false,
  });
  return { ...result, repoCreated };
}
