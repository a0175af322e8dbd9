import type { SpendSettings } from "../../core/spend-config.ts";
import { nowIso } from "../../core/time.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import type { BudgetRow, BudgetSpend } from "../../store/budgets-table.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import { budgetAmount, budgetLabel } from "./budget-view.ts";

/** One threshold a budget crossed in a period. */
export interface BudgetAlert {
  budget: BudgetRow;
  periodKey: string;
  threshold: number;
  spend: BudgetSpend;
  at: string;
}

/** Where alerts are written: the server's log once it runs, stderr before. */
export type AlertLog = (fields: Record<string, unknown>, message: string) => void;

/**
 * The thresholds of `budget` that `spend` has reached in the period and that had not fired yet: each is
 * marked (so it fires once per period, on every node), audited, and its webhook POST queued with the
 * webhooks' deliveries (src/hub/webhooks: durable, retried with backoff, by any node) when the budget or the
 * instance names a URL, all in the settlement's own transaction.
 */
export async function crossedThresholds(
  tx: CatalogTables,
  budget: BudgetRow,
  periodKey: string,
  spend: BudgetSpend,
  settings: SpendSettings,
): Promise<BudgetAlert[]> {
  const alerts: BudgetAlert[] = [];
  for (const threshold of budget.thresholds) {
    if (spend.spent * 100 < threshold * budget.limitAmount) continue;
    const at = nowIso();
    if (!(await tx.budgets.markAlert(budget.id, periodKey, threshold, at))) continue;
    await recordAudit(tx, {
      caller: null,
      action: "budget.alert",
      target: `budget:${budget.id}`,
      details: {
        threshold,
        periodKey,
        unit: budget.unit,
        period: budget.period,
        limit: budgetAmount(budget.unit, budget.limitAmount),
        spent: budgetAmount(budget.unit, spend.spent),
      },
    });
    const alert = { budget, periodKey, threshold, spend, at };
    if (budget.webhookUrl ?? settings.alertWebhookUrl) {
      await tx.webhooks.enqueue({
        budgetId: budget.id,
        event: "budget.threshold",
        payload: JSON.stringify(alertPayload(alert)),
        repoPk: null,
        repoNamespace: "",
        repoPrivate: false,
        at,
        dueAt: Date.now(),
      });
    }
    alerts.push(alert);
  }
  return alerts;
}

/** The JSON body of an alert webhook (what `X-Hangar-Signature` signs). */
export function alertPayload(alert: BudgetAlert): Record<string, unknown> {
  const { budget } = alert;
  return {
    event: "budget.threshold",
    at: alert.at,
    threshold: alert.threshold,
    budget: {
      id: budget.id,
      scope: budget.scopeKind,
      name: budget.scopeName,
      unit: budget.unit,
      period: budget.period,
      period_key: alert.periodKey,
      limit: budgetAmount(budget.unit, budget.limitAmount),
      spent: budgetAmount(budget.unit, alert.spend.spent),
      remaining: budgetAmount(budget.unit, Math.max(0, budget.limitAmount - alert.spend.spent)),
    },
  };
}

/** Writes each alert to the server's log once its settlement is committed. Secrets are never logged. */
export class AlertLogger {
  log: AlertLog = (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`);

  write(alerts: readonly BudgetAlert[]): void {
    for (const alert of alerts) {
      this.log(
        { budget: alertPayload(alert).budget, threshold: alert.threshold },
        `budget alert: ${budgetLabel(alert.budget)} reached ${alert.threshold} % of its limit`,
      );
    }
  }
}
