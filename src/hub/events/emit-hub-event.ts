import type { HubScope } from "../hub.ts";
import { ownerCanRead } from "../webhooks/owner-can-read.ts";
import { eventDomain, eventPayload, type HubEvent } from "./hub-event.ts";

/**
 * Records one hub event: a delivery is queued in the catalog for every enabled webhook that watches the
 * repo (by repo, by its namespace as user or org) in the event's domain and whose owner may read the repo.
 * Call it with the catalog of the transaction that makes the change, so the event exists exactly when the
 * change does; the webhook deliverer (src/hub/webhooks/webhook-deliverer.ts) sends it off the request path.
 * Every change webhooks report goes through here: commits, ref moves, repo creation, deletion, moves and
 * settings, and discussions.
 */
export async function emitHubEvent(hub: HubScope, event: HubEvent): Promise<number> {
  const domain = eventDomain(event.scope);
  const { repo } = event;
  const namespace = repo.namespace.toLowerCase();
  const id = repo.id.toLowerCase();
  const at = new Date();
  let queued = 0;
  for (const webhook of await hub.catalog.webhooks.listEnabled()) {
    if (!webhook.domains.includes(domain)) continue;
    const watches = webhook.watched.some((item) => {
      const name = item.name.toLowerCase();
      if (item.type === "user" || item.type === "org") return name === namespace;
      return item.type === repo.type && name === id;
    });
    if (!watches) continue;
    if (!(await ownerCanRead(hub.catalog, webhook.owner, repo))) continue;
    await hub.catalog.webhooks.enqueue({
      webhookId: webhook.id,
      event: `${event.scope}.${event.action}`,
      payload: JSON.stringify(eventPayload(event, webhook.id)),
      repoPk: event.scope === "repo" && event.action === "delete" ? null : repo.pk,
      repoNamespace: repo.namespace,
      repoPrivate: repo.private,
      at: at.toISOString(),
      dueAt: at.getTime(),
    });
    queued++;
  }
  return queued;
}
