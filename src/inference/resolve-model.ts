import { HangarError } from "../core/errors.ts";
import type { Repo } from "../core/types.ts";
import { parseRepoId } from "../core/validate.ts";
import { enforceInferenceLicence } from "../governance/licences/licence-gates.ts";
import { resolveModelReference } from "../governance/registry/resolve-model-reference.ts";
import { getReadableRepo } from "../hub/access.ts";
import type { Caller } from "../hub/accounts/principal.ts";
import type { HubContext } from "../hub/hub.ts";
import { resolveRevision } from "../hub/resolve-revision.ts";
import type { InferenceRegistry } from "./registry.ts";
import { localBlobPath } from "./runtime/local-blob-path.ts";
import type { ModelLoader, ModelSource } from "./runtime/model-loader.ts";

/** A model of this hub ready to load: its commit and files, the loader that runs it, and its tasks. */
export interface ResolvedModel {
  source: ModelSource;
  loader: ModelLoader;
  tasks: string[];
}

export interface ResolveModelParams {
  hub: HubContext;
  registry: InferenceRegistry;
  caller: Caller;
  /** `namespace/name` as the client sent it. */
  modelId: string;
  /** Branch, tag or commit id; `main` by default. */
  revision?: string;
}

/**
 * The one step between a model name a client sends and the files Hangar runs: the caller's read access,
 * the revision, the commit's files and the loader. Checks that gate local inference on a model (licences,
 * registry aliases) belong here, so every API and the evaluations pass through them.
 */
export async function resolveModelForInference(params: ResolveModelParams): Promise<ResolvedModel> {
  const { hub, registry, caller } = params;
  // `namespace/name@alias` names a registered model: the commit its alias pins now.
  const target = await resolveModelReference(hub, caller, params.modelId, params.revision);
  const ref = parseRepoId(target.repo, "model");
  const repo = await getReadableRepo(hub, caller, ref);
  // A catalog entry has facts but no commit: "Invalid rev id: main" would send the user looking for a typo.
  if (repo.origin === "upstream") throw modelNotPulled(repo);
  const { commit } = await resolveRevision(hub, repo, target.revision ?? "main");
  await enforceInferenceLicence(hub, caller, repo, commit.metadata);
  const files = await hub.catalog.commits.listFiles(commit.pk);
  const blobs = hub.blobs;
  const home = hub.config.home;
  const source: ModelSource = {
    repo,
    commit,
    files,
    metadata: commit.metadata,
    async readFile(path) {
      const file = files.find((entry) => entry.path === path);
      if (!file) throw new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `${repo.id} has no file ${path}`);
      return blobs.read(file.sha256);
    },
    async localPath(path) {
      const file = files.find((entry) => entry.path === path);
      if (!file) throw new HangarError("HANGAR_ERR_ENTRY_NOT_FOUND", `${repo.id} has no file ${path}`);
      return localBlobPath(blobs, home, file.sha256);
    },
  };
  for (const loader of registry.loaders) {
    const tasks = loader.tasksFor(source).filter((task) => registry.task(task));
    if (tasks.length > 0) return { source, loader, tasks };
  }
  const reason = commit.metadata.model?.runsLocallyReason;
  throw new HangarError(
    "HANGAR_ERR_BAD_REQUEST",
    `Model ${repo.id} cannot run on this Hangar${reason ? `: ${reason}` : ": it has no ONNX model with config.json and tokenizer files that a loader understands"}`,
  );
}

/** The error for a model known only from the catalog (metadata, no files), saying how to get its files. */
export function modelNotPulled(repo: Repo): HangarError {
  return new HangarError(
    "HANGAR_ERR_MODEL_NOT_PULLED",
    `${repo.id} is known from the catalog (metadata only): its files are not on this Hangar. ` +
      `\`hangar pull ${repo.id}\` fetches them from the upstream hub when a network is there`,
    { details: { repo: repo.id, pull: `hangar pull ${repo.id}` } },
  );
}
