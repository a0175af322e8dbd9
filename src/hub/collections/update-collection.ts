import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { collectionSlug, getWritableCollection, THEMES } from "./collection-access.ts";
import { type CollectionView, getCollection } from "./get-collection.ts";

export interface UpdateCollectionParams {
  title?: string | null | undefined;
  description?: string | null | undefined;
  position?: number | null | undefined;
  private?: boolean | null | undefined;
  theme?: string | null | undefined;
}

/** Changes a collection's title (and so its slug, keeping its trailing id), description, position, visibility or theme. */
export async function updateCollection(
  hub: HubContext,
  caller: Caller,
  slug: string,
  params: UpdateCollectionParams,
): Promise<CollectionView> {
  const collection = await getWritableCollection(hub, caller, slug);
  if (params.theme != null && !(THEMES as readonly string[]).includes(params.theme))
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `theme: must be one of ${THEMES.join(", ")}`);
  const title = params.title?.trim();
  if (params.title != null && !title)
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", "title: may not be empty");
  const newSlug = title ? collectionSlug(collection.owner, title, collection.objectId) : undefined;
  await hub.catalog.collections.update(
    collection.slug,
    {
      ...(title ? { title } : {}),
      ...(newSlug && newSlug !== collection.slug ? { newSlug } : {}),
      ...(params.description != null ? { description: params.description } : {}),
      ...(params.position != null ? { position: params.position } : {}),
      ...(params.private != null ? { private: params.private } : {}),
      ...(params.theme != null ? { theme: params.theme } : {}),
    },
    nowIso(),
  );
  return getCollection(hub, caller, newSlug ?? collection.slug);
}
