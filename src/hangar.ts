import { join } from "node:path";
import type { HangarConfig } from "./core/config.ts";
import { ensureBootstrapAdmin } from "./hub/accounts/manage-accounts.ts";
import type { HubContext } from "./hub/hub.ts";
import { InferenceRuntime } from "./inference/inference-runtime.ts";
import { BlobStore } from "./store/blob-store.ts";
import { Catalog } from "./store/catalog.ts";
import { ensureOwnerOnlyFolder } from "./store/owner-only.ts";

/** One Hangar instance: storage, then hub, then services. Interfaces receive it and never read the environment. */
export interface Hangar extends HubContext {
  /** Local inference: model pool, queues, batching and metering (models load on first use). */
  inference: InferenceRuntime;
  close(): Promise<void>;
}

/** Builds the application on `config.home`. Nothing listens on a port here: see `server/`. */
export async function createHangar(config: HangarConfig): Promise<Hangar> {
  // The home holds the catalog, its secrets and private repos' files: no one but its owner may look in.
  ensureOwnerOnlyFolder(config.home);
  const catalog = await Catalog.open(config.database ?? join(config.home, "hangar.db"));
  const blobs = await BlobStore.open(join(config.home, "blobs"), { directIo: config.directIo });
  let inference: InferenceRuntime | undefined;
  const hangar: Hangar = {
    config,
    catalog,
    blobs,
    get inference() {
      inference ??= new InferenceRuntime(hangar);
      return inference;
    },
    async close() {
      await inference?.close();
      await catalog.close();
    },
  };
  if (config.adminToken) await ensureBootstrapAdmin(hangar, config.adminToken);
  return hangar;
}
