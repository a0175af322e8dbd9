import { randomUUID } from "node:crypto";
import { statSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { HangarError } from "../../core/errors.ts";
import type { BlobStore } from "../../store/blob-store.ts";
import type { CatalogTables } from "../../store/catalog.ts";

/**
 * A claim on blobs that gc must not remove: taken by whoever is about to reference them (a commit, an
 * upload waiting for its commit). Leases are rows of the catalog, so gc in another process (`hangar gc` next
 * to a server) respects them too; taking one also refreshes each blob's mtime, and `assertStored` lets a
 * catalog transaction confirm the blobs are still there (gc may have removed one just before the lease).
 */
export interface BlobLease {
  readonly sha256s: readonly string[];
  /**
   * Throws when a leased blob is no longer in the store. Synchronous, so it can run inside the catalog
   * transaction that references the blobs: gc removes blobs only inside a transaction of its own, so a blob
   * seen here stays until this transaction has recorded its reference.
   */
  assertStored(): void;
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
  blobs: BlobStore;
  catalog: CatalogTables;
}

const TOUCH_CONCURRENCY = 32;
/**
 * How long a lease taken without a ttl lasts if its holder never releases it (the process was killed): long
 * enough for the slowest holder (a mirror pull of a large repo), short enough that a crash's leases go.
 */
const UNRELEASED_LEASE_MS = 7 * 24 * 60 * 60 * 1000;

function pathIfValid(blobs: BlobStore, sha256: string): string | undefined {
  try {
    return blobs.pathOf(sha256);
  } catch {
    // An invalid id names no blob; the caller's own validation reports it.
    return undefined;
  }
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
    assertStored() {
      for (const sha256 of unique) {
        const path = pathIfValid(blobs, sha256);
        if (path === undefined) continue;
        try {
          statSync(path);
        } catch {
          throw new HangarError(
            "HANGAR_ERR_BAD_REQUEST",
            `The content with sha256 ${sha256} is no longer stored (it was uploaded too long ago and garbage-collected); upload it again`,
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
  const now = new Date();
  // A few at a time: a commit may place tens of thousands of files.
  for (let start = 0; start < unique.length; start += TOUCH_CONCURRENCY) {
    await Promise.all(
      unique.slice(start, start + TOUCH_CONCURRENCY).map(async (sha256) => {
        const path = pathIfValid(blobs, sha256);
        // A missing blob is fine here: the holder checks presence itself.
        if (path !== undefined) await utimes(path, now, now).catch(() => {});
      }),
    );
  }
  return lease;
}

/** Whether a live lease, from any process on the instance, covers a blob. */
export async function isBlobLeased(scope: LeaseScope, sha256: string, now = Date.now()): Promise<boolean> {
  return await scope.catalog.leases.isLeased(sha256, now);
}
