import { badRequest } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import { DEFAULT_BRANCH } from "../../core/types.ts";
import { validateRepoPath } from "../../core/validate.ts";
import type { Caller } from "../accounts/principal.ts";
import { type CommitOperation, createCommit } from "../create-commit.ts";
import { type CreateRepoParams, createRepo } from "../create-repo.ts";
import type { HubContext } from "../hub.ts";

export interface InitialFile {
  path: string;
  content: Buffer;
}

/**
 * Creates a repo as `POST /api/repos/create` does: the initial commit, then, when the request carries a few
 * small files (the JS client's `files`), one more commit with them.
 */
export async function createRepoWithFiles(
  hub: HubContext,
  caller: Caller,
  params: CreateRepoParams & { files?: InitialFile[] },
): Promise<Repo> {
  const files = params.files ?? [];
  for (const file of files) validateRepoPath(file.path);
  if (files.length > hub.config.limits.maxFilesPerCommit) {
    throw badRequest(`At most ${hub.config.limits.maxFilesPerCommit} files can be sent at repo creation`);
  }
  const { files: _files, ...repoParams } = params;
  const repo = await createRepo(hub, caller, repoParams);
  if (files.length === 0) return repo;
  const operations: CommitOperation[] = [];
  for (const file of files) {
    const stored = await hub.blobs.put(file.content, { expectedSize: file.content.byteLength, gitOid: true });
    operations.push({
      kind: "put",
      path: file.path,
      file: { sha256: stored.sha256, size: stored.size, gitOid: stored.gitOid!, lfs: false },
    });
  }
  await createCommit(hub, {
    repo,
    revision: DEFAULT_BRANCH,
    operations,
    title: "Add files at creation",
    author: caller?.user ?? "hangar",
    caller,
  });
  return (await hub.catalog.repos.getByPk(repo.pk)) ?? repo;
}
