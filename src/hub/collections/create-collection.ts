import { randomBytes } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { nowIso } from "../../core/time.ts";
import type { CollectionRow } from "../../store/collections-table.ts";
import { assertCanWrite } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubContext } from "../hub.ts";
import { collectionSlug, validItem } from "./collection-access.ts";

export interface CreateCollectionParams {
  /** The owner: the caller's user or one of its organisations (the caller's user when unset). */
  namespace?: string | null | undefined;
  title: string;
  description?: string | null | undefined;
  private?: boolean | null | undefined;
  /** A first item (the Hub's pages create a collection from a repo this way). */
  item?: { type: string; id: string } | null | undefined;
  note?: string | null | undefined;
}

/**
 * Creates a collection. A collection with the same title in the namespace is a 409 whose body carries its
 * `slug` (`huggingface_hub`'s `exists_ok` reads it).
 */
export async function createCollection(
  hub: HubContext,
  caller: Caller,
  params: CreateCollectionParams,
): Promise<CollectionRow> {
  const title = params.title.trim();
  if (!title) throw new HangarError("HANGAR_ERR_BAD_REQUEST", "title: a collection needs a title");
  const owner = params.namespace || caller?.user;
  if (!owner)
    throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "Authentication required to create a collection");
  assertCanWrite(caller, owner);
  const account = await hub.catalog.accounts.getNamespace(owner);
  if (!account) throw new HangarError("HANGAR_ERR_NOT_FOUND", `namespace: ${owner} does not exist`);
  const item = params.item ? await validItem(hub, caller, params.item) : undefined;
  return hub.catalog.transaction(async (tx) => {
    const same = (
      await tx.collections.list({
        owners: [account.name],
        visibleNamespaces: "all",
        sort: "lastModified",
        limit: 10_000,
      })
    ).find((collection) => collection.title.toLowerCase() === title.toLowerCase());
    if (same) {
      throw new HangarError("HANGAR_ERR_CONFLICT", `You already have a collection named "${title}"`, {
        details: { slug: same.slug },
      });
    }
    const objectId = randomBytes(12).toString("hex");
    const at = nowIso();
    const collection: CollectionRow = {
      slug: collectionSlug(account.name, title, objectId),
      objectId,
      owner: account.name,
      title,
      description: params.description ?? null,
      private: params.private ?? false,
      theme: "orange",
      position: await tx.collections.nextPosition(account.name),
      createdAt: at,
      lastUpdated: at,
    };
    await tx.collections.insert(collection);
    if (item) {
      await tx.collections.insertItem({
        objectId: randomBytes(12).toString("hex"),
        collectionSlug: collection.slug,
        type: item.type,
        itemId: item.id,
        position: 0,
        note: params.note ?? null,
        addedAt: at,
      });
    }
    return collection;
  });
}
