import { OutboundRefusedError, outboundPolicy, postOutbound } from "../../core/outbound-url.ts";
import { spendSettings } from "../../core/spend-config.ts";
import type { DeliveryRow } from "../../store/webhooks-table.ts";
import { absolutePayloadUrls } from "../events/hub-event.ts";
import type { HubContext } from "../hub.ts";
import { ownerCanRead } from "./owner-can-read.ts";
import { signPayload } from "./sign-payload.ts";

export interface WebhookDelivererOptions {
  /** Absolute base URL the payload's links use (the server's public URL). */
  baseUrl: string;
  /** How often the queue is looked at without being told of an event. Default 2 s. */
  intervalMs?: number;
  /** Wait before the first retry; doubled after each failed attempt. Default 10 s. */
  retryBaseMs?: number;
  /** Attempts of one delivery before it counts as failed. Default 5. */
  maxAttempts?: number;
  /** Failed attempts in a row (over all deliveries) after which a webhook is disabled. Default 20. */
  disableAfterFailures?: number;
  /** Time allowed for the receiver to answer one attempt. Default 10 s. */
  timeoutMs?: number;
}

/** A delivery claimed by a node is left to others if it has not finished after this long. */
const CLAIM_MS = 60_000;
const BATCH = 16;

/**
 * Sends queued webhook deliveries (see emitHubEvent) off the request path: claims due deliveries from the
 * catalog (so any node of an instance, and a restarted one, delivers what is queued), POSTs the payload
 * with the webhook's secret in `X-Webhook-Secret` (and an HMAC-SHA256 of the body under the secret in
 * `X-Hangar-Signature`), retries failures with exponential backoff, and disables a webhook whose
 * deliveries keep failing. A delivery whose repo its owner can no longer read is dropped unsent. A receiver
 * whose host resolves to a private, loopback or link-local address is not sent anything unless the instance's
 * outbound policy (`HANGAR_OUTBOUND_ALLOW`) permits it (src/core/outbound-url.ts). Budget alerts
 * (src/governance/budgets) are queued and retried here too, to their budget's URL.
 */
export class WebhookDeliverer {
  private options: Required<WebhookDelivererOptions> = {
    baseUrl: "",
    intervalMs: 2_000,
    retryBaseMs: 10_000,
    maxAttempts: 5,
    disableAfterFailures: 20,
    timeoutMs: 10_000,
  };
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending = false;
  private closed = false;

  constructor(private readonly hub: HubContext) {}

  /** Starts delivering (`hangar serve` does, once it knows the URL clients reach it at). */
  start(options: WebhookDelivererOptions): void {
    if (this.loop || this.closed) return;
    this.options = { ...this.options, ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") };
    this.pending = true;
    this.loop = this.run();
  }

  /** Something may have been queued: look soon. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      if (this.pending) {
        this.pending = false;
        try {
          if ((await this.deliverDue()) > 0) this.pending = true;
        } catch (error) {
          if (this.closed) return;
          process.emitWarning(`hangar webhooks: ${(error as Error).message}`);
        }
        continue;
      }
      const due = await this.hub.catalog.webhooks.nextDueAt().catch(() => undefined);
      const wait = Math.max(
        5,
        Math.min(this.options.intervalMs, due === undefined ? Number.POSITIVE_INFINITY : due - Date.now()),
      );
      await new Promise<void>((resume) => {
        const timer = setTimeout(() => {
          this.pending = true;
          resume();
        }, wait);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resume();
        };
      });
      this.wake = undefined;
    }
  }

  /** Delivers the deliveries due now (one batch); returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const now = Date.now();
    const claimed = await this.hub.catalog.transaction((tx) => tx.webhooks.claimDue(now, CLAIM_MS, BATCH));
    await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    return claimed.length;
  }

  /**
   * Where a repo event's delivery goes: its webhook, with its secret; undefined when it must not be sent (a
   * disabled webhook's queue is dropped, and so is an event its owner may no longer see).
   */
  private async webhookTarget(delivery: DeliveryRow): Promise<Target | undefined> {
    const catalog = this.hub.catalog;
    const webhook = await catalog.webhooks.get(delivery.webhookId!);
    if (!webhook) return undefined;
    const repo = delivery.repoPk === null ? undefined : await catalog.repos.getByPk(delivery.repoPk);
    const visibility = repo
      ? { namespace: repo.namespace, private: repo.private }
      : { namespace: delivery.repoNamespace, private: delivery.repoPrivate };
    if (webhook.disabled || !(await ownerCanRead(catalog, webhook.owner, visibility))) return undefined;
    const body = JSON.stringify(absolutePayloadUrls(JSON.parse(delivery.payload), this.options.baseUrl));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Hangar-Webhooks",
      "x-webhook-event": delivery.event,
      "x-webhook-delivery": String(delivery.id),
    };
    if (webhook.secret) {
      headers["x-webhook-secret"] = webhook.secret;
      headers["x-hangar-signature"] = signPayload(webhook.secret, body);
    }
    return { url: webhook.url, body, headers, webhookId: webhook.id };
  }

