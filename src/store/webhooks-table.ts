import type { SqlExecutor } from "./sql/sql-database.ts";

export type WebhookDomain = "repo" | "discussion";
export interface WatchedItem {
  type: "user" | "org" | "model" | "dataset" | "space";
  name: string;
}

export interface WebhookRow {
  id: string;
  owner: string;
  url: string;
  secret: string | null;
  domains: WebhookDomain[];
  watched: WatchedItem[];
  disabled: boolean;
  /** Why the webhook was disabled: "user" (asked for) or "failures" (too many failed deliveries). */
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
}

interface RawWebhook {
  id: string;
  owner: string;
  url: string;
  secret: string | null;
  domains: string;
  watched: string;
  disabled: number;
  disabled_reason: string | null;
  consecutive_failures: number;
  created_at: string;
  updated_at: string;
}

function toWebhook(row: RawWebhook): WebhookRow {
  return {
    id: row.id,
    owner: row.owner,
    url: row.url,
    secret: row.secret,
    domains: JSON.parse(row.domains) as WebhookDomain[],
    watched: JSON.parse(row.watched) as WatchedItem[],
    disabled: Number(row.disabled) === 1,
    disabledReason: row.disabled_reason,
    consecutiveFailures: Number(row.consecutive_failures),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "skipped";

export interface DeliveryRow {
  id: number;
  /** The webhook it is for; null for a budget's alert. */
  webhookId: string | null;
  /** The budget whose alert it is (src/governance/budgets); null for a webhook's. */
  budgetId: string | null;
  event: string;
  payload: string;
  repoPk: number | null;
  repoNamespace: string;
  repoPrivate: boolean;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface RawDelivery {
  id: number;
  webhook_id: string | null;
  budget_id: string | null;
  event: string;
  payload: string;
  repo_pk: number | null;
  repo_namespace: string;
  repo_private: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  response_status: number | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

function toDelivery(row: RawDelivery): DeliveryRow {
  return {
    id: Number(row.id),
    webhookId: row.webhook_id,
    budgetId: row.budget_id,
    event: row.event,
    payload: row.payload,
    repoPk: row.repo_pk === null ? null : Number(row.repo_pk),
    repoNamespace: row.repo_namespace,
    repoPrivate: Number(row.repo_private) === 1,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** Webhooks and their delivery queue (src/hub/webhooks). The queue is the delivery log too. */
export class WebhooksTable {
  constructor(private readonly db: SqlExecutor) {}

  async insert(webhook: Omit<WebhookRow, "consecutiveFailures" | "disabledReason">): Promise<void> {
    await this.db.run(
      `INSERT INTO webhooks (id, owner, url, secret, domains, watched, disabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        webhook.id,
        webhook.owner,
        webhook.url,
        webhook.secret,
        JSON.stringify(webhook.domains),
        JSON.stringify(webhook.watched),
        webhook.disabled ? 1 : 0,
        webhook.createdAt,
        webhook.updatedAt,
      ],
    );
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    const row = await this.db.get<RawWebhook>("SELECT * FROM webhooks WHERE id = ?", [id]);
    return row ? toWebhook(row) : undefined;
  }

  async listByOwner(owner: string): Promise<WebhookRow[]> {
    return (
      await this.db.all<RawWebhook>("SELECT * FROM webhooks WHERE owner = ? ORDER BY created_at, id", [owner])
    ).map(toWebhook);
  }

  /** Enabled webhooks: the candidates an event is matched against (watched items are JSON, matched in code). */
  async listEnabled(): Promise<WebhookRow[]> {
    return (await this.db.all<RawWebhook>("SELECT * FROM webhooks WHERE disabled = 0 ORDER BY id")).map(
      toWebhook,
    );
  }

  async update(
    id: string,
    change: { url?: string; secret?: string | null; domains?: WebhookDomain[]; watched?: WatchedItem[] },
    at: string,
  ): Promise<void> {
    const sets: string[] = ["updated_at = ?"];
    const params: (string | null)[] = [at];
    if (change.url !== undefined) {
      sets.push("url = ?");
      params.push(change.url);
    }
    if (change.secret !== undefined) {
      sets.push("secret = ?");
      params.push(change.secret);
    }
    if (change.domains !== undefined) {
      sets.push("domains = ?");
      params.push(JSON.stringify(change.domains));
    }
    if (change.watched !== undefined) {
      sets.push("watched = ?");
      params.push(JSON.stringify(change.watched));
    }
    await this.db.run(`UPDATE webhooks SET ${sets.join(", ")} WHERE id = ?`, [...params, id]);
  }

  async setDisabled(id: string, disabled: boolean, reason: string | null, at: string): Promise<void> {
    await this.db.run(
      "UPDATE webhooks SET disabled = ?, disabled_reason = ?, consecutive_failures = 0, updated_at = ? WHERE id = ?",
      [disabled ? 1 : 0, disabled ? reason : null, at, id],
    );
  }

  /** Counts one more failed delivery in a row; returns the count. */
  async recordFailure(id: string): Promise<number> {
    const row = await this.db.get<{ n: number }>(
      "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = ? RETURNING consecutive_failures AS n",
      [id],
    );
    return Number(row?.n ?? 0);
  }

  async recordSuccess(id: string): Promise<void> {
    await this.db.run("UPDATE webhooks SET consecutive_failures = 0 WHERE id = ?", [id]);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run("DELETE FROM webhooks WHERE id = ?", [id])).changes > 0;
  }

  /** Queues a delivery for a webhook, or for a budget's alert (`budgetId`, no repo: namespace ""). */
  async enqueue(delivery: {
    webhookId?: string;
    budgetId?: string;
    event: string;
    payload: string;
    repoPk: number | null;
    repoNamespace: string;
    repoPrivate: boolean;
    at: string;
    dueAt: number;
  }): Promise<void> {
    await this.db.run(
      `INSERT INTO webhook_deliveries (webhook_id, budget_id, event, payload, repo_pk, repo_namespace,
       repo_private, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [
        delivery.webhookId ?? null,
        delivery.budgetId ?? null,
        delivery.event,
        delivery.payload,
        delivery.repoPk,
        delivery.repoNamespace,
        delivery.repoPrivate ? 1 : 0,
        delivery.dueAt,
        delivery.at,
      ],
    );
  }

  /**
   * Claims up to `limit` pending deliveries due by `now` for `leaseMs` (a node that dies mid-delivery
   * leaves its claim to expire, and another node delivers). Call inside a transaction.
   */
  async claimDue(now: number, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
    const rows = await this.db.all<RawDelivery>(
      `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND claimed_until <= ?
       ORDER BY next_attempt_at, id LIMIT ?`,
      [now, now, limit],
    );
    for (const row of rows) {
      await this.db.run("UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ?", [
        now + leaseMs,
        row.id,
      ]);
    }
    return rows.map(toDelivery);
  }

  /** The earliest time a pending delivery is due (undefined when none is pending). */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db.get<{ due: number | null }>(
      "SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS due FROM webhook_deliveries WHERE status = 'pending'",
    );
    return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
  }

  /** Records one attempt: finished (delivered, failed or skipped) or pending again at `nextAttemptAt`. */
  async recordAttempt(
    id: number,
    outcome: {
      status: DeliveryStatus;
      responseStatus: number | null;
      error: string | null;
      nextAttemptAt?: number;
      at: string;
    },
  ): Promise<void> {
    await this.db.run(
      `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, response_status = ?, error = ?,
       next_attempt_at = COALESCE(?, next_attempt_at), claimed_until = 0, finished_at = ? WHERE id = ?`,
      [
        outcome.status,
        outcome.responseStatus,
        outcome.error,
        outcome.nextAttemptAt ?? null,
        outcome.status === "pending" ? null : outcome.at,
        id,
      ],
    );
  }

  /** Drops a delivery that must never be made (its repo is no longer readable by the webhook's owner). */
  async dropDelivery(id: number): Promise<void> {
    await this.db.run("DELETE FROM webhook_deliveries WHERE id = ?", [id]);
  }

  /** A webhook's deliveries, newest first. */
  async listDeliveries(webhookId: string, limit: number): Promise<DeliveryRow[]> {
    return (
      await this.db.all<RawDelivery>(
        "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
        [webhookId, limit],
      )
    ).map(toDelivery);
  }
}
