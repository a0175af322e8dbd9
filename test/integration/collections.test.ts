import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCollection, deleteCollection, listCollections } from "@huggingface/hub";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

interface ApiCollection {
  slug: string;
  title: string;
  description?: string;
  private: boolean;
  theme: string;
  position: number;
  owner: { name: string; type: string };
  items: Array<{ _id: string; type: string; id: string; position: number; note?: { text: string } }>;
}

/** A JSON request shaped as huggingface_hub sends it (requests' `json=`), with its token. */
async function pyJson(
  hub: TestHangar,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: (text ? JSON.parse(text) : undefined) as unknown,
  };
}

/**
 * `GET /api/collections/{slug}` and item changes as @huggingface/hub's collectionInfo, addCollectionItem and
 * deleteCollectionItem send them (those functions are in its sources but not in the published build here).
 */
async function collectionInfo(hub: TestHangar, slug: string, token?: string): Promise<ApiCollection> {
  const response = await fetch(`${hub.url}/api/collections/${slug}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  assert.equal(response.status, 200);
  return (await response.json()) as ApiCollection;
}

describe("collections (/api/collections) with the real @huggingface/hub client and huggingface_hub's requests", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  before(async () => {
    hub = await startTestHangar();
    alice = await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
    await importFiles(hub.hangar, "alice/encoder", { "config.json": "{}" });
    await importFiles(hub.hangar, "alice/corpus", { "data.csv": "a,b\n" }, { type: "dataset" });
    await importFiles(hub.hangar, "alice/secret-model", { "config.json": "{}" }, { private: true });
  });
  after(() => hub.close());

  it("creates a collection, adds items with notes, reorders and lists them", async () => {
    const { slug } = await createCollection({
      collection: { title: "Encoders I like", namespace: "alice", description: "Small encoders" },
      accessToken: alice,
      hubUrl: hub.url,
    });
    assert.match(slug, /^alice\/encoders-i-like-[0-9a-f]{24}$/);
    const first = await fetch(`${hub.url}/api/collections/${slug}/items`, {
      method: "POST",
      body: JSON.stringify({ item: { type: "model", id: "alice/encoder" }, note: "Fast on CPU" }),
      headers: { Authorization: `Bearer ${alice}`, "Content-Type": "application/json" },
    });
    assert.equal(first.status, 200);
    // huggingface_hub's add_collection_item, with a paper.
    const added = await pyJson(hub, alice, "POST", `/api/collections/${slug}/items`, {
      item: { id: "2307.09288", type: "paper" },
    });
    assert.equal(added.status, 200);
    await pyJson(hub, alice, "POST", `/api/collections/${slug}/items`, {
      item: { id: "alice/corpus", type: "dataset" },
    });
    const again = await pyJson(hub, alice, "POST", `/api/collections/${slug}/items`, {
      item: { id: "alice/corpus", type: "dataset" },
    });
    assert.equal(again.status, 409, "an item is in a collection once");

    let info = await collectionInfo(hub, slug, alice);
    assert.deepEqual(
      info.items.map((item) => [item.type, item.id, item.position, item.note?.text ?? null]),
      [
        ["model", "alice/encoder", 0, "Fast on CPU"],
        ["paper", "2307.09288", 1, null],
        ["dataset", "alice/corpus", 2, null],
      ],
    );
    assert.deepEqual(
      [info.title, info.description, info.private, info.owner.name],
      ["Encoders I like", "Small encoders", false, "alice"],
    );

    // huggingface_hub's update_collection_item moves the dataset first; update_collection_metadata renames.
    const dataset = info.items[2]!;
    const moved = await pyJson(hub, alice, "PATCH", `/api/collections/${slug}/items/${dataset._id}`, {
      position: 0,
      note: "The training data",
    });
    assert.equal(moved.status, 200);
    const renamed = await pyJson(hub, alice, "PATCH", `/api/collections/${slug}`, {
      title: "Best encoders",
      theme: "green",
    });
    const data = (renamed.json as { data: ApiCollection }).data;
    assert.equal(
      data.slug,
      slug.replace("encoders-i-like", "best-encoders"),
      "the slug keeps its trailing id",
    );
    assert.equal(data.theme, "green");
    // The old slug still finds it (the id at its end).
    info = await collectionInfo(hub, slug);
    assert.deepEqual(
      info.items.map((item) => [item.id, item.position, item.note?.text ?? null]),
      [
        ["alice/corpus", 0, "The training data"],
        ["alice/encoder", 1, "Fast on CPU"],
        ["2307.09288", 2, null],
      ],
    );

    const listed: string[] = [];
    for await (const collection of listCollections({ search: { owner: ["alice"] }, hubUrl: hub.url })) {
      listed.push(collection.slug);
    }
    assert.deepEqual(listed, [data.slug]);
    const byItem = await pyJson(hub, undefined, "GET", "/api/collections?item=datasets/alice/corpus");
    assert.deepEqual(
      (byItem.json as ApiCollection[]).map((collection) => collection.slug),
      [data.slug],
    );

    const paper = info.items[2]!;
    const removed = await fetch(`${hub.url}/api/collections/${data.slug}/items/${paper._id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${alice}` },
    });
    assert.equal(removed.status, 200);
    const gone = await pyJson(hub, alice, "DELETE", `/api/collections/${data.slug}/items/${paper._id}`);
    assert.equal(gone.status, 404, "huggingface_hub's missing_ok relies on a 404");
    const refused = await pyJson(hub, bob, "PATCH", `/api/collections/${data.slug}`, { title: "Mine now" });
    assert.equal(refused.status, 403);
    await deleteCollection({ slug: data.slug, accessToken: alice, hubUrl: hub.url });
    assert.equal((await pyJson(hub, alice, "GET", `/api/collections/${data.slug}`)).status, 404);
  });

  it("hides a private collection, and private repos in a public one, from others", async () => {
    const created = await pyJson(hub, alice, "POST", "/api/collections", {
      title: "Work in progress",
      namespace: "alice",
      private: true,
    });
    assert.equal(created.status, 200);
    const { slug } = created.json as ApiCollection;
    const duplicate = await pyJson(hub, alice, "POST", "/api/collections", {
      title: "Work in progress",
      namespace: "alice",
      private: true,
    });
    assert.equal(duplicate.status, 409);
    assert.equal((duplicate.json as { slug: string }).slug, slug, "exists_ok reads the slug from the 409");

    const forBob = await pyJson(hub, bob, "GET", `/api/collections/${slug}`);
    assert.equal(forBob.status, 404);
    const anonymousList = await pyJson(hub, undefined, "GET", "/api/collections?owner=alice");
    assert.deepEqual(anonymousList.json, []);
    const ownList = await pyJson(hub, alice, "GET", "/api/collections?owner=alice");
    assert.deepEqual(
      (ownList.json as ApiCollection[]).map((collection) => collection.slug),
      [slug],
    );

    const shown = await pyJson(hub, alice, "POST", "/api/collections", {
      title: "Shown",
      namespace: "alice",
      private: false,
    });
    const shownSlug = (shown.json as ApiCollection).slug;
    await pyJson(hub, alice, "POST", `/api/collections/${shownSlug}/items`, {
      item: { id: "alice/secret-model", type: "model" },
    });
    await pyJson(hub, alice, "POST", `/api/collections/${shownSlug}/items`, {
      item: { id: "alice/encoder", type: "model" },
    });
    const seenByBob = (await pyJson(hub, bob, "GET", `/api/collections/${shownSlug}`)).json as ApiCollection;
    assert.deepEqual(
      seenByBob.items.map((item) => item.id),
      ["alice/encoder"],
    );
    const seenByAlice = (await pyJson(hub, alice, "GET", `/api/collections/${shownSlug}`))
      .json as ApiCollection;
    assert.deepEqual(
      seenByAlice.items.map((item) => item.id),
      ["alice/secret-model", "alice/encoder"],
    );
    const bobAdds = await pyJson(hub, bob, "POST", `/api/collections`, {
      title: "Bob's",
      namespace: "bob",
      item: { type: "model", id: "alice/secret-model" },
    });
    assert.equal(bobAdds.status, 404, "a private repo bob cannot read is not an item he can add");
  });
});
