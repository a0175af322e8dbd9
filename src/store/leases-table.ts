import type { SqliteDatabase } from "./catalog.ts";

/**
 * Blob leases (see hub/maintenance/blob-leases.ts), kept in the catalog so that gc in any process sees the
 * leases of every other process on the same instance: `hangar gc` next to a running server.
 */
export class LeasesTable {
  constructor(private readonly db: SqliteDatabase) {}

  /** Records one lease on each blob, in one transaction. */
  insert(leaseId: string, sha256s: readonly string[], expiresAt: number): void {
    const insert = this.db.prepare(
      "INSERT OR REPLACE INTO blob_leases (sha256, lease_id, expires_at) VALUES (?, ?, ?)",
    );
    this.db
      .transaction(() => {
        for (const sha256 of sha256s) insert.run(sha256, leaseId, expiresAt);
      })
      .immediate();
  }

  release(leaseId: string): void {
    this.db.prepare("DELETE FROM blob_leases WHERE lease_id = ?").run(leaseId);
  }

  /** Whether a lease that has not expired by `now` (ms since the epoch) covers the blob. */
  isLeased(sha256: string, now: number): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM blob_leases WHERE sha256 = ? AND expires_at > ? LIMIT 1")
        .get(sha256, now) !== undefined
    );
  }

  /** Forgets leases that expired by `now` (left by holders that never released them); returns how many. */
  purgeExpired(now: number): number {
    return this.db.prepare("DELETE FROM blob_leases WHERE expires_at <= ?").run(now).changes;
  }
}
