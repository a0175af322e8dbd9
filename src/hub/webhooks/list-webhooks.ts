import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { requireSignedIn } from "./webhook-input.ts";

/** The caller's webhooks, oldest first. */
export async function listWebhooks(hub: HubScope, caller: Caller): Promise<WebhookRow[]> {
  return hub.catalog.webhooks.listByOwner(requireSignedIn(caller).user);
}
