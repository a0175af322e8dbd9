import { readFile } from "node:fs/promises";
import type { RepoRef } from "../../src/core/types.ts";
import type { HubContext } from "../../src/hub/hub.ts";
import { resolveRevision } from "../../src/hub/resolve-revision.ts";
import type { ModelSource } from "../../src/inference/runtime/model-loader.ts";

/** A model's files at the head of main, read from the hub's own store, as the runtime hands them to a loader. */
export function modelSourceFromHub(hub: HubContext, ref: RepoRef): ModelSource {
  const repo = hub.catalog.repos.get(ref);
  if (!repo) throw new Error(`${ref.namespace}/${ref.name} is not in the hub`);
  const { commit } = resolveRevision(hub, repo, "main");
  const files = hub.catalog.commits.listFiles(commit.pk);
  const fileAt = (path: string) => {
    const file = files.find((entry) => entry.path === path);
    if (!file) throw new Error(`${path} is not in ${repo.id}`);
    return file;
  };
  return {
    repo,
    commit,
    files,
    metadata: commit.metadata,
    readFile: (path) => readFile(hub.blobs.pathOf(fileAt(path).sha256)),
    localPath: (path) => hub.blobs.pathOf(fileAt(path).sha256),
  };
}
