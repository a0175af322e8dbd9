import type { RepoType, TreeFile } from "../../core/types.ts";
import { lfsPointer } from "../../core/types.ts";
import type { RepoDetails } from "../../hub/read/get-repo.ts";
import type { RepoListing } from "../../hub/read/list-repos.ts";
import { securityRepoStatus } from "../../hub/scan/repo-scan-status.ts";

/** A sibling as the Hub lists it in repo info; size, blobId and lfs only with `blobs=true`. */
export interface ApiSibling {
  rfilename: string;
  size?: number;
  blobId?: string;
  lfs?: { size: number; sha256: string; pointerSize: number };
}

/** Repo info as `/api/{type}s/...` returns it; every field but `_id` and `id` can be left out. */
export type ApiRepoInfo = { _id: string; id: string } & Record<string, unknown>;

/** Fields of a listing entry when nothing is asked for, as on the Hub. */
const LIST_DEFAULT_FIELDS = [
  "modelId",
  "likes",
  "trendingScore",
  "private",
  "downloads",
  "tags",
  "pipeline_tag",
  "library_name",
  "createdAt",
  "sdk",
];
/** Fields `full=true` adds to a listing entry. */
const LIST_FULL_FIELDS = ["author", "sha", "lastModified", "gated", "disabled", "siblings", "hangar"];

/** Fields only model repos have. */
const MODEL_ONLY_FIELDS = new Set([
  "modelId",
  "pipeline_tag",
  "library_name",
  "config",
  "transformersInfo",
  "safetensors",
  "gguf",
  "widgetData",
  "model-index",
  "hangar",
]);

/** Keys of config.json the Hub repeats in repo info; the rest stays in the file. */
const CONFIG_SUMMARY_KEYS = [
  "architectures",
  "model_type",
  "auto_map",
  "quantization_config",
  "task_specific_params",
] as const;

export interface FieldSelection {
  /** Exactly these fields (plus `_id` and `id`); unknown names are ignored. */
  expand?: string[];
  full?: boolean;
  config?: boolean;
  cardData?: boolean;
}

/** The fields a listing entry carries for a query; `undefined` means every field (repo info). */
export function listingFields(selection: FieldSelection): Set<string> {
  if (selection.expand && selection.expand.length > 0) return new Set(selection.expand);
  const fields = new Set(LIST_DEFAULT_FIELDS);
  if (selection.full) for (const field of LIST_FULL_FIELDS) fields.add(field);
  if (selection.config) fields.add("config");
  if (selection.cardData) fields.add("cardData");
  return fields;
}

/** An opaque, stable `_id` of the Mongo ObjectId shape (24 hex) the Hub uses. */
export function apiObjectId(kind: number, pk: number): string {
  return `${kind.toString(16).padStart(8, "0")}${pk.toString(16).padStart(16, "0")}`;
}

export function toApiSibling(file: TreeFile, withBlobs: boolean): ApiSibling {
  if (!withBlobs) return { rfilename: file.path };
  return {
    rfilename: file.path,
    size: file.size,
    blobId: file.gitOid,
    ...(file.lfs
      ? {
          lfs: {
            size: file.size,
            sha256: file.sha256,
            pointerSize: Buffer.byteLength(lfsPointer(file.sha256, file.size)),
          },
        }
      : {}),
  };
}

const TYPE_KIND: Record<RepoType, number> = { model: 1, dataset: 2, space: 3 };

/** What a field's value is computed from: the listing entry and the options of the call. */
interface ProducerInput {
  listing: RepoListing | RepoDetails;
  withBlobs: boolean;
}

function commitOf(listing: RepoListing | RepoDetails): RepoDetails["commit"] | undefined {
  return "commit" in listing ? listing.commit : undefined;
}

/**
 * One producer per field, in output order, built once: a listing page maps hundreds of repos, and
 * rebuilding a table of closures per repo was most of the cost of a page.
 */
