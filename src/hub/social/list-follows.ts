import type { HubScope } from "../hub.ts";
import { getNamespaceOf } from "./get-namespace-overview.ts";

export interface Follow {
  name: string;
  fullname: string;
  kind: "user" | "org";
}

/**
 * Who follows a user or an organisation (`followers`), or whom a user follows (`following`). Follows are
 * made with `followNamespace` (the Hub's clients list them but do not make them).
 */
export async function listFollows(
  hub: HubScope,
  params: { kind: "user" | "org"; name: string; direction: "followers" | "following" },
): Promise<Follow[]> {
  const account = await getNamespaceOf(hub, params.kind, params.name);
  return hub.catalog.social.listFollows(account.name, params.direction);
}
