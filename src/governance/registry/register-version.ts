import { badRequest } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import { parseRepoId } from "../../core/validate.ts";
import { getReadableRepo } from "../../hub/access.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import { resolveRevision } from "../../hub/resolve-revision.ts";
import { securityRepoStatus } from "../../hub/scan/repo-scan-status.ts";
import type { ModelVersionRow } from "../../store/registry-table.ts";
import { SCANNER_RULES_VERSION } from "../scan/index.ts";
import { assertRole, modelId, parseModelName, type RegistryContext } from "./registry-context.ts";

export interface RegisterVersionParams {
  /** The registered model, `namespace/name`; created on its first version. */
  name: string;
  /** The model repo the version pins, `namespace/name`. */
  repo: string;
  /** Branch, tag or commit id; the default branch when absent. Pinned to its commit now. */
  revision?: string;
  description?: string;
  tags?: Record<string, string>;
}

function checkTags(tags: unknown): Record<string, string> {
  if (tags === undefined) return {};
  if (typeof tags !== "object" || tags === null || Array.isArray(tags))
    throw badRequest('"tags" must be an object of strings');
  for (const [key, value] of Object.entries(tags)) {
    if (key.length === 0 || key.length > 250)
      throw badRequest(`tag names must have 1 to 250 characters: "${key.slice(0, 40)}"`);
    if (typeof value !== "string" || value.length > 5000)
      throw badRequest(`the tag "${key}" must be a string of at most 5000 characters`);
  }
  return tags as Record<string, string>;
}

/**
 * Registers a new version of a model (creating the registered model on its first one): the repo's revision
 * resolved to its commit now, with the evidence known at this moment (scan verdicts of its files, the
 * evaluations recorded for that commit). Needs write rights in the registered model's namespace and read
 * access to the repo.
 */
export async function registerVersion(
  hub: RegistryContext,
  caller: Caller,
  params: RegisterVersionParams,
): Promise<ModelVersionRow> {
  const name = parseModelName(params.name);
  assertRole(caller, name.namespace, "write", "register model versions");
  if (typeof params.repo !== "string" || params.repo === "")
    throw badRequest('"repo" is required: a model repo id such as "acme/classifier"');
  if (params.description !== undefined && typeof params.description !== "string")
    throw badRequest('"description" must be a string');
  const tags = checkTags(params.tags);
  const repo = await getReadableRepo(hub, caller, parseRepoId(params.repo, "model"));
  const revision = params.revision ?? "main";
  const { commit } = await resolveRevision(hub, repo, revision);
  const files = await hub.catalog.scanResults.filesOf(commit.pk, SCANNER_RULES_VERSION);
  const evaluations = (await hub.catalog.evaluations.list({ modelRepoPk: repo.pk }, 1000))
    .filter((run) => run.modelCommit === commit.oid)
    .map((run) => ({
      id: run.id,
      dataset: run.dataset,
      datasetCommit: run.datasetCommit,
      task: run.task,
      metrics: run.metrics,
    }));
  const evidence = {
    scans: { rulesVersion: SCANNER_RULES_VERSION, ...securityRepoStatus(files) },
    evaluations,
  };
  return await hub.catalog.transaction(async (tx) => {
    const at = nowIso();
    const model = await tx.registry.insertModel({
      namespace: name.namespace,
      name: name.name,
      description: "",
      gates: {},
      createdAt: at,
      createdBy: caller!.user,
    });
    await tx.registry.lockModel(model.id);
    const version = await tx.registry.insertVersion({
      modelId: model.id,
      repoPk: repo.pk,
      repoId: repo.id,
      commitOid: commit.oid,
      revision,
      description: params.description ?? "",
      tags,
      evidence,
      createdAt: at,
      createdBy: caller!.user,
    });
    await recordAudit(tx, {
      caller,
      action: "registry.register",
      target: `registry:${modelId(model)}`,
      details: { version: version.version, repo: repo.id, revision, commit: commit.oid },
    });
    return version;
  });
}
