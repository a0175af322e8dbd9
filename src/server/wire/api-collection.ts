import type { ResolvedItem } from "../../hub/collections/collection-access.ts";
import type { CollectionView } from "../../hub/collections/get-collection.ts";

function avatar(baseUrl: string, name: string): string {
  return `${baseUrl}/avatars/${encodeURIComponent(name)}`;
}

function toApiItem(resolved: ResolvedItem, baseUrl: string) {
  const { item, repo, collection } = resolved;
  const base = {
    _id: item.objectId,
    position: item.position,
    type: item.type,
    id: item.itemId,
    ...(item.note ? { note: { text: item.note, html: escapeHtml(item.note) } } : {}),
  };
  if (repo) {
    return {
      ...base,
      author: repo.namespace,
      private: repo.private,
      gated: repo.gated,
      downloads: repo.downloads,
      likes: repo.likes,
      lastModified: repo.lastModified,
      ...(repo.pipelineTag ? { pipeline_tag: repo.pipelineTag } : {}),
      ...(repo.type === "model" ? { availableInferenceProviders: [] } : {}),
    };
  }
  if (collection) {
    return {
      ...base,
      slug: collection.slug,
      title: collection.title,
      owner: { name: collection.owner, avatarUrl: avatar(baseUrl, collection.owner) },
    };
  }
  return base;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A collection as the Hub's API shows it (`huggingface_hub`'s Collection, `@huggingface/hub`'s ApiCollectionInfo). */
export function toApiCollection(
  view: CollectionView,
  baseUrl: string,
  ownerKind: "user" | "org",
  ownerFullname: string,
) {
  const { collection } = view;
  return {
    _id: collection.objectId,
    slug: collection.slug,
    title: collection.title,
    ...(collection.description ? { description: collection.description } : {}),
    owner: {
      _id: collection.owner,
      name: collection.owner,
      fullname: ownerFullname || collection.owner,
      avatarUrl: avatar(baseUrl, collection.owner),
      type: ownerKind,
      isHf: false,
      isHfAdmin: false,
      isMod: false,
      ...(ownerKind === "user" ? { isPro: false } : {}),
    },
    items: view.items.map((item) => toApiItem(item, baseUrl)),
    lastUpdated: collection.lastUpdated,
    position: collection.position,
    private: collection.private,
    theme: collection.theme,
    gating: false,
    upvotes: 0,
    isUpvotedByUser: false,
    shareUrl: `${baseUrl}/collections/${collection.slug}`,
  };
}
