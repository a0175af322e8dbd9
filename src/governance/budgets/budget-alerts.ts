import { type OutboundPolicy, postOutbound } from "../../core/outbound-url.ts";
import type { SpendSettings } from "../../core/spend-config.ts";
import { nowIso } from "../../core/time.ts";
import { recordAudit } from "../../hub/audit/record-audit.ts";
import { signPayload } from "../../hub/webhooks/sign-payload.ts";
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

const ATTEMPTS = 3;
const RETRY_MS = 500;

/**
 * The thresholds of `budget` that `spend` has reached in the period and that had not fired yet: each is
 * marked (so it fires once per period, on every node) and audited in the settlement's own transaction.
 */
export async function crossedThresholds(
  tx: CatalogTables,
  budget: BudgetRow,
  periodKey: string,
  spend: BudgetSpend,
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
    alerts.push({ budget, periodKey, threshold, spend, at });
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

/**
 * Sends alerts off the request path: a log line, then a webhook POST (the budget's URL or the instance's)
 * signed with an HMAC-SHA256 of the body in `X-Hangar-Signature`, tried a few times. Secrets are never logged.
 */
export class AlertSender {
  private readonly inFlight = new Set<Promise<void>>();
  log: AlertLog = (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`);

  constructor(
    private readonly settings: SpendSettings,
    /** Which addresses alert webhooks may reach (`HANGAR_OUTBOUND_ALLOW`; public only by default). */
    private readonly policy: OutboundPolicy,
  ) {}

  send(alerts: readonly BudgetAlert[]): void {
    for (const alert of alerts) {
      const payload = alertPayload(alert);
      this.log(
        { budget: payload.budget, threshold: alert.threshold },
        `budget alert: ${budgetLabel(alert.budget)} reached ${alert.threshold} % of its limit`,
      );
      const url = alert.budget.webhookUrl ?? this.settings.alertWebhookUrl;
      if (!url) continue;
      const secret = alert.budget.webhookSecret ?? this.settings.alertWebhookSecret;
      const delivery = this.post(url, JSON.stringify(payload), secret).finally(() =>
        this.inFlight.delete(delivery),
      );
      this.inFlight.add(delivery);
    }
  }

  private async post(url: string, body: string, secret: string | undefined): Promise<void> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Hangar-Budgets",
      "x-hangar-event": "budget.threshold",
    };
    if (secret) headers["x-hangar-signature"] = signPayload(secret, body);
    let problem = "";
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await postOutbound(url, { headers, body, timeoutMs: 10_000, policy: this.policy });
        if (response.status >= 200 && response.status < 300) return;
        problem = `the receiver answered ${response.status}`;
      } catch (error) {
        problem = `the receiver could not be reached: ${(error as Error).message}`;
      }
      if (attempt < ATTEMPTS)
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS * 2 ** (attempt - 1)));
    }
    this.log({ url: new URL(url).origin }, `budget alert webhook failed: ${problem}`);
  }

  /** Waits for deliveries under way (on close, and in tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
