import type { BudgetPeriod } from "../../store/budgets-table.ts";

/** The period a moment falls in, in UTC: `2026-12-07` for a day, `2026-12` for a month, `total`. */
export function periodKey(period: BudgetPeriod, at = new Date()): string {
  const iso = at.toISOString();
  return period === "day" ? iso.slice(0, 10) : period === "month" ? iso.slice(0, 7) : "total";
}

/** When the period that holds `at` ends (UTC), or null for `total`. */
export function periodEnd(period: BudgetPeriod, at = new Date()): string | null {
  if (period === "total") return null;
  const end =
    period === "day"
      ? Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1)
      : Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  return new Date(end).toISOString();
}