  /**
   * Where a budget's alert goes (src/governance/budgets): the budget's URL or the instance's
   * (`HANGAR_BUDGET_WEBHOOK_URL`), signed with the budget's secret or the instance's; undefined when the
   * budget is gone or no URL is set any more.
   */
  private async budgetTarget(delivery: DeliveryRow): Promise<Target | undefined> {
    const budget = await this.hub.catalog.budgets.get(delivery.budgetId!);
    const settings = spendSettings(this.hub.config);
    const url = budget?.webhookUrl ?? settings.alertWebhookUrl;
    if (!budget || !url) return undefined;
    const secret = budget.webhookSecret ?? settings.alertWebhookSecret;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Hangar-Budgets",
      "x-hangar-event": delivery.event,
      "x-webhook-delivery": String(delivery.id),
    };
    if (secret) headers["x-hangar-signature"] = signPayload(secret, delivery.payload);
    return { url, body: delivery.payload, headers };
  }

  private async attempt(delivery: DeliveryRow): Promise<void> {
    const catalog = this.hub.catalog;
    const target =
      delivery.budgetId !== null ? await this.budgetTarget(delivery) : await this.webhookTarget(delivery);
    if (!target) {
      await catalog.webhooks.dropDelivery(delivery.id);
      return;
    }
    const { url, body, headers } = target;
    let responseStatus: number | null = null;
    let error: string | null = null;
    try {
      // Resolved, checked against the instance's outbound policy, and sent to the address checked.
      const response = await postOutbound(url, {
        headers,
        body,
        timeoutMs: this.options.timeoutMs,
        policy: outboundPolicy(this.hub.config),
      });
      responseStatus = response.status;
      if (response.status < 200 || response.status >= 300) error = `The receiver answered ${response.status}`;
    } catch (caught) {
      error =
        caught instanceof OutboundRefusedError
          ? `The receiver's address is refused: ${caught.message}`
          : `The receiver could not be reached: ${(caught as Error).message}`;
    }
    const at = new Date().toISOString();
    if (error === null) {
      await catalog.webhooks.recordAttempt(delivery.id, { status: "delivered", responseStatus, error, at });
      if (target.webhookId) await catalog.webhooks.recordSuccess(target.webhookId);
      return;
    }
    const attempts = delivery.attempts + 1;
    const retry = attempts < this.options.maxAttempts;
    await catalog.webhooks.recordAttempt(delivery.id, {
      status: retry ? "pending" : "failed",
      responseStatus,
      error,
      at,
      ...(retry ? { nextAttemptAt: Date.now() + this.options.retryBaseMs * 2 ** (attempts - 1) } : {}),
    });
    if (!target.webhookId) {
      // A budget's alert has no webhook to disable: its last failure is reported, without its URL's path.
      if (!retry) process.emitWarning(`hangar budget alert to ${new URL(url).origin} failed: ${error}`);
      return;
    }
    const failures = await catalog.webhooks.recordFailure(target.webhookId);
    if (failures >= this.options.disableAfterFailures) {
      await catalog.webhooks.setDisabled(target.webhookId, true, "failures", at);
    }
  }
}

/** One delivery as it is sent; `webhookId` when it is a webhook's (whose failures are counted). */
interface Target {
  url: string;
  body: string;
  headers: Record<string, string>;
  webhookId?: string;
}
