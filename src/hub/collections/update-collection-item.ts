import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { validNote } from "./add-collection-item.ts";
import { getWritableCollection } from "./collection-access.ts";

/**
 * Changes an item's note or moves it to `position` (0 = first); the other items keep their order around it.
 */
export async function updateCollectionItem(
  hub: HubContext,
  caller: Caller,
  slug: string,
  itemObjectId: string,
  params: { note?: string | null | undefined; position?: number | null | undefined },
): Promise<void> {
  const collection = await getWritableCollection(hub, caller, slug);
  const note = validNote(params.note);
  await hub.catalog.transaction(async (tx) => {
    const items = await tx.collections.items(collection.slug);
    const item = items.find((entry) => entry.objectId === itemObjectId);
    if (!item)
      throw new HangarError("HANGAR_ERR_NOT_FOUND", `Item ${itemObjectId} is not in collection ${slug}`);
    if (note !== undefined && note !== null) await tx.collections.updateItem(item.objectId, { note });
    if (params.position != null) {
      const others = items.filter((entry) => entry.objectId !== item.objectId);
      const at = Math.max(0, Math.min(params.position, others.length));
      const ordered = [...others.slice(0, at), item, ...others.slice(at)];
      for (const [index, entry] of ordered.entries())
        if (entry.position !== index) await tx.collections.updateItem(entry.objectId, { position: index });
    }
    await tx.collections.touch(collection.slug, nowIso());
  });
}
