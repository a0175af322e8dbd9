import type { SqlExecutor } from "./sql/sql-database.ts";

export const BUDGET_SCOPES = ["user", "org", "token", "model", "route"] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export const BUDGET_UNITS = ["usd", "requests", "tokens"] as const;
export type BudgetUnit = (typeof BUDGET_UNITS)[number];
export const BUDGET_PERIODS = ["day", "month", "total"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** A budget as stored: `limitAmount` in nano-dollars for `usd`, else requests or tokens. */
export interface BudgetRow {
  id: string;
  scopeKind: BudgetScope;
  scopeName: string;
  unit: BudgetUnit;
  period: BudgetPeriod;
  limitAmount: number;
  /** Percentages of the limit at which an alert fires, ascending. */
  thresholds: number[];
  webhookUrl: string | null;
  /** The alert webhook's HMAC secret; never shown or logged. */
  webhookSecret: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * One call's hold on one budget until it settles: its worst case, and when it was taken (milliseconds since
 * the epoch), so that the hold of a process that died before settling can be told by its age.
 */
export interface BudgetReservation {
  /** The call's reservation id (one call holds one row in each budget it reserves in). */
  id: string;
  budgetId: string;
  periodKey: string;
  amount: number;
  createdAt: number;
}

/** What a budget has taken in one period: settled spend and reservations of requests still running. */
export interface BudgetSpend {
  spent: number;
  reserved: number;
}

const COLUMNS = `id, scope_kind AS "scopeKind", scope_name AS "scopeName", unit, period,
  limit_amount AS "limitAmount", thresholds, webhook_url AS "webhookUrl", webhook_secret AS "webhookSecret",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

function rowOf(raw: Record<string, unknown>): BudgetRow {
  return {
    ...(raw as unknown as BudgetRow),
    limitAmount: Number(raw.limitAmount),
    thresholds: JSON.parse(String(raw.thresholds)) as number[],
  };
}

/** Budgets, their spend per period and the alerts already fired (src/governance/budgets). */
export class BudgetsTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Creates the budget, or replaces the one with the same scope, unit and period; returns the stored row. */
  async upsert(budget: BudgetRow): Promise<BudgetRow> {
    await this.db.run(
      `INSERT INTO budgets (id, scope_kind, scope_name, unit, period, limit_amount, thresholds, webhook_url,
         webhook_secret, created_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (scope_kind, scope_name, unit, period) DO UPDATE SET limit_amount = excluded.limit_amount,
         thresholds = excluded.thresholds, webhook_url = excluded.webhook_url,
         webhook_secret = excluded.webhook_secret, updated_at = excluded.updated_at`,
      [
        budget.id,
        budget.scopeKind,
        budget.scopeName,
        budget.unit,
        budget.period,
        budget.limitAmount,
        JSON.stringify(budget.thresholds),
        budget.webhookUrl,
        budget.webhookSecret,
        budget.createdBy,
        budget.createdAt,
        budget.updatedAt,
      ],
    );
    return (await this.find(budget.scopeKind, budget.scopeName, budget.unit, budget.period))!;
  }

  async find(
    scopeKind: BudgetScope,
    scopeName: string,
    unit: BudgetUnit,
    period: BudgetPeriod,
  ): Promise<BudgetRow | undefined> {
    const raw = await this.db.get(
      `SELECT ${COLUMNS} FROM budgets WHERE scope_kind = ? AND lower(scope_name) = lower(?) AND unit = ? AND period = ?`,
      [scopeKind, scopeName, unit, period],
    );
    return raw ? rowOf(raw) : undefined;
  }

  async get(id: string): Promise<BudgetRow | undefined> {
    const raw = await this.db.get(`SELECT ${COLUMNS} FROM budgets WHERE id = ?`, [id]);
    return raw ? rowOf(raw) : undefined;
  }

  async list(): Promise<BudgetRow[]> {
    const rows = await this.db.all(
      `SELECT ${COLUMNS} FROM budgets ORDER BY scope_kind, scope_name, unit, period`,
    );
    return rows.map(rowOf);
  }

  /** The budgets whose scope is one of `scopes` (kind and name, names without regard to case). */
  async matching(scopes: ReadonlyArray<{ kind: BudgetScope; name: string }>): Promise<BudgetRow[]> {
    if (scopes.length === 0) return [];
    const clause = scopes.map(() => "(scope_kind = ? AND lower(scope_name) = lower(?))").join(" OR ");
    // Read for every inference call: kept until the catalog changes.
    const rows = await this.db.allCached(
      `SELECT ${COLUMNS} FROM budgets WHERE ${clause} ORDER BY id`,
      scopes.flatMap((scope) => [scope.kind, scope.name]),
    );
    return rows.map(rowOf);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM budgets WHERE id = ?", [id])).changes > 0;
  }

  async spend(budgetId: string, periodKey: string): Promise<BudgetSpend> {
    const row = await this.db.get<{ spent: number; reserved: number }>(
      "SELECT spent, reserved FROM budget_spend WHERE budget_id = ? AND period_key = ?",
      [budgetId, periodKey],
    );
    return { spent: Number(row?.spent ?? 0), reserved: Number(row?.reserved ?? 0) };
  }

  /**
   * Adds the reservation's amount to the period's reservations only if settled spend, reservations and the
   * amount stay within `limit`: one conditional UPDATE, atomic on both engines (the row is locked by the
   * update, and the condition is checked on the row as it is when the lock is held); the reservation's row
   * is written in the same transaction. Returns whether it was reserved.
   */
  async reserve(reservation: BudgetReservation, limit: number): Promise<boolean> {
    const { id, budgetId, periodKey, amount, createdAt } = reservation;
    await this.db.run(
      `INSERT INTO budget_spend (budget_id, period_key, spent, reserved) VALUES (?, ?, 0, 0)
       ON CONFLICT (budget_id, period_key) DO NOTHING`,
      [budgetId, periodKey],
    );
    const result = await this.db.run(
      `UPDATE budget_spend SET reserved = reserved + ?
       WHERE budget_id = ? AND period_key = ? AND spent + reserved + ? <= ?`,
      [amount, budgetId, periodKey, amount, limit],
    );
    if (result.changes !== 1) return false;
    await this.db.run(
      `INSERT INTO budget_reservations (id, budget_id, period_key, amount, created_at) VALUES (?, ?, ?, ?, ?)`,
      [id, budgetId, periodKey, amount, createdAt],
    );
    return true;
  }

  /**
   * Gives a reservation's amount back to its period, once: deleting its row decides who does (the call
   * settling it, or a sweep of stale ones), so two never both do. Returns whether this one did.
   */
  async release(reservation: BudgetReservation): Promise<boolean> {
    const { id, budgetId, periodKey, amount } = reservation;
    const deleted = await this.db.run("DELETE FROM budget_reservations WHERE id = ? AND budget_id = ?", [
      id,
      budgetId,
    ]);
    if (deleted.changes !== 1) return false;
    await this.db.run(
      `UPDATE budget_spend SET reserved = CASE WHEN reserved > ? THEN reserved - ? ELSE 0 END
       WHERE budget_id = ? AND period_key = ?`,
      [amount, amount, budgetId, periodKey],
    );
    return true;
  }

  /**
   * Releases the call's reservation (unless a sweep did, the call having outlived its bound) and adds what
   * the request really took; returns the period's spend afterwards.
   */
  async settle(reservation: BudgetReservation, spent: number): Promise<BudgetSpend> {
    await this.release(reservation);
    await this.db.run("UPDATE budget_spend SET spent = spent + ? WHERE budget_id = ? AND period_key = ?", [
      spent,
      reservation.budgetId,
      reservation.periodKey,
    ]);
    return this.spend(reservation.budgetId, reservation.periodKey);
  }

  /**
   * Reservations taken before `before` (ms since the epoch), oldest first, at most `limit`; only those of
   * one budget's period when it is given. Their calls ended long ago, or their process died.
   */
  async staleReservations(
    before: number,
    limit: number,
    of?: { budgetId: string; periodKey: string },
  ): Promise<BudgetReservation[]> {
    const rows = await this.db.all(
      `SELECT id, budget_id AS "budgetId", period_key AS "periodKey", amount, created_at AS "createdAt"
       FROM budget_reservations WHERE created_at < ?${of ? " AND budget_id = ? AND period_key = ?" : ""}
       ORDER BY created_at, id LIMIT ?`,
      [before, ...(of ? [of.budgetId, of.periodKey] : []), limit],
    );
    return rows.map((row) => ({
      ...(row as unknown as BudgetReservation),
      amount: Number(row.amount),
      createdAt: Number(row.createdAt),
    }));
  }

  /** Marks a threshold as fired for the period; false when it had fired already (each fires once). */
  async markAlert(budgetId: string, periodKey: string, threshold: number, at: string): Promise<boolean> {
    const result = await this.db.run(
      `INSERT INTO budget_alerts (budget_id, period_key, threshold, fired_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (budget_id, period_key, threshold) DO NOTHING`,
      [budgetId, periodKey, threshold, at],
    );
    return result.changes === 1;
  }
}
