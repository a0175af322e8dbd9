import { HangarError } from "../core/errors.ts";
import { buildHangarCommit, commitDate, gitBlobOid } from "../core/git-objects.ts";
import { nowIso } from "../core/time.ts";
import type { GatedMode, Repo, RepoRef, TreeFile } from "../core/types.ts";
import { DEFAULT_BRANCH } from "../core/types.ts";
import { repoUrlPrefix, validateName, validateNamespace } from "../core/validate.ts";
import { assertCanWrite } from "./access.ts";
import type { Caller } from "./accounts/principal.ts";
import { recordAudit, repoTarget } from "./audit/record-audit.ts";
import { refreshRepoHead } from "./create-commit.ts";
import { emitHubEvent } from "./events/emit-hub-event.ts";
import type { HubContext } from "./hub.ts";

/** Binary formats a new repo stores through LFS, like the `.gitattributes` the Hub writes. */
const LFS_PATTERNS = [
  "*.7z",
  "*.arrow",
  "*.bin",
  "*.bz2",
  "*.ckpt",
  "*.ftz",
  "*.gguf",
  "*.gz",
  "*.h5",
  "*.joblib",
  "*.lfs.*",
  "*.mlmodel",
  "*.model",
  "*.msgpack",
  "*.npy",
  "*.npz",
  "*.onnx",
  "*.ot",
  "*.parquet",
  "*.pb",
  "*.pickle",
  "*.pkl",
  "*.pt",
  "*.pth",
  "*.rar",
  "*.safetensors",
  "saved_model/**/*",
  "*.tar.*",
  "*.tar",
  "*.tflite",
  "*.tgz",
  "*.wasm",
  "*.xz",
  "*.zip",
  "*.zst",
  "*tfevents*",
];
export const DEFAULT_GITATTRIBUTES = `${LFS_PATTERNS.map((pattern) => `${pattern} filter=lfs diff=lfs merge=lfs -text`).join("\n")}\n`;

export interface CreateRepoParams extends RepoRef {
  private?: boolean;
  gated?: GatedMode;
  /** Author of the initial commit. */
  author?: string;
  /** Whether to make the Hub's initial commit (`.gitattributes`). Mirroring creates repos without it. */
  initialCommit?: boolean;
}

/** The URL of a repo on a given base URL (`{base}/{prefix}{namespace}/{name}`). */
export function repoUrl(baseUrl: string, repo: RepoRef): string {
  return `${baseUrl}/${repoUrlPrefix(repo.type)}${repo.namespace}/${repo.name}`;
}

/**
 * Creates a repository. The namespace must be the caller's or one of its organisations; an admin may create
 * repos in a namespace that does not exist yet, which then becomes an organisation.
 */
export async function createRepo(hub: HubContext, caller: Caller, params: CreateRepoParams): Promise<Repo> {
  validateNamespace(params.namespace);
  validateName(params.name, "repo name");
  assertCanWrite(caller, params.namespace);
  const blob = Buffer.from(DEFAULT_GITATTRIBUTES);
  const stored =
    params.initialCommit === false ? undefined : await hub.blobs.put(blob, { expectedSize: blob.byteLength });
  return await hub.catalog.transaction(async (tx) => {
    const existing = await tx.repos.get(params);
    // A catalog entry known only from upstream metadata holds the id until someone puts files there.
    const takeOver = existing?.origin === "upstream" && (await tx.commits.listRefs(existing.pk)).length === 0;
    if (existing && !takeOver) {
      throw new HangarError("HANGAR_ERR_CONFLICT", `You already created this ${params.type} repo`, {
        details: { repoId: existing.id },
      });
    }
    if (!(await tx.accounts.getNamespace(params.namespace))) {
      await tx.accounts.insertNamespace({
        name: params.namespace,
        kind: "org",
        fullname: params.namespace,
        email: null,
        isAdmin: false,
        createdAt: nowIso(),
      });
    }
    const createdAt = nowIso();
    let repo: Repo;
    if (existing && takeOver) {
      await tx.repos.updateSettings(existing.pk, {
        private: params.private ?? false,
        gated: params.gated ?? false,
      });
      repo = existing;
    } else {
      repo = await tx.repos.insert({ ...params, private: params.private ?? false, createdAt });
    }
    if (stored) {
      const author = params.author ?? caller?.user ?? "hangar";
      const files: TreeFile[] = [
        {
          path: ".gitattributes",
          gitOid: gitBlobOid(blob),
          size: stored.size,
          sha256: stored.sha256,
          lfs: false,
          lastCommit: "",
        },
      ];
      const message = "initial commit";
      const date = commitDate(new Date(createdAt));
      const built = buildHangarCommit({ files, parents: [], author, date, message });
      const oid = built.oid;
      for (const file of files) file.lastCommit = oid;
      const commit = { oid, parents: [], author, date, title: message, message };
      const commitPk = await tx.commits.insertCommit(repo.pk, { ...commit, metadata: {} });
      await tx.commits.insertTree(commitPk, files);
      await tx.commits.insertGitObjects(repo.pk, [...built.trees.objects, built.commit]);
      await tx.commits.registerBlob(stored.sha256, stored.size, createdAt);
      await tx.commits.setRef(repo.pk, "branch", DEFAULT_BRANCH, oid, createdAt);
      await refreshRepoHead({ ...hub, catalog: tx }, repo, commit, {}, files);
    }
    await recordAudit(tx, {
      caller,
      action: "repo.create",
      target: repoTarget(params),
      details: { private: params.private ?? false },
    });
    const created = (await tx.repos.getByPk(repo.pk))!;
    await emitHubEvent({ ...hub, catalog: tx }, { scope: "repo", action: "create", repo: created });
    return created;
  });
}
