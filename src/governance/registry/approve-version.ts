import { badRequest, HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { ApprovalRow } from "../../store/registry-table.ts";
import { parseGates } from "./gates.ts";
import {
  assertRole,
  getReadableModel,
  modelId,
  type RegistryContext,
  roleInNamespace,
  validateVersion,
} from "./registry-context.ts";

export interface ApproveParams {
  name: string;
  version: number;
  comment?: string;
}

/**
 * Records the caller's approval of a version, with the role they hold in the model's namespace now (the
 * approvals gate counts those with the role it asks for). Needs at least that role (write by default).
 */
export async function approveVersion(
  hub: RegistryContext,
  caller: Caller,
  params: ApproveParams,
): Promise<ApprovalRow> {
  const number = validateVersion(params.version);
  if (params.comment !== undefined && (typeof params.comment !== "string" || params.comment.length > 1000))
    throw badRequest('"comment" must be a string of at most 1000 characters');
  const model = await getReadableModel(hub, caller, params.name);
  const needed = parseGates(model.gates).approvals?.role ?? "write";
  assertRole(caller, model.namespace, needed, "approve versions");
  const version = await hub.catalog.registry.getVersion(model.id, number);
  if (!version) throw new HangarError("HANGAR_ERR_NOT_FOUND", `${modelId(model)} has no version ${number}`);
  const approval: ApprovalRow = {
    modelId: model.id,
    version: number,
    user: caller!.user,
    role: roleInNamespace(caller, model.namespace)!,
    comment: params.comment ?? "",
    createdAt: nowIso(),
  };
  await hub.catalog.transaction(async (tx) => {
    await tx.registry.putApproval(approval);
    await recordAudit(tx, {
      caller,
      action: "registry.approve",
      target: `registry:${modelId(model)}`,
      details: { version: number, role: approval.role },
    });
  });
  return approval;
}
