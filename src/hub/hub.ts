import type { HangarConfig } from "../core/config.ts";
import type { BlobStore } from "../store/blob-store.ts";
import type { Catalog } from "../store/catalog.ts";

/** What every hub operation works on: the instance's storage and its config. */
export interface HubContext {
  config: HangarConfig;
  catalog: Catalog;
  blobs: BlobStore;
}
