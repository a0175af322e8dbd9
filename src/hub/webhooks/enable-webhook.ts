import { nowIso } from "../../core/time.ts";
import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { assertCanManage, getOwnWebhook, requireSignedIn } from "./webhook-input.ts";

/** Turns a webhook back on (also one disabled after repeated failures); its failure count starts over. */
export async function enableWebhook(hub: HubScope, caller: Caller, id: string): Promise<WebhookRow> {
  assertCanManage(requireSignedIn(caller));
  await getOwnWebhook(hub, caller, id);
  await hub.catalog.webhooks.setDisabled(id, false, null, nowIso());
  return (await hub.catalog.webhooks.get(id))!;
}