const PRODUCERS: ReadonlyArray<readonly [string, (input: ProducerInput) => unknown]> = Object.entries({
  modelId: ({ listing }: ProducerInput) => listing.repo.id,
  author: ({ listing }: ProducerInput) => listing.repo.namespace,
  sha: ({ listing }: ProducerInput) => commitOf(listing)?.oid ?? listing.repo.sha ?? undefined,
  lastModified: ({ listing }: ProducerInput) => commitOf(listing)?.date ?? listing.repo.lastModified,
  createdAt: ({ listing }: ProducerInput) => listing.repo.createdAt,
  private: ({ listing }: ProducerInput) => listing.repo.private,
  gated: ({ listing }: ProducerInput) => listing.repo.gated,
  disabled: ({ listing }: ProducerInput) => listing.repo.disabled,
  downloads: ({ listing }: ProducerInput) => listing.repo.downloads,
  downloadsAllTime: ({ listing }: ProducerInput) => listing.repo.downloads,
  likes: ({ listing }: ProducerInput) => listing.repo.likes,
  trendingScore: ({ listing }: ProducerInput) => listing.repo.trendingScore,
  tags: ({ listing }: ProducerInput) => listing.repo.tags,
  pipeline_tag: ({ listing }: ProducerInput) => listing.repo.pipelineTag ?? undefined,
  library_name: ({ listing }: ProducerInput) => listing.repo.libraryName ?? undefined,
  siblings: ({ listing, withBlobs }: ProducerInput) =>
    listing.files?.map((file) => toApiSibling(file, withBlobs)),
  cardData: ({ listing }: ProducerInput) => {
    const cardData = listing.metadata?.cardData;
    return cardData && Object.keys(cardData).length > 0 ? cardData : undefined;
  },
  config: ({ listing }: ProducerInput) => {
    const config = listing.metadata?.config;
    if (!config) return undefined;
    const summary: Record<string, unknown> = {};
    for (const key of CONFIG_SUMMARY_KEYS) if (config[key] !== undefined) summary[key] = config[key];
    return summary;
  },
  transformersInfo: ({ listing }: ProducerInput) => listing.metadata?.transformersInfo,
  safetensors: ({ listing }: ProducerInput) => {
    const safetensors = listing.metadata?.safetensors;
    return safetensors ? { parameters: safetensors.parameters, total: safetensors.total } : undefined;
  },
  gguf: ({ listing }: ProducerInput) => {
    const gguf = listing.metadata?.gguf;
    return gguf
      ? { total: gguf.total, architecture: gguf.architecture, context_length: gguf.context_length }
      : undefined;
  },
  widgetData: ({ listing }: ProducerInput) => listing.metadata?.card?.widget,
  "model-index": ({ listing }: ProducerInput) => listing.metadata?.cardData?.["model-index"],
  // Hangar's own field: what it knows of the model (licence, commercial use, size, memory, hardware fit...).
  hangar: ({ listing }: ProducerInput) => listing.summary,
  usedStorage: ({ listing }: ProducerInput) => listing.repo.usedStorage,
  // The Hub's scan summary: only when asked for (`expand[]=securityRepoStatus`, `securityStatus=true`).
  securityRepoStatus: ({ listing }: ProducerInput) =>
    "security" in listing && listing.security ? securityRepoStatus(listing.security) : undefined,
  sdk: ({ listing }: ProducerInput) => {
    const sdk = listing.metadata?.cardData?.sdk;
    return listing.repo.type === "space" && typeof sdk === "string" ? sdk : undefined;
  },
});

/**
 * Maps a repo (and what was loaded with it) to the Hub's JSON, keeping only `fields` when given. Values are
 * computed only for the fields kept, and fields without a value are left out rather than sent as null.
 */
export function toApiRepoInfo(
  listing: RepoListing | RepoDetails,
  options: { fields?: Set<string>; withBlobs?: boolean } = {},
): ApiRepoInfo {
  const { repo } = listing;
  const input: ProducerInput = { listing, withBlobs: options.withBlobs ?? false };
  const isModel = repo.type === "model";
  const info: ApiRepoInfo = { _id: apiObjectId(TYPE_KIND[repo.type], repo.pk), id: repo.id };
  for (const [field, produce] of PRODUCERS) {
    if (options.fields && !options.fields.has(field)) continue;
    if (!isModel && MODEL_ONLY_FIELDS.has(field)) continue;
    const value = produce(input);
    if (value !== undefined) info[field] = value;
  }
  return info;
}
