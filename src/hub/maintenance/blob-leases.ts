import { randomUUID } from "node:crypto";
import { HangarError } from "../../core/errors.ts";
import { type BlobStorage, SHA256_PATTERN } from "../../store/blob-store-types.ts";
import type { CatalogTables } from "../../store/catalog.ts";

/**
 * A claim on blobs that gc must not remove: taken by whoever is about to reference them (a commit, an
 * upload waiting for its commit). Leases are rows of the catalog, so gc in another process (`hangar gc` next
 * to a server) respects them too; on the filesystem store taking one also refreshes each blob's mtime (S3
 * objects have no settable age: the lease rows alone protect them), and `assertStored` lets a catalog
 * transaction confirm the blobs are still there (gc may have removed one just before the lease).
 */
export interface BlobLease {
  readonly sha256s: readonly string[];
  /**
   * Throws when a leased blob is no longer in the store. Runs inside the catalog transaction that references
   * the blobs: gc removes blobs only inside a transaction of its own, so a blob seen here stays until this
   * transaction has recorded its reference.
   */
  assertStored(): Promise<void>;
  /** Ends the lease; calling it again does nothing. */
  release(): void;
}

export interface AcquireLeaseOptions {
  /**
   * Lets the lease end by itself after this many milliseconds, for holders that cannot promise to release
   * it (an LFS upload whose commit arrives in a later request, or never).
   */
  ttlMs?: number;
}

/** Where leases are kept and what they protect. */
export interface LeaseScope {
  blobs: BlobStorage;
  catalog: CatalogTables;
}

/** Blobs checked at once. */
const CHECK_CONCURRENCY = 32;
/**
 * How long a lease taken without a ttl lasts if its holder never releases it (the process was killed): long
 * enough for the slowest holder (a mirror pull of a large repo), short enough that a crash's leases go.
 */
const UNRELEASED_LEASE_MS = 7 * 24 * 60 * 60 * 1000;

/** Stat/touch only valid ids: an invalid one names no blob, and the caller's own validation reports it. */
function isValid(sha256: string): boolean {
  return SHA256_PATTERN.test(sha256);
}

/** Leases blobs against gc and refreshes their age on disk. Blobs that are not stored yet may be leased too. */
export async function acquireBlobLeases(
  scope: LeaseScope,
  sha256s: Iterable<string>,
  options: AcquireLeaseOptions = {},
): Promise<BlobLease> {
  const { blobs, catalog } = scope;
  const unique = [...new Set(sha256s)];
  const leaseId = randomUUID();
  await catalog.leases.insert(leaseId, unique, Date.now() + (options.ttlMs ?? UNRELEASED_LEASE_MS));
  let released = false;
  const lease: BlobLease = {
    sha256s: unique,
    async assertStored() {
      const valid = unique.filter(isValid);
      for (let start = 0; start < valid.length; start += CHECK_CONCURRENCY) {
        const batch = valid.slice(start, start + CHECK_CONCURRENCY);
        const stored = await Promise.all(batch.map((sha256) => blobs.has(sha256)));
        const gone = batch.find((_, index) => !stored[index]);
        if (gone !== undefined) {
          throw new HangarError(
            "HANGAR_ERR_BAD_REQUEST",
            `The content with sha256 ${gone} is no longer stored (it was uploaded too long ago and garbage-collected); upload it again`,
          );
        }
      }
    },
    async release() {
      if (released) return;
      released = true;
      await catalog.leases.release(leaseId);
    },
  };
  await blobs.touch(unique.filter(isValid));
  return lease;
}

/** Whether a live lease, from any process on the instance, covers a blob. */
export async function isBlobLeased(scope: LeaseScope, sha256: string, now = Date.now()): Promise<boolean> {
  return await scope.catalog.leases.isLeased(sha256, now);
}
