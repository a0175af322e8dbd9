import { nowIso } from "../../core/time.ts";
import type { WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import {
  assertCanManage,
  badField,
  newObjectId,
  requireSignedIn,
  validDomains,
  validUrl,
  validWatched,
  type WebhookInput,
} from "./webhook-input.ts";

/** Creates a webhook owned by the caller. Domains default to both (repo and discussion). */
export async function createWebhook(hub: HubScope, caller: Caller, input: WebhookInput): Promise<WebhookRow> {
  const owner = requireSignedIn(caller);
  assertCanManage(owner);
  if (!input.url) throw badField("url", "a webhook needs a URL to send events to");
  const at = nowIso();
  const webhook = {
    id: newObjectId(),
    owner: owner.user,
    url: validUrl(input.url, hub.config),
    secret: input.secret ?? null,
    domains: validDomains(input.domains ?? ["repo", "discussion"]),
    watched: validWatched(input.watched ?? []),
    disabled: false,
    createdAt: at,
    updatedAt: at,
  };
  await hub.catalog.webhooks.insert(webhook);
  return (await hub.catalog.webhooks.get(webhook.id))!;
}
