import type { RegisteredBlob } from "../../core/catalog-types.ts";
import type { DetachedBlob } from "../../store/blob-store-types.ts";
import type { CatalogTables } from "../../store/catalog.ts";
import type { HubContext } from "../hub.ts";
import { isBlobLeased } from "./blob-leases.ts";

/**
 * How old an unreferenced blob or temp file must be before gc removes it. An LFS object is uploaded before
 * the commit that references it, and a client uploading a large folder commits only after its last file: a
 * day leaves room for the longest upload, and only delays reclaiming space nobody references.
 */
export const DEFAULT_GC_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Temp files written to this recently belong to an upload still running (its bytes keep arriving, and a
 * multipart upload's folder changes with each part), whatever the grace period: even `--grace 0` spares
 * them, so gc in another process never pulls a file from under a server's upload.
 */
export const ACTIVE_TEMP_MS = 10 * 60 * 1000;

/** Candidates re-checked and removed per catalog transaction, so commits are never held up for long. */
const BATCH_SIZE = 256;

export interface GcOptions {
  /** Report what would be removed without removing anything. */
  dryRun?: boolean;
  graceMs?: number;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface GcReport {
  dryRun: boolean;
  graceMs: number;
  /** Blobs found on disk. */
  scannedBlobs: number;
  referencedBlobs: number;
  /** Unreferenced blobs removed (or, in a dry run, that would be). */
  removedBlobs: number;
  removedBlobBytes: number;
  /** Unreferenced blobs kept because they are younger than the grace period. */
  keptYoung: number;
  /** Unreferenced blobs kept because an upload or commit (in any process) holds a lease on them. */
  keptLeased: number;
  /** Temp files kept because an upload wrote to them within `ACTIVE_TEMP_MS`. */
  keptActiveTempFiles: number;
  /** Registry rows of unreferenced blobs that were no longer on disk. */
  removedRegistryRows: number;
  removedTempFiles: number;
  removedTempBytes: number;
  /** Multipart uploads aborted (or, in a dry run, that would be) because their upload URLs had expired. */
  abortedUploads: number;
  /** Everything freed: blobs and temp files. */
  freedBytes: number;
}

/**
 * Removes blobs no commit references, and temp files left by interrupted uploads. A blob is spared while it
 * is younger than the grace period (by mtime, which storing or leasing it refreshes, and registry date) or
 * leased (leases are catalog rows, seen by every process; temp files an upload is still writing are spared
 * too). Each removal is re-checked inside a catalog transaction and the blob moved away within it (on the
 * filesystem store, to a trash file put back if the transaction fails; on S3, deleted: a blob nothing
 * references or leases loses nothing if the transaction then fails); a commit checks its blobs inside its
 * own transaction, so whichever comes first wins cleanly, even when gc runs in another process than the
 * server. Temp leftovers are the store's own (files in `blobs/tmp`, staged objects under `tmp/` in a bucket).
 */
export async function gc(hub: HubContext, options: GcOptions = {}): Promise<GcReport> {
  const graceMs = options.graceMs ?? DEFAULT_GC_GRACE_MS;
  const dryRun = Boolean(options.dryRun);
  const table = hub.catalog.maintenance;
  const now = Date.now();
  // Leases whose holders never released them (a killed process) end here, once expired.
  if (!dryRun) await hub.catalog.leases.purgeExpired(now);
  const report: GcReport = {
    dryRun,
    graceMs,
    scannedBlobs: 0,
    referencedBlobs: 0,
    removedBlobs: 0,
    removedBlobBytes: 0,
    keptYoung: 0,
    keptLeased: 0,
    keptActiveTempFiles: 0,
    removedRegistryRows: 0,
    removedTempFiles: 0,
    removedTempBytes: 0,
    abortedUploads: 0,
    freedBytes: 0,
  };
  const isYoung = async (sha256: string, mtimeMs: number, tables = table): Promise<boolean> => {
    const registered = await tables.getRegisteredBlob(sha256);
    const registeredMs = registered ? Date.parse(registered.createdAt) : 0;
    return now - Math.max(mtimeMs, Number.isNaN(registeredMs) ? 0 : registeredMs) < graceMs;
  };

  const referenced = await table.referencedSha256s();
  const candidates: string[] = [];
  for await (const sha256 of hub.blobs.list()) {
    report.scannedBlobs++;
    options.onProgress?.({ done: report.scannedBlobs, total: 0 });
    if (referenced.has(sha256)) {
      report.referencedBlobs++;
      continue;
    }
    if (await isBlobLeased(hub, sha256)) {
      report.keptLeased++;
      continue;
    }
    const info = await hub.blobs.stat(sha256).catch(() => undefined);
    if (!info) continue;
    if (await isYoung(sha256, info.lastModified)) {
      report.keptYoung++;
      continue;
    }
    candidates.push(sha256);
  }

  for (let start = 0; start < candidates.length; start += BATCH_SIZE) {
    const batch = candidates.slice(start, start + BATCH_SIZE);
    const detached: DetachedBlob[] = [];
    const sweep = async (tx: CatalogTables) => {
      // No commit may check its blobs between this transaction's checks and its removals (see holdOffGc).
      await tx.maintenance.lockForGc();
      for (const sha256 of batch) {
        if (await tx.maintenance.isReferenced(sha256)) {
          report.referencedBlobs++;
          continue;
        }
        if (await isBlobLeased({ ...hub, catalog: tx }, sha256)) {
          report.keptLeased++;
          continue;
        }
        const info = await hub.blobs.stat(sha256);
        if (!info) continue;
        if (await isYoung(sha256, info.lastModified, tx.maintenance)) {
          report.keptYoung++;
          continue;
        }
        if (!dryRun) {
          const blob = await hub.blobs.detach(sha256);
          if (!blob) continue;
          detached.push(blob);
          await tx.maintenance.deleteRegisteredBlob(sha256);
          // Uploads never committed: once the bytes are gone, a repo holds the object only if sent again.
          await tx.lfsUploads.forgetBlob(sha256);
        }
        report.removedBlobs++;
        report.removedBlobBytes += info.size;
      }
    };
    if (dryRun) {
      await hub.catalog.transaction(sweep, { readOnly: true });
      continue;
    }
    try {
      await hub.catalog.transaction(sweep);
    } catch (error) {
      // The registry rows are back; put the blobs back too.
      for (const blob of detached) await blob.restore();
      throw error;
    }
    for (const blob of detached) await blob.discard();
  }

  if (!dryRun) {
    const stale: RegisteredBlob[] = [];
    for (const row of await table.registeredBlobs()) {
      if (!referenced.has(row.sha256) && !(await isBlobLeased(hub, row.sha256))) stale.push(row);
    }
    for (let start = 0; start < stale.length; start += BATCH_SIZE) {
      const batch = stale.slice(start, start + BATCH_SIZE);
      await hub.catalog.transaction(async (tx) => {
        for (const row of batch) {
          if ((await tx.maintenance.isReferenced(row.sha256)) || (await hub.blobs.has(row.sha256))) continue;
          await tx.maintenance.deleteRegisteredBlob(row.sha256);
          report.removedRegistryRows++;
        }
      });
    }
  }

  for (const leftover of await hub.blobs.listLeftovers(now)) {
    if (leftover.ageMs < graceMs) continue;
    if (leftover.ageMs < ACTIVE_TEMP_MS) {
      report.keptActiveTempFiles++;
      continue;
    }
    if (!dryRun) await hub.blobs.removeLeftover(leftover.name);
    report.removedTempFiles++;
    report.removedTempBytes += leftover.size;
  }
  // Sessions no client can finish any more: the store (S3 bills them) keeps their parts until aborted.
  for (const uploadId of await hub.catalog.multipartSessions.expiredBefore(now)) {
    if (!dryRun) {
      await hub.blobs.abortMultipart(uploadId);
      await hub.catalog.multipartSessions.close(uploadId);
    }
    report.abortedUploads++;
  }
  report.freedBytes = report.removedBlobBytes + report.removedTempBytes;
  return report;
}
