import { randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { checkOutboundUrl, outboundPolicy } from "../../core/outbound-url.ts";
import type { WatchedItem, WebhookDomain, WebhookRow } from "../../store/webhooks-table.ts";
import type { Caller, Principal } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

const WATCHED_TYPES = new Set(["user", "org", "model", "dataset", "space"]);
const DOMAINS = new Set(["repo", "discussion"]);

/** What a caller sends to create or change a webhook (any field may be missing on an update). */
export interface WebhookInput {
  url?: string | undefined;
  watched?: Array<{ type: string; name: string }> | undefined;
  domains?: string[] | undefined;
  secret?: string | null | undefined;
}

export function badField(field: string, message: string): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", `${field}: ${message}`);
}

/**
 * An absolute http(s) URL that is not a literal private address the instance refuses (400
 * HANGAR_ERR_URL_NOT_ALLOWED); a host name is checked after resolution at each delivery.
 */
export function validUrl(url: string, config: HubScope["config"]): string {
  checkOutboundUrl(url, outboundPolicy(config));
  return url;
}

export function validWatched(watched: Array<{ type: string; name: string }>): WatchedItem[] {
  if (watched.length === 0) throw badField("watched", "a webhook must watch at least one user, org or repo");
  return watched.map((item, index) => {
    if (!WATCHED_TYPES.has(item.type))
      throw badField(
        `watched[${index}].type`,
        `must be one of user, org, model, dataset, space, not "${item.type}"`,
      );
    if (!item.name || item.name.length > 200) throw badField(`watched[${index}].name`, "a name is required");
    if (item.type !== "user" && item.type !== "org" && !/^[^/]+\/[^/]+$/.test(item.name))
      throw badField(`watched[${index}].name`, `a repo is named "namespace/name", not "${item.name}"`);
    return { type: item.type as WatchedItem["type"], name: item.name };
  });
}

export function validDomains(domains: string[]): WebhookDomain[] {
  if (domains.length === 0) throw badField("domains", "at least one of repo, discussion");
  for (const domain of domains)
    if (!DOMAINS.has(domain)) throw badField("domains", `must be repo or discussion, not "${domain}"`);
  return [...new Set(domains)] as WebhookDomain[];
}

export function requireSignedIn(caller: Caller): Principal {
  if (!caller)
    throw new HangarError(
      "HANGAR_ERR_UNAUTHORIZED",
      "Authentication required: webhooks belong to a signed-in user",
    );
  return caller;
}

/** A 24-hex id, shaped like the Hub's webhook ids. */
export function newObjectId(): string {
  return randomBytes(12).toString("hex");
}

/** The caller's webhook, or 404 (a webhook of someone else is not revealed). */
export async function getOwnWebhook(hub: HubScope, caller: Caller, id: string): Promise<WebhookRow> {
  const principal = requireSignedIn(caller);
  const webhook = await hub.catalog.webhooks.get(id);
  if (!webhook || (webhook.owner.toLowerCase() !== principal.user.toLowerCase() && !principal.isAdmin))
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `Webhook ${id} not found`);
  return webhook;
}

/** Writes to a webhook need a write token (reads do not). */
export function assertCanManage(caller: Principal): void {
  if (caller.token.role === "read")
    throw new HangarError("HANGAR_ERR_FORBIDDEN", "Managing webhooks needs a write token");
}
