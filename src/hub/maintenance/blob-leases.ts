import { statSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { HangarError } from "../../core/errors.ts";
import type { BlobStore } from "../../store/blob-store.ts";

/**
 * A claim on blobs that gc must not remove: taken by whoever is about to reference them (a commit, an
 * upload waiting for its commit). Leases live in this process only; for gc running in another process
 * (`hangar gc` next to a server) taking a lease also refreshes each blob's mtime, so gc's grace period
 * protects it, and `assertStored` lets a catalog transaction confirm the blobs are still there.
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

const TOUCH_CONCURRENCY = 32;

interface LeaseRecord {
  expiresAt: number;
}

/** Leases by blob, per blob store: tests run several instances in one process. */
const registries = new WeakMap<BlobStore, Map<string, Set<LeaseRecord>>>();

function registryOf(blobs: BlobStore): Map<string, Set<LeaseRecord>> {
  let registry = registries.get(blobs);
  if (!registry) {
    registry = new Map();
    registries.set(blobs, registry);
  }
  return registry;
}

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
  blobs: BlobStore,
  sha256s: Iterable<string>,
  options: AcquireLeaseOptions = {},
): Promise<BlobLease> {
  const unique = [...new Set(sha256s)];
  const record: LeaseRecord = {
    expiresAt: options.ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.ttlMs,
  };
  const registry = registryOf(blobs);
  for (const sha256 of unique) {
    let holders = registry.get(sha256);
    if (!holders) {
      holders = new Set();
      registry.set(sha256, holders);
    }
    holders.add(record);
  }
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
    release() {
      if (released) return;
      released = true;
      for (const sha256 of unique) {
        const holders = registry.get(sha256);
        holders?.delete(record);
        if (holders?.size === 0) registry.delete(sha256);
      }
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

/** Whether a live lease covers a blob. */
export function isBlobLeased(blobs: BlobStore, sha256: string, now = Date.now()): boolean {
  const registry = registryOf(blobs);
  const holders = registry.get(sha256);
  if (!holders) return false;
  for (const record of holders) {
    if (record.expiresAt > now) return true;
    holders.delete(record);
  }
  if (holders.size === 0) registry.delete(sha256);
  return false;
}
