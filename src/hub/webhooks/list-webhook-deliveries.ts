import type { DeliveryRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { getOwnWebhook } from "./webhook-input.ts";

/** A webhook's delivery log, newest first: each event, its attempts, the receiver's last answer. */
export async function listWebhookDeliveries(
  hub: HubScope,
  caller: Caller,
  id: string,
  limit = 100,
): Promise<DeliveryRow[]> {
  await getOwnWebhook(hub, caller, id);
  return hub.catalog.webhooks.listDeliveries(id, Math.max(1, Math.min(limit, 1000)));
}
