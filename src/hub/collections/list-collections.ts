import { HangarError } from "../../core/errors.ts";
import type { CollectionItemType } from "../../store/collections-table.ts";
import { visibleNamespaces } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { visibleItems } from "./collection-access.ts";
import type { CollectionView } from "./get-collection.ts";

/** Items shown per collection in a listing, as on the Hub (get_collection has them all). */
export const LISTED_ITEMS = 4;

export interface ListCollectionsParams {
  owners?: string[];
  /** `models/ns/name`, `datasets/ns/name`, `spaces/ns/name` or `papers/2307.09288`. */
  item?: string;
  q?: string;
  sort?: string;
  limit?: number;
}

const ITEM_PREFIXES: Record<string, CollectionItemType> = {
  models: "model",
  datasets: "dataset",
  spaces: "space",
  papers: "paper",
  collections: "collection",
};

/** Collections the caller may see (its own private ones too), newest change first. */
export async function listCollections(
  hub: HubScope,
  caller: Caller,
  params: ListCollectionsParams,
): Promise<CollectionView[]> {
  let item: { type: CollectionItemType; id: string } | undefined;
  if (params.item) {
    const slash = params.item.indexOf("/");
    const type = ITEM_PREFIXES[params.item.slice(0, slash)];
    if (slash < 0 || !type)
      throw new HangarError(
        "HANGAR_ERR_BAD_REQUEST",
        `item: "${params.item}" must start with models/, datasets/, spaces/ or papers/`,
      );
    item = { type, id: params.item.slice(slash + 1) };
  }
  const sort = params.sort === "upvotes" || params.sort === "trending" ? params.sort : "lastModified";
  const collections = await hub.catalog.collections.list({
    ...(params.owners && params.owners.length > 0 ? { owners: params.owners } : {}),
    ...(item ? { item } : {}),
    ...(params.q ? { search: params.q } : {}),
    visibleNamespaces: visibleNamespaces(caller),
    sort,
    limit: Math.max(1, Math.min(params.limit ?? 100, 100)),
  });
  const views: CollectionView[] = [];
  for (const collection of collections) {
    views.push({ collection, items: (await visibleItems(hub, caller, collection)).slice(0, LISTED_ITEMS) });
  }
  return views;
}
