import { join } from "node:path";
import type { HangarConfig } from "./core/config.ts";
import { NO_TELEMETRY, TelemetryHub } from "./core/telemetry.ts";
import { settleSearchIndex } from "./discovery/get-search-index.ts";
import { SpendControl } from "./governance/budgets/spend-control.ts";
import { decidePromotionLicence, LICENCE_PULL_GATE } from "./governance/licences/licence-gates.ts";
import type { LicenceDecider } from "./governance/registry/registry-context.ts";
import { ensureBootstrapAdmin } from "./hub/accounts/manage-accounts.ts";
import type { HubContext } from "./hub/hub.ts";
import { ScanService } from "./hub/scan/scan-service.ts";
import { WebhookDeliverer } from "./hub/webhooks/webhook-deliverer.ts";
import { EndpointService } from "./inference/endpoints/endpoint-service.ts";
import { InferenceRuntime } from "./inference/inference-runtime.ts";
import { BlobStore } from "./store/blob-store.ts";
import type { BlobStorage } from "./store/blob-store-types.ts";
import { Catalog } from "./store/catalog.ts";
import { ensureOwnerOnlyFolder } from "./store/owner-only.ts";
import { S3BlobStore } from "./store/s3-blob-store.ts";
import { s3Settings } from "./store/s3-settings.ts";
import { BatchRunner } from "./workflows/batch/batch-runner.ts";

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
  /**
   * The licence policy the registry's licence gate asks (src/governance/registry/registry-context.ts); a
   * registered model whose gates include `licence` cannot be promoted while this is absent.
   */
  licence?: LicenceDecider;
  /** Batch jobs (OpenAI Batch API): run in the background once `start`ed (`hangar serve` starts it). */
  batches: BatchRunner;
  /**
   * Inference endpoints (src/inference/endpoints): models deployed here with replicas and autoscaling, or
   * remote endpoints by URL; read from the catalog on first use or `start` (`hangar serve` starts it).
   */
  endpoints: EndpointService;
  /** Sends queued webhook deliveries off the request path once `start`ed (`hangar serve` starts it). */
  webhooks: WebhookDeliverer;
  /** Prices, budgets and token rate limits: the gate every inference call passes (src/governance/budgets). */
  spend: SpendControl;
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
  let endpoints: EndpointService | undefined;
  const telemetry = new TelemetryHub();
  const hangar: Hangar = {
    config,
    catalog,
    blobs,
    telemetry,
    licences: LICENCE_PULL_GATE,
    licence: (question) => decidePromotionLicence(hangar, question),
    get scans() {
      return scans;
    },
    get batches() {
      return batches;
    },
    get webhooks() {
      return webhooks;
    },
    get inference() {
      if (!inference) {
        inference = new InferenceRuntime(hangar);
        inference.gate = spend;
        inference.addBackendLookup((model) => hangar.endpoints.backendFor(model));
      }
      return inference;
    },
    get spend() {
      return spend;
    },
    get endpoints() {
      endpoints ??= new EndpointService({
        hub: hangar,
        registry: hangar.inference.registry,
        prices: spend.prices,
      });
      return endpoints;
    },
    async close() {
      await scans.close();
      await batches.close();
      await webhooks.close();
      await endpoints?.close();
      await inference?.close();
      await spend.close();
      // A search index snapshot being written finishes, so the next process finds it.
      await settleSearchIndex(catalog);
      await catalog.close();
      await blobs.close();
    },
  };
  let spend: SpendControl;
  try {
    spend = new SpendControl(hangar);
  } catch (error) {
    // A prices file with an error stops the start with the file and field named.
    await catalog.close();
    await blobs.close();
    throw error;
  }
  const scans = new ScanService(hangar);
  const batches = new BatchRunner(hangar);
  const webhooks = new WebhookDeliverer(hangar);
  // A commit made here wakes the scanner and the webhook deliverer (one from another node is found on their
  // next look).
  telemetry.attach({
    ...NO_TELEMETRY,
    commitCreated: () => {
      scans.notify();
      webhooks.notify();
    },
  });
  // A route file is read at start, so that one with an error stops the start with its line named, and its
  // deployments are probed from the start.
  if (config.routes) {
    try {
      void hangar.inference;
    } catch (error) {
      await hangar.close();
      throw error;
    }
  }
  if (config.adminToken) await ensureBootstrapAdmin(hangar, config.adminToken);
  return hangar;
}
