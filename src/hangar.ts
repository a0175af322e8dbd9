import { join } from "node:path";
import type { HangarConfig } from "./core/config.ts";
import { NO_TELEMETRY, TelemetryHub } from "./core/telemetry.ts";
import { settleSearchIndex } from "./discovery/get-search-index.ts";
import { ensureBootstrapAdmin } from "./hub/accounts/manage-accounts.ts";
import type { HubContext } from "./hub/hub.ts";
import { ScanService } from "./hub/scan/scan-service.ts";
import { InferenceRuntime } from "./inference/inference-runtime.ts";
import { BlobStore } from "./store/blob-store.ts";
import type { BlobStorage } from "./store/blob-store-types.ts";
import { Catalog } from "./store/catalog.ts";
import { ensureOwnerOnlyFolder } from "./store/owner-only.ts";
import { S3BlobStore } from "./store/s3-blob-store.ts";
import { s3Settings } from "./store/s3-settings.ts";

/** One Hangar instance: storage, then hub, then services. Interfaces receive it and never read the environment. */
export interface Hangar extends HubContext {
  /** Local inference: model pool, queues, batching and metering (models load on first use). */
  inference: InferenceRuntime;
  /** Domain events (commits, LFS objects, inference) for observers such as the metrics: `attach` one. */
  telemetry: TelemetryHub;
  /**
   * The security scanner: verdicts of every committed blob, found in the catalog and scanned off the request
   * path once `start`ed (`hangar serve` starts it), and the commit gate of `HANGAR_SCAN_BLOCK`.
   */
  scans: ScanService;
  close(): Promise<void>;
}

/**
 * The blob store the config names: an S3-compatible bucket (`config.blobStore`), checked before use so a
 * missing bucket or refused credentials stop the start with one sentence; else `blobs/` in the home.
 */
async function openBlobs(config: HangarConfig): Promise<BlobStorage> {
  if (!config.blobStore) return BlobStore.open(join(config.home, "blobs"), { directIo: config.directIo });
  const store = new S3BlobStore(s3Settings(config.blobStore, config.s3));
  try {
    await store.check();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Builds the application on `config.home`. Nothing listens on a port here: see `server/`. */
export async function createHangar(config: HangarConfig): Promise<Hangar> {
  // The home holds the catalog, its secrets and private repos' files: no one but its owner may look in.
  ensureOwnerOnlyFolder(config.home);
  const blobs = await openBlobs(config);
  let catalog: Catalog;
  try {
    catalog = await Catalog.open(config.database ?? join(config.home, "hangar.db"));
  } catch (error) {
    await blobs.close();
    throw error;
  }
  let inference: InferenceRuntime | undefined;
  const telemetry = new TelemetryHub();
  const hangar: Hangar = {
    config,
    catalog,
    blobs,
    telemetry,
    get scans() {
      return scans;
    },
    get inference() {
      inference ??= new InferenceRuntime(hangar);
      return inference;
    },
    async close() {
      await scans.close();
      await inference?.close();
      // A search index snapshot being written finishes, so the next process finds it.
      await settleSearchIndex(catalog);
      await catalog.close();
      await blobs.close();
    },
  };
  const scans = new ScanService(hangar);
  // A commit made here wakes the scanner (one from another node is found on its next look).
  telemetry.attach({ ...NO_TELEMETRY, commitCreated: () => scans.notify() });
  if (config.adminToken) await ensureBootstrapAdmin(hangar, config.adminToken);
  return hangar;
}
