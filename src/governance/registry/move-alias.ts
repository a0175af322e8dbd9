import { badRequest, HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { AliasEventRow, RegisteredModelRow } from "../../store/registry-table.ts";
import { checkGates, type GateResult, guards, parseGates } from "./gates.ts";
import {
  assertRole,
  getReadableModel,
  modelId,
  type RegistryContext,
  validateAlias,
  validateVersion,
} from "./registry-context.ts";

export interface PromoteParams {
  name: string;
  version: number;
  alias: string;
  reason?: string;
}

export interface Promotion {
  event: AliasEventRow;
  /** The gates that were checked (all passed). */
  gates: GateResult[];
}

function checkReason(reason: unknown): string {
  if (reason === undefined) return "";
  if (typeof reason !== "string" || reason.length > 1000)
    throw badRequest('"reason" must be a string of at most 1000 characters');
  return reason;
}

async function writableModel(
  hub: RegistryContext,
  caller: Caller,
  name: string,
  doing: string,
): Promise<RegisteredModelRow> {
  const model = await getReadableModel(hub, caller, name);
  assertRole(caller, model.namespace, "write", doing);
  return model;
}

/**
 * Points an alias at a version once every gate that guards the alias passes. A blocked promotion is
 * refused with 409 HANGAR_ERR_PROMOTION_BLOCKED naming the first gate that failed and why (all results in
 * `details.gates`), and is audited as denied. Needs write rights in the model's namespace.
 */
export async function promoteVersion(
  hub: RegistryContext,
  caller: Caller,
  params: PromoteParams,
): Promise<Promotion> {
  const alias = validateAlias(params.alias);
  const number = validateVersion(params.version);
  const reason = checkReason(params.reason);
  const model = await writableModel(hub, caller, params.name, "promote versions");
  const version = await hub.catalog.registry.getVersion(model.id, number);
  if (!version) throw new HangarError("HANGAR_ERR_NOT_FOUND", `${modelId(model)} has no version ${number}`);
  const gates = parseGates(model.gates);
  const results = guards(gates, alias) ? await checkGates(hub, gates, version) : [];
  const failed = results.find((result) => !result.passed);
  const target = `registry:${modelId(model)}@${alias}`;
  if (failed) {
    await hub.catalog.transaction((tx) =>
      recordAudit(tx, {
        caller,
        action: "registry.promote",
        target,
        outcome: "denied",
        details: { version: number, gate: failed.gate, reason: failed.reason },
      }),
    );
    throw new HangarError(
      "HANGAR_ERR_PROMOTION_BLOCKED",
      `Promotion of ${modelId(model)} version ${number} to "${alias}" is blocked by the ${failed.gate} gate: ${failed.reason}`,
      { details: { gate: failed.gate, reason: failed.reason, gates: results } },
    );
  }
  const event = await hub.catalog.transaction(async (tx) => {
    await tx.registry.lockModel(model.id);
    const current = await tx.registry.getAlias(model.id, alias);
    const moved = await tx.registry.moveAlias({
      modelId: model.id,
      alias,
      action: "promote",
      fromVersion: current?.version ?? null,
      toVersion: number,
      actor: caller!.user,
      reason,
      createdAt: nowIso(),
    });
    await recordAudit(tx, {
      caller,
      action: "registry.promote",
      target,
      details: { from: moved.fromVersion, to: number, reason, gates: results.map((result) => result.gate) },
    });
    return moved;
  });
  return { event, gates: results };
}

export interface RollbackParams {
  name: string;
  alias: string;
  reason?: string;
}

/**
 * The version an alias returns to on rollback: its history replayed as a stack, where each promotion that
 * changed the version pushes the one it replaced and each rollback pops one, so successive rollbacks keep
 * going back through the releases. Null when there is nothing before.
 */
export function versionBefore(history: readonly AliasEventRow[]): number | null {
  const stack: Array<number | null> = [];
  for (const event of history) {
    if (event.action === "rollback") stack.pop();
    else if (event.fromVersion !== event.toVersion) stack.push(event.fromVersion);
  }
  return stack.at(-1) ?? null;
}

/**
 * Moves an alias back to the version it pointed at before its current version was promoted, in one call and without the
 * gates (that version passed them, or was promoted before they existed): the way out of a bad release.
 */
export async function rollbackAlias(
  hub: RegistryContext,
  caller: Caller,
  params: RollbackParams,
): Promise<AliasEventRow> {
  const alias = validateAlias(params.alias);
  const reason = checkReason(params.reason);
  const model = await writableModel(hub, caller, params.name, "roll back aliases");
  return await hub.catalog.transaction(async (tx) => {
    await tx.registry.lockModel(model.id);
    const current = await tx.registry.getAlias(model.id, alias);
    if (!current) throw new HangarError("HANGAR_ERR_NOT_FOUND", `${modelId(model)} has no alias "${alias}"`);
    const back = versionBefore(await tx.registry.history(model.id, alias));
    if (back === null) {
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `The alias "${alias}" of ${modelId(model)} has no earlier version to roll back to (it is at version ${current.version})`,
      );
    }
    const event = await tx.registry.moveAlias({
      modelId: model.id,
      alias,
      action: "rollback",
      fromVersion: current.version,
      toVersion: back,
      actor: caller!.user,
      reason,
      createdAt: nowIso(),
    });
    await recordAudit(tx, {
      caller,
      action: "registry.rollback",
      target: `registry:${modelId(model)}@${alias}`,
      details: { from: current.version, to: back, reason },
    });
    return event;
  });
}
