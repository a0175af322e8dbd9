import { badRequest, HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import {
  USAGE_DIMENSIONS,
  type UsageDimension,
  type UsageReportQuery,
} from "../../store/usage-report-sql.ts";
import { usdOf } from "../pricing/price-book.ts";
import type { ApiBudget } from "./budget-view.ts";
import { listBudgets } from "./manage-budgets.ts";

export interface UsageReportParams {
  groupBy?: string[];
  from?: string;
  to?: string;
  user?: string;
  org?: string;
  token?: string;
  model?: string;
  route?: string;
}

export interface ApiUsageGroup {
  [dimension: string]: string | number | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  compute_seconds: number;
  cost_usd: number;
}

export interface UsageReport {
  group_by: UsageDimension[];
  from: string | null;
  to: string | null;
  groups: ApiUsageGroup[];
  totals: ApiUsageGroup;
  budgets: ApiBudget[];
}

function isoTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw badRequest(`${field} must be an ISO date or time, got "${value}"`, { details: { param: field } });
  return new Date(time).toISOString();
}

/**
 * Metered requests, tokens, compute time and cost grouped by user, organisation, token, model, route or
 * day, and spend against each budget. Callers see their own usage (and their budgets); administrators all.
 */
export async function usageReport(
  hangar: Hangar,
  caller: Caller,
  params: UsageReportParams,
): Promise<UsageReport> {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Usage reports need a token");
  const groupBy = (params.groupBy ?? []).map((dimension) => {
    if (!(USAGE_DIMENSIONS as readonly string[]).includes(dimension)) {
      throw badRequest(
        `group_by must be a comma-separated list of ${USAGE_DIMENSIONS.join(", ")}, got "${dimension}"`,
        {
          details: { param: "group_by" },
        },
      );
    }
    return dimension as UsageDimension;
  });
  if (params.token !== undefined && !/^\d+$/.test(params.token))
    throw badRequest("token must be a token id (a number)");
  if (
    !caller.isAdmin &&
    params.user !== undefined &&
    params.user.toLowerCase() !== caller.user.toLowerCase()
  ) {
    throw new HangarError("HANGAR_ERR_FORBIDDEN", "Only administrators see other users' usage");
  }
  const from = isoTime(params.from, "from");
  const to = isoTime(params.to, "to");
  const query: UsageReportQuery = {
    groupBy,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(caller.isAdmin ? (params.user ? { user: params.user } : {}) : { user: caller.user }),
    ...(params.org ? { org: params.org } : {}),
    ...(params.token ? { tokenId: Number(params.token) } : {}),
    ...(params.model ? { model: params.model } : {}),
    ...(params.route ? { route: params.route } : {}),
  };
  await hangar.inference.flushUsage();
  const rows = await hangar.catalog.usage.report(query);
  const [total] = await hangar.catalog.usage.report({ ...query, groupBy: [] });
  const api = (row: (typeof rows)[number]): ApiUsageGroup => {
    const { requests, errors, inputTokens, outputTokens, tokens, computeMs, costNanos, ...dimensions } = row;
    return {
      ...(dimensions as Record<string, string | number | null>),
      requests,
      errors,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      tokens,
      compute_seconds: Math.round(computeMs) / 1000,
      cost_usd: usdOf(costNanos),
    };
  };
  return {
    group_by: groupBy,
    from: from ?? null,
    to: to ?? null,
    groups: rows.map(api),
    totals: api(total!),
    budgets: await listBudgets(hangar, caller),
  };
}
