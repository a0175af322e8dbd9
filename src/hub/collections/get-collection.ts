import type { CollectionRow } from "../../store/collections-table.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { getReadableCollection, type ResolvedItem, visibleItems } from "./collection-access.ts";

export interface CollectionView {
  collection: CollectionRow;
  items: ResolvedItem[];
}

/** A collection with the items the caller may see, in order. */
export async function getCollection(hub: HubScope, caller: Caller, slug: string): Promise<CollectionView> {
  const collection = await getReadableCollection(hub, caller, slug);
  return { collection, items: await visibleItems(hub, caller, collection) };
}
