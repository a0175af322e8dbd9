import { randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { getWritableCollection, validItem } from "./collection-access.ts";
import { type CollectionView, getCollection } from "./get-collection.ts";

/** Notes are plain text, at most this long (as on the Hub). */
export const MAX_NOTE = 500;

export function validNote(note: string | null | undefined): string | null | undefined {
  if (typeof note === "string" && note.length > MAX_NOTE)
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `note: at most ${MAX_NOTE} characters (this one has ${note.length})`,
    );
  return note;
}

/** Adds an item at the end of a collection (409 when it is there already). */
export async function addCollectionItem(
  hub: HubContext,
  caller: Caller,
  slug: string,
  params: { item: { type: string; id: string }; note?: string | null | undefined },
): Promise<CollectionView> {
  const collection = await getWritableCollection(hub, caller, slug);
  const item = await validItem(hub, caller, params.item);
  const note = validNote(params.note) ?? null;
  await hub.catalog.transaction(async (tx) => {
    if (await tx.collections.findItem(collection.slug, item.type, item.id))
      throw new HangarError(
        "HANGAR_ERR_CONFLICT",
        `The ${item.type} ${item.id} is already in this collection`,
      );
    const items = await tx.collections.items(collection.slug);
    const at = nowIso();
    await tx.collections.insertItem({
      objectId: randomBytes(12).toString("hex"),
      collectionSlug: collection.slug,
      type: item.type,
      itemId: item.id,
      position: items.length === 0 ? 0 : Math.max(...items.map((entry) => entry.position)) + 1,
      note,
      addedAt: at,
    });
    await tx.collections.touch(collection.slug, at);
  });
  return getCollection(hub, caller, collection.slug);
}
