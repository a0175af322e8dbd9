import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { HubScope } from "../../hub/hub.ts";
import { getReadableModel, modelId } from "./registry-context.ts";

export interface RepoVersionView {
  /** The registered model (`acme/support-classifier`). */
  model: string;
  version: number;
  commitOid: string;
  /** What the registration named (a branch, a tag or the commit). */
  revision: string;
  description: string;
  tags: Record<string, string>;
  createdAt: string;
  createdBy: string;
  /** The aliases that point at this version now. */
  aliases: string[];
  approvals: number;
}

/**
 * The registered versions that pin a repo the caller can read, across registered models (those the caller
 * may see), each with the aliases pointing at it now: what a model page shows as "registry".
 */
export async function listRepoVersions(
  hub: HubScope,
  caller: Caller,
  ref: RepoRef,
): Promise<RepoVersionView[]> {
  const repo = await getReadableRepo(hub, caller, ref);
  const versions = await hub.catalog.registry.listVersionsOfRepo(repo.pk);
  const views: RepoVersionView[] = [];
  const byModel = new Map<number, typeof versions>();
  for (const version of versions)
    byModel.set(version.modelId, [...(byModel.get(version.modelId) ?? []), version]);
  for (const [id, ofModel] of byModel) {
    const name = modelId({ namespace: ofModel[0]!.modelNamespace, name: ofModel[0]!.modelName });
    try {
      await getReadableModel(hub, caller, name);
    } catch {
      continue;
    }
    const aliases = await hub.catalog.registry.listAliases(id);
    const approvals = await hub.catalog.registry.listApprovals(id);
    for (const version of ofModel) {
      views.push({
        model: name,
        version: version.version,
        commitOid: version.commitOid,
        revision: version.revision,
        description: version.description,
        tags: version.tags,
        createdAt: version.createdAt,
        createdBy: version.createdBy,
        aliases: aliases.filter((alias) => alias.version === version.version).map((alias) => alias.alias),
        approvals: approvals.filter((approval) => approval.version === version.version).length,
      });
    }
  }
  return views;
}
