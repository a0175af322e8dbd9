import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { getOwnWebhook } from "./webhook-input.ts";

/** One of the caller's webhooks (404 for anyone else's). */
export function getWebhook(hub: HubScope, caller: Caller, id: string): Promise<WebhookRow> {
  return getOwnWebhook(hub, caller, id);
}
