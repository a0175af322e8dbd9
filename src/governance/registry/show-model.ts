import { badRequest } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { AliasEventRow, AliasRow, ApprovalRow, ModelVersionRow } from "../../store/registry-table.ts";
import { type PromotionGates, parseGates } from "./gates.ts";
import {
  assertRole,
  getReadableModel,
  modelId,
  parseModelName,
  type RegistryContext,
} from "./registry-context.ts";

export interface RegisteredModelView {
  name: string;
  description: string;
  gates: PromotionGates;
  createdAt: string;
  createdBy: string;
  versions: Array<ModelVersionRow & { approvals: ApprovalRow[] }>;
  /** Where each alias points now. */
  aliases: Array<Pick<AliasRow, "alias" | "version" | "updatedAt">>;
}

/** A registered model with its versions (and their approvals and evidence), aliases and gates. */
export async function showModel(
  hub: RegistryContext,
  caller: Caller,
  name: string,
): Promise<RegisteredModelView> {
  const model = await getReadableModel(hub, caller, name);
  const approvals = await hub.catalog.registry.listApprovals(model.id);
  const versions = await hub.catalog.registry.listVersions(model.id);
  return {
    name: modelId(model),
    description: model.description,
    gates: parseGates(model.gates),
    createdAt: model.createdAt,
    createdBy: model.createdBy,
    versions: versions.map((version) => ({
      ...version,
      approvals: approvals.filter((approval) => approval.version === version.version),
    })),
    aliases: (await hub.catalog.registry.listAliases(model.id)).map(({ alias, version, updatedAt }) => ({
      alias,
      version,
      updatedAt,
    })),
  };
}

/** Every alias move of a model (of one alias when given), oldest first: who, when, from which version to which, why. */
export async function aliasHistory(
  hub: RegistryContext,
  caller: Caller,
  name: string,
  alias?: string,
): Promise<AliasEventRow[]> {
  const model = await getReadableModel(hub, caller, name);
  return await hub.catalog.registry.history(model.id, alias);
}

export interface ConfigureModelParams {
  name: string;
  description?: string;
  gates?: unknown;
}

/**
 * Sets a registered model's description and promotion gates (creating the model when new). Gates need the
 * admin role in the namespace, as a repo's settings do; the change is audited.
 */
export async function configureModel(
  hub: RegistryContext,
  caller: Caller,
  params: ConfigureModelParams,
): Promise<RegisteredModelView> {
  const name = parseModelName(params.name);
  assertRole(caller, name.namespace, "admin", "configure registered models");
  const gates = params.gates === undefined ? undefined : parseGates(params.gates);
  if (params.description !== undefined && typeof params.description !== "string")
    throw badRequest('"description" must be a string');
  await hub.catalog.transaction(async (tx) => {
    const model = await tx.registry.insertModel({
      namespace: name.namespace,
      name: name.name,
      description: params.description ?? "",
      gates: (gates ?? {}) as Record<string, unknown>,
      createdAt: nowIso(),
      createdBy: caller!.user,
    });
    await tx.registry.lockModel(model.id);
    await tx.registry.updateModel(model.id, {
      ...(params.description === undefined ? {} : { description: params.description }),
      ...(gates === undefined ? {} : { gates: gates as Record<string, unknown> }),
    });
    await recordAudit(tx, {
      caller,
      action: "registry.configure",
      target: `registry:${modelId(model)}`,
      details: {
        ...(params.description === undefined ? {} : { description: params.description }),
        ...(gates === undefined ? {} : { gates }),
      },
    });
  });
  return await showModel(hub, caller, params.name);
}
