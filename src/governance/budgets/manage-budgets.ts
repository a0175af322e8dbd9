import { badRequest, HangarError } from "../../core/errors.ts";
import { checkOutboundUrl, outboundPolicy } from "../../core/outbound-url.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { HubContext } from "../../hub/hub.ts";
import {
  BUDGET_PERIODS,
  BUDGET_SCOPES,
  BUDGET_UNITS,
  type BudgetPeriod,
  type BudgetRow,
  type BudgetScope,
  type BudgetUnit,
} from "../../store/budgets-table.ts";
import { type ApiBudget, apiBudget, storedAmount } from "./budget-view.ts";
import { periodKey } from "./periods.ts";
import { newBudgetId } from "./spend-control.ts";

export interface SetBudgetParams {
  scope: BudgetScope;
  name: string;
  limit: number;
  unit: BudgetUnit;
  period: BudgetPeriod;
  /** Percentages of the limit that alert (default: the instance's, 50, 80 and 100). */
  thresholds?: number[];
  webhookUrl?: string | null;
  webhookSecret?: string | null;
}

function requireAdmin(caller: Caller, what: string): asserts caller is NonNullable<Caller> {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `${what} needs a token`);
  if (!caller.isAdmin) throw new HangarError("HANGAR_ERR_FORBIDDEN", `${what} is for administrators`);
}

function choice<T extends string>(value: unknown, field: string, choices: readonly T[]): T {
  if (typeof value !== "string" || !choices.includes(value as T)) {
    throw badRequest(`${field} must be one of ${choices.join(", ")}`, { details: { param: field } });
  }
  return value as T;
}

/** Checks a budget's fields; every message names the field. */
export function checkBudget(params: Record<string, unknown>, defaultThresholds: number[]): SetBudgetParams {
  const scope = choice(params.scope, "scope", BUDGET_SCOPES);
  const unit = choice(params.unit, "unit", BUDGET_UNITS);
  const period = choice(params.period, "period", BUDGET_PERIODS);
  if (typeof params.name !== "string" || params.name.trim() === "") {
    throw badRequest("name must name the user, organisation, token id, model or route the budget is for");
  }
  const name = params.name.trim();
  if (scope === "token" && !/^\d+$/.test(name))
    throw badRequest(`name must be a token id (a number) for a token budget, got "${name}"`);
  const limit = params.limit;
  if (typeof limit !== "number" || !Number.isFinite(limit) || limit < 0 || limit > 1e9) {
    throw badRequest("limit must be a number from 0 to 1000000000", { details: { param: "limit" } });
  }
  if (unit !== "usd" && !Number.isInteger(limit)) throw badRequest(`limit must be a whole number of ${unit}`);
  const thresholds = params.thresholds ?? defaultThresholds;
  if (
    !Array.isArray(thresholds) ||
    thresholds.some(
      (value) => typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 100,
    )
  ) {
    throw badRequest("thresholds must be a list of whole percentages from 1 to 100, e.g. [50, 80, 100]");
  }
  const webhookUrl = params.webhookUrl ?? null;
  if (webhookUrl !== null && typeof webhookUrl !== "string")
    throw badRequest("webhook_url must be an http(s) URL", { details: { field: "webhook_url" } });
  const webhookSecret = params.webhookSecret ?? null;
  if (webhookSecret !== null && (typeof webhookSecret !== "string" || webhookSecret.length < 8)) {
    throw badRequest("webhook_secret must be a string of at least 8 characters");
  }
  return {
    scope,
    name,
    limit,
    unit,
    period,
    thresholds: [...new Set(thresholds as number[])].sort((a, b) => a - b),
    webhookUrl: webhookUrl as string | null,
    webhookSecret: webhookSecret as string | null,
  };
}

/** Creates or replaces the budget of a scope, unit and period (administrators); audited as `budget.set`. */
export async function setBudget(
  hub: HubContext,
  caller: Caller,
  params: SetBudgetParams,
): Promise<ApiBudget> {
  requireAdmin(caller, "Setting a budget");
  if (params.webhookUrl) checkOutboundUrl(params.webhookUrl, outboundPolicy(hub.config), "webhook_url");
  const now = nowIso();
  const row: BudgetRow = {
    id: newBudgetId(),
    scopeKind: params.scope,
    scopeName: params.name,
    unit: params.unit,
    period: params.period,
    limitAmount: storedAmount(params.unit, params.limit),
    thresholds: params.thresholds ?? [50, 80, 100],
    webhookUrl: params.webhookUrl ?? null,
    webhookSecret: params.webhookSecret ?? null,
    createdBy: caller.user,
    createdAt: now,
    updatedAt: now,
  };
  const { stored, spend } = await hub.catalog.transaction(async (tx) => {
    const before = await tx.budgets.find(row.scopeKind, row.scopeName, row.unit, row.period);
    const stored = await tx.budgets.upsert(row);
    await recordAudit(tx, {
      caller,
      action: "budget.set",
      target: `budget:${stored.id}`,
      details: {
        scope: stored.scopeKind,
        name: stored.scopeName,
        unit: stored.unit,
        period: stored.period,
        limit: params.limit,
        previousLimit: before ? apiBudget(before, { spent: 0, reserved: 0 }).limit : null,
        thresholds: stored.thresholds,
        webhook: stored.webhookUrl !== null,
      },
    });
    return { stored, spend: await tx.budgets.spend(stored.id, periodKey(stored.period)) };
  });
  return apiBudget(stored, spend);
}

/** Budgets with their current period's spend: all of them for administrators, else those that apply to the caller. */
export async function listBudgets(hub: HubContext, caller: Caller): Promise<ApiBudget[]> {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Listing budgets needs a token");
  const all = await hub.catalog.budgets.list();
  const mine = caller.isAdmin
    ? all
    : all.filter(
        (budget) =>
          (budget.scopeKind === "user" && budget.scopeName.toLowerCase() === caller.user.toLowerCase()) ||
          (budget.scopeKind === "token" && budget.scopeName === String(caller.token.id)) ||
          (budget.scopeKind === "org" &&
            caller.orgs.some((org) => org.name.toLowerCase() === budget.scopeName.toLowerCase())),
      );
  const now = new Date();
  const views: ApiBudget[] = [];
  for (const budget of mine) {
    views.push(
      apiBudget(budget, await hub.catalog.budgets.spend(budget.id, periodKey(budget.period, now)), now),
    );
  }
  return views;
}

/** Removes a budget by id (administrators); audited as `budget.remove`. */
export async function removeBudget(hub: HubContext, caller: Caller, id: string): Promise<void> {
  requireAdmin(caller, "Removing a budget");
  await hub.catalog.transaction(async (tx) => {
    const budget = await tx.budgets.get(id);
    if (!budget)
      throw new HangarError("HANGAR_ERR_NOT_FOUND", `No budget ${id}: \`hangar budget list\` shows them`);
    await tx.budgets.remove(id);
    await recordAudit(tx, {
      caller,
      action: "budget.remove",
      target: `budget:${id}`,
      details: { scope: budget.scopeKind, name: budget.scopeName, unit: budget.unit, period: budget.period },
    });
  });
}
