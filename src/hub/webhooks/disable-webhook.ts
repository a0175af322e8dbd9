import { nowIso } from "../../core/time.ts";
import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { assertCanManage, getOwnWebhook, requireSignedIn } from "./webhook-input.ts";

/** Stops a webhook's deliveries (its queued deliveries are dropped unsent). */
export async function disableWebhook(hub: HubScope, caller: Caller, id: string): Promise<WebhookRow> {
  assertCanManage(requireSignedIn(caller));
  await getOwnWebhook(hub, caller, id);
  await hub.catalog.webhooks.setDisabled(id, true, "user", nowIso());
  return (await hub.catalog.webhooks.get(id))!;
}
