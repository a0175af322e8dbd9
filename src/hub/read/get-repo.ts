import type { StoredCommit } from "../../core/catalog-types.ts";
import type { CommitMetadata, Repo, RepoRef, TreeFile } from "../../core/types.ts";
import { SCANNER_RULES_VERSION } from "../../governance/scan/types.ts";
import type { FileScan } from "../../store/scan-results-table.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { resolveRevision } from "../resolve-revision.ts";
import { type ModelSummary, summarizeModel } from "./model-summary.ts";

export interface GetRepoParams {
  ref: RepoRef;
  /** Branch, tag, commit id, `HEAD` or `refs/...`; the default branch when absent. */
  revision?: string;
  /** Loads each file's scan verdict (for `securityRepoStatus`). */
  security?: boolean;
}

export interface RepoDetails {
  repo: Repo;
  /** The commit the revision resolved to; absent for a repo without commits. */
  commit?: StoredCommit;
  files: TreeFile[];
  metadata: CommitMetadata;
  /** For models: what Hangar knows of the model (the `hangar` field). */
  summary?: ModelSummary;
  /** The files with their scan verdicts under the current rules, when asked for. */
  security?: FileScan[];
}

/**
 * A repo at a revision: its files and the metadata stored with the commit (never re-parsed here). A repo
 * without any commit (a catalog entry not mirrored yet) is described without files when no explicit revision
 * other than the default is asked for.
 */
export async function getRepo(hub: HubScope, caller: Caller, params: GetRepoParams): Promise<RepoDetails> {
  const repo = await getReadableRepo(hub, caller, params.ref);
  const revision = params.revision ?? "HEAD";
  const isDefault = revision === "HEAD" || revision === "main";
  if (isDefault && !repo.sha && !(await hub.catalog.commits.getRef(repo.pk, "branch", "main"))) {
    return { repo, files: [], metadata: {}, ...(await summaryOf(hub, repo, undefined)) };
  }
  const { commit } = await resolveRevision(hub, repo, revision);
  return {
    repo,
    commit,
    files: await hub.catalog.commits.listFiles(commit.pk),
    metadata: commit.metadata,
    ...(await summaryOf(hub, repo, commit.metadata)),
    ...(params.security
      ? { security: await hub.catalog.scanResults.filesOf(commit.pk, SCANNER_RULES_VERSION) }
      : {}),
  };
}

async function summaryOf(
  hub: HubScope,
  repo: Repo,
  metadata: CommitMetadata | undefined,
): Promise<{ summary?: ModelSummary }> {
  return repo.type === "model" ? { summary: await summarizeModel(hub, repo, metadata) } : {};
}
