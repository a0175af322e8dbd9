import { addCollectionItem } from "../../hub/collections/add-collection-item.ts";
import { createCollection } from "../../hub/collections/create-collection.ts";
import { deleteCollection } from "../../hub/collections/delete-collection.ts";
import { deleteCollectionItem } from "../../hub/collections/delete-collection-item.ts";
import { type CollectionView, getCollection } from "../../hub/collections/get-collection.ts";
import { listCollections } from "../../hub/collections/list-collections.ts";
import { updateCollection } from "../../hub/collections/update-collection.ts";
import { updateCollectionItem } from "../../hub/collections/update-collection-item.ts";
import { decodeSegment, sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { RequestContext, Router } from "../router.ts";
import { toApiCollection } from "../wire/api-collection.ts";
import {
  ADD_COLLECTION_ITEM_BODY,
  CREATE_COLLECTION_BODY,
  UPDATE_COLLECTION_BODY,
  UPDATE_COLLECTION_ITEM_BODY,
} from "../wire/social-bodies.ts";

/** A collection's slug is `owner/name-id`: two path segments. */
const SLUG = "/api/collections/:owner/:slugName";

function slugOf(context: RequestContext): string {
  return `${decodeSegment(context.params.owner!)}/${decodeSegment(context.params.slugName!)}`;
}

async function toApi(context: RequestContext, view: CollectionView) {
  const owner = await context.hangar.catalog.accounts.getNamespace(view.collection.owner);
  return toApiCollection(view, context.baseUrl, owner?.kind ?? "user", owner?.fullname ?? "");
}

/** The Hub's collection routes (`huggingface_hub`'s *_collection*, `@huggingface/hub`'s collection functions). */
export function registerCollectionRoutes(router: Router): void {
  router.add(
    "GET",
    "/api/collections",
    async (context) => {
      const query = context.url.searchParams;
      const limit = Number(query.get("limit") ?? 100);
      const views = await listCollections(context.hangar, context.caller, {
        owners: query.getAll("owner"),
        ...(query.get("item") ? { item: query.get("item")! } : {}),
        ...(query.get("q") ? { q: query.get("q")! } : {}),
        ...(query.get("sort") ? { sort: query.get("sort")! } : {}),
        limit: Number.isInteger(limit) ? limit : 100,
      });
      sendJson(context.response, 200, await Promise.all(views.map((view) => toApi(context, view))));
    },
    { summary: "Collections the caller may see (list_collections)" },
  );

  router.add(
    "POST",
    "/api/collections",
    async (context) => {
      const body = await readJsonBody(context, CREATE_COLLECTION_BODY);
      const collection = await createCollection(context.hangar, context.caller, body);
      const view = await getCollection(context.hangar, context.caller, collection.slug);
      sendJson(context.response, 200, await toApi(context, view));
    },
    { summary: "Creates a collection" },
  );

  router.add(
    "GET",
    SLUG,
    async (context) => {
      sendJson(
        context.response,
        200,
        await toApi(context, await getCollection(context.hangar, context.caller, slugOf(context))),
      );
    },
    { summary: "A collection with its items (get_collection)" },
  );

  router.add(
    "PATCH",
    SLUG,
    async (context) => {
      const body = await readJsonBody(context, UPDATE_COLLECTION_BODY);
      const view = await updateCollection(context.hangar, context.caller, slugOf(context), body);
      // huggingface_hub reads the updated collection from `data`.
      sendJson(context.response, 200, { success: true, data: await toApi(context, view) });
    },
    { summary: "Updates a collection's title, description, position, visibility or theme" },
  );

  router.add(
    "DELETE",
    SLUG,
    async (context) => {
      await deleteCollection(context.hangar, context.caller, slugOf(context));
      sendJson(context.response, 200, {});
    },
    { summary: "Deletes a collection" },
  );

  router.add(
    "POST",
    `${SLUG}/items`,
    async (context) => {
      const body = await readJsonBody(context, ADD_COLLECTION_ITEM_BODY);
      const view = await addCollectionItem(context.hangar, context.caller, slugOf(context), body);
      sendJson(context.response, 200, await toApi(context, view));
    },
    { summary: "Adds an item to a collection" },
  );

  router.add(
    "PATCH",
    `${SLUG}/items/:itemId`,
    async (context) => {
      const body = await readJsonBody(context, UPDATE_COLLECTION_ITEM_BODY);
      await updateCollectionItem(
        context.hangar,
        context.caller,
        slugOf(context),
        decodeSegment(context.params.itemId!),
        body,
      );
      sendJson(context.response, 200, { success: true });
    },
    { summary: "Changes an item's note or position" },
  );

  router.add(
    "DELETE",
    `${SLUG}/items/:itemId`,
    async (context) => {
      await deleteCollectionItem(
        context.hangar,
        context.caller,
        slugOf(context),
        decodeSegment(context.params.itemId!),
      );
      sendJson(context.response, 200, { success: true });
    },
    { summary: "Removes an item from a collection" },
  );
}
