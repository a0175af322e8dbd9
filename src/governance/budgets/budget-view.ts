import type { BudgetRow, BudgetSpend, BudgetUnit } from "../../store/budgets-table.ts";
import { NANOS_PER_USD, usdOf } from "../pricing/price-book.ts";
import { periodEnd, periodKey } from "./periods.ts";

/** An amount as users see it: USD for `usd` budgets (stored in nano-dollars), else a count. */
export function budgetAmount(unit: BudgetUnit, stored: number): number {
  return unit === "usd" ? usdOf(stored) : stored;
}

/** An amount as stored: USD to whole nano-dollars, counts as they are. */
export function storedAmount(unit: BudgetUnit, amount: number): number {
  return unit === "usd" ? Math.round(amount * NANOS_PER_USD) : Math.round(amount);
}

export function formatAmount(unit: BudgetUnit, stored: number): string {
  if (unit === "usd") {
    const usd = usdOf(stored);
    return `${usd < 0.01 && usd > 0 ? usd.toPrecision(3) : usd.toFixed(2)} USD`;
  }
  return `${stored} ${unit}`;
}

/** `the month budget of user alice (10.00 USD)`. */
export function budgetLabel(budget: BudgetRow): string {
  const period = budget.period === "total" ? "total" : budget.period === "day" ? "daily" : "monthly";
  return `the ${period} ${budget.unit} budget of ${budget.scopeKind} ${budget.scopeName} (${formatAmount(budget.unit, budget.limitAmount)})`;
}

/** A budget on the wire (`/v1/budgets`, `/v1/usage`): amounts in the budget's unit, never its webhook secret. */
export interface ApiBudget {
  id: string;
  scope: string;
  name: string;
  unit: BudgetUnit;
  period: string;
  limit: number;
  thresholds: number[];
  webhook_url: string | null;
  webhook_secret_set: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  /** The current period's spend. */
  current: {
    period_key: string;
    period_end: string | null;
    spent: number;
    reserved: number;
    remaining: number;
    used_percent: number;
  };
}

export function apiBudget(budget: BudgetRow, spend: BudgetSpend, at = new Date()): ApiBudget {
  const remaining = Math.max(0, budget.limitAmount - spend.spent - spend.reserved);
  return {
    id: budget.id,
    scope: budget.scopeKind,
    name: budget.scopeName,
    unit: budget.unit,
    period: budget.period,
    limit: budgetAmount(budget.unit, budget.limitAmount),
    thresholds: budget.thresholds,
    webhook_url: budget.webhookUrl,
    webhook_secret_set: budget.webhookSecret !== null,
    created_by: budget.createdBy,
    created_at: budget.createdAt,
    updated_at: budget.updatedAt,
    current: {
      period_key: periodKey(budget.period, at),
      period_end: periodEnd(budget.period, at),
      spent: budgetAmount(budget.unit, spend.spent),
      reserved: budgetAmount(budget.unit, spend.reserved),
      remaining: budgetAmount(budget.unit, remaining),
      used_percent:
        budget.limitAmount === 0 ? 100 : Math.round((spend.spent / budget.limitAmount) * 10_000) / 100,
    },
  };
}
