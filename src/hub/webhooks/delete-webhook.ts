import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { assertCanManage, getOwnWebhook, requireSignedIn } from "./webhook-input.ts";

/** Deletes a webhook with its delivery log. */
export async function deleteWebhook(hub: HubScope, caller: Caller, id: string): Promise<void> {
  assertCanManage(requireSignedIn(caller));
  await getOwnWebhook(hub, caller, id);
  await hub.catalog.webhooks.delete(id);
}
