import { nowIso } from "../../core/time.ts";
import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import {
  assertCanManage,
  getOwnWebhook,
  requireSignedIn,
  validDomains,
  validUrl,
  validWatched,
  type WebhookInput,
} from "./webhook-input.ts";

/**
 * Changes a webhook's URL, watched items, domains or secret. `huggingface_hub` always sends `watched`
 * (an empty list when the caller did not pass any): an empty list keeps the watched items as they are.
 */
export async function updateWebhook(
  hub: HubScope,
  caller: Caller,
  id: string,
  input: WebhookInput,
): Promise<WebhookRow> {
  assertCanManage(requireSignedIn(caller));
  await getOwnWebhook(hub, caller, id);
  await hub.catalog.webhooks.update(
    id,
    {
      ...(input.url !== undefined ? { url: validUrl(input.url, hub.config) } : {}),
      ...(input.watched !== undefined && input.watched.length > 0
        ? { watched: validWatched(input.watched) }
        : {}),
      ...(input.domains !== undefined ? { domains: validDomains(input.domains) } : {}),
      ...(input.secret !== undefined ? { secret: input.secret } : {}),
    },
    nowIso(),
  );
  return (await hub.catalog.webhooks.get(id))!;
}
