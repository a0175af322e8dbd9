import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { getWritableCollection } from "./collection-access.ts";

/** Deletes a collection with its items (404 when there is none the caller can see). */
export async function deleteCollection(hub: HubScope, caller: Caller, slug: string): Promise<void> {
  const collection = await getWritableCollection(hub, caller, slug);
  await hub.catalog.collections.delete(collection.slug);
}
