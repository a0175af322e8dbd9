import type { DeliveryRow, WebhookRow } from "../../store/webhooks-table.ts";

/** A webhook as the Hub's API shows it to its owner (`huggingface_hub`'s WebhookInfo). */
export function toApiWebhook(webhook: WebhookRow) {
  return {
    id: webhook.id,
    url: webhook.url,
    job: null,
    watched: webhook.watched,
    domains: webhook.domains,
    secret: webhook.secret,
    disabled: webhook.disabled,
    disabledReason: webhook.disabledReason,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
  };
}

/** One entry of a webhook's delivery log. */
export function toApiDelivery(delivery: DeliveryRow) {
  return {
    id: String(delivery.id),
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    error: delivery.error,
    createdAt: delivery.createdAt,
    finishedAt: delivery.finishedAt,
    nextAttemptAt: delivery.status === "pending" ? new Date(delivery.nextAttemptAt).toISOString() : null,
    payload: JSON.parse(delivery.payload) as unknown,
  };
}
