import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { getWritableCollection } from "./collection-access.ts";

/** Removes an item from a collection (404 when it is not there: `missing_ok` relies on it). */
export async function deleteCollectionItem(
  hub: HubContext,
  caller: Caller,
  slug: string,
  itemObjectId: string,
): Promise<void> {
  const collection = await getWritableCollection(hub, caller, slug);
  const item = await hub.catalog.collections.getItem(collection.slug, itemObjectId);
  if (!item)
    throw new HangarError("HANGAR_ERR_NOT_FOUND", `Item ${itemObjectId} is not in collection ${slug}`);
  await hub.catalog.collections.deleteItem(item.objectId);
  await hub.catalog.collections.touch(collection.slug, nowIso());
}
