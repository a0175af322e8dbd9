import type { HangarConfig } from "../core/config.ts";
import type { Telemetry } from "../core/telemetry.ts";
import type { RepoType } from "../core/types.ts";
import type { BlobStorage } from "../store/blob-store-types.ts";
import type { Catalog, CatalogTables } from "../store/catalog.ts";

/** What every hub operation works on: the instance's storage and its config. */
export interface HubContext {
  config: HangarConfig;
  catalog: Catalog;
  /** The blob store: the filesystem `BlobStore` or an S3-compatible `S3BlobStore`. */
  blobs: BlobStorage;
  /** Where commits, stored LFS objects and inference events are reported (none when absent). */
  telemetry?: Telemetry;
  /** The security scanner of the instance (src/hub/scan): checks a commit's files against a block policy. */
  scans?: CommitScanGate;
  /** The licence policy (src/governance/licences): asked before a pull or mirror fetches anything. */
  licences?: PullLicenceGate;
}

/** A repo about to be pulled from the upstream, as its upstream card describes it. */
export interface PulledRepoLicence {
  /** `namespace/name` */
  repo: string;
  type: RepoType;
  /** The card's `license`, null when it names none. */
  license: string | null;
  /** The card's `base_model` (one or several). */
  baseModels: string[];
}

/** What a pull asks of the licence policy before it fetches a byte. */
export interface PullLicenceGate {
  /**
   * Throws HANGAR_ERR_LICENCE_DENIED (403) when the policy denies pulling the repo; otherwise returns the
   * warning of a licence under review (null when none).
   */
  beforePull(hub: HubScope, repo: PulledRepoLicence): Promise<{ warning: string | null }>;
}

/** A file a commit or push adds, whose bytes are in the blob store. */
export interface AddedFile {
  path: string;
  sha256: string;
  size: number;
}

/** What the commit path asks of the scanner: refuse (422) files whose verdict the instance blocks. */
export interface CommitScanGate {
  /** Files were recorded outside createCommit (a mirror pull): look for unscanned blobs soon. */
  notify?(): void;
  /** Refuses (422) when one of the files a commit or push adds has a verdict the instance blocks. */
  beforeCommit(hub: HubScope, files: readonly AddedFile[]): Promise<void>;
}

/**
 * A hub whose catalog may be one transaction's tables: what operations that run inside a transaction take
 * (`{ ...hub, catalog: tx }`), so every statement they make lands in it.
 */
export type HubScope = Omit<HubContext, "catalog"> & { catalog: CatalogTables };
