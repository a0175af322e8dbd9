import { HangarError } from "../../core/errors.ts";
import type { Repo } from "../../core/types.ts";
import type { CollectionItemRow, CollectionItemType, CollectionRow } from "../../store/collections-table.ts";
import { canRead, canWriteNamespace } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";

export const ITEM_TYPES: readonly CollectionItemType[] = ["model", "dataset", "space", "paper", "collection"];
export const THEMES = ["orange", "blue", "green", "purple", "pink", "indigo"] as const;

/** A collection's slug as the Hub makes it: `owner/title-in-lowercase-words-<24 hex id>`. */
export function collectionSlug(owner: string, title: string, objectId: string): string {
  const words = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${owner}/${words ? `${words}-` : ""}${objectId}`;
}

function collectionNotFound(slug: string): HangarError {
  return new HangarError("HANGAR_ERR_NOT_FOUND", `Collection ${slug} not found`);
}

export function canReadCollection(caller: Caller, collection: CollectionRow): boolean {
  return canRead(caller, { private: collection.private, namespace: collection.owner });
}

/**
 * The collection a slug names, if the caller may read it (a private one is a 404 to anyone outside its
 * owner namespace). A slug whose title part is stale still finds the collection by its trailing id, as on
 * the Hub.
 */
export async function getReadableCollection(
  hub: HubScope,
  caller: Caller,
  slug: string,
): Promise<CollectionRow> {
  const objectId = /-?([0-9a-f]{24})$/.exec(slug)?.[1];
  const collection =
    (await hub.catalog.collections.get(slug)) ??
    (objectId ? await hub.catalog.collections.getByObjectId(objectId) : undefined);
  if (!collection || !canReadCollection(caller, collection)) throw collectionNotFound(slug);
  return collection;
}

/** The collection if the caller may change it: a write token for the owner namespace. */
export async function getWritableCollection(
  hub: HubScope,
  caller: Caller,
  slug: string,
): Promise<CollectionRow> {
  const collection = await getReadableCollection(hub, caller, slug);
  if (!caller)
    throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Authentication required to change a collection");
  if (!canWriteNamespace(caller, collection.owner))
    throw new HangarError("HANGAR_ERR_FORBIDDEN", `You cannot change the collections of ${collection.owner}`);
  return collection;
}

/** An item of a collection with what the viewer may know of the object it points at. */
export interface ResolvedItem {
  item: CollectionItemRow;
  repo?: Repo;
  collection?: CollectionRow;
}

/**
 * A collection's items for one viewer, in order: items whose repo or collection the viewer cannot read
 * (or which no longer exist) are left out, so a private repo in a public collection is not revealed.
 */
export async function visibleItems(
  hub: HubScope,
  caller: Caller,
  collection: CollectionRow,
): Promise<ResolvedItem[]> {
  const result: ResolvedItem[] = [];
  for (const item of await hub.catalog.collections.items(collection.slug)) {
    if (item.type === "paper") {
      result.push({ item });
      continue;
    }
    if (item.type === "collection") {
      const inner = await hub.catalog.collections.get(item.itemId);
      if (inner && canReadCollection(caller, inner)) result.push({ item, collection: inner });
      continue;
    }
    const [namespace, name] = item.itemId.split("/");
    const repo = await hub.catalog.repos.get({ type: item.type, namespace: namespace!, name: name ?? "" });
    if (repo && canRead(caller, repo)) result.push({ item, repo });
  }
  return result;
}

/**
 * Checks an item a caller adds: a repo or collection it can read (404 otherwise), or a paper id
 * (`2307.09288`). Returns the id as stored (a repo's own spelling).
 */
export async function validItem(
  hub: HubScope,
  caller: Caller,
  item: { type: string; id: string },
): Promise<{ type: CollectionItemType; id: string }> {
  if (!(ITEM_TYPES as readonly string[]).includes(item.type))
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `item.type: must be one of ${ITEM_TYPES.join(", ")}, not "${item.type}"`,
    );
  const type = item.type as CollectionItemType;
  // huggingface_hub's docs also show ids with the type's prefix ("datasets/climate_fever").
  const id = item.id.replace(/^(models|datasets|spaces|papers|collections)\//, "");
  if (type === "paper") {
    if (!/^\d{4}\.\d{4,5}(v\d+)?$/.test(id))
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `item.id: "${id}" is not an arXiv paper id such as 2307.09288`,
      );
    return { type, id };
  }
  if (type === "collection") return { type, id: (await getReadableCollection(hub, caller, id)).slug };
  const [namespace, name, extra] = id.split("/");
  const repo =
    namespace && name && extra === undefined
      ? await hub.catalog.repos.get({ type, namespace, name })
      : undefined;
  if (!repo || !canRead(caller, repo))
    throw new HangarError(
      "HANGAR_ERR_NOT_FOUND",
      `item.id: the ${type} ${id} does not exist or is not visible to you`,
    );
  return { type, id: repo.id };
}
