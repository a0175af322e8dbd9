import type { SqlExecutor } from "./sql/sql-database.ts";

/**
 * Blob leases (see hub/maintenance/blob-leases.ts), kept in the catalog so that gc in any process sees the
 * leases of every other process on the same instance: `hangar gc` next to a running server.
 */
export class LeasesTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Records one lease on each blob, in one transaction. */
  async insert(leaseId: string, sha256s: readonly string[], expiresAt: number): Promise<void> {
    await this.db.runMany(
      "INSERT INTO blob_leases (sha256, lease_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (sha256, lease_id) DO UPDATE SET expires_at = excluded.expires_at",
      [...new Set(sha256s)].map((sha256) => [sha256, leaseId, expiresAt]),
    );
  }

  async release(leaseId: string): Promise<void> {
    await this.db.run("DELETE FROM blob_leases WHERE lease_id = ?", [leaseId]);
  }

  /** Whether a lease that has not expired by `now` (ms since the epoch) covers the blob. */
  async isLeased(sha256: string, now: number): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 FROM blob_leases WHERE sha256 = ? AND expires_at > ? LIMIT 1", [
        sha256,
        now,
      ])) !== undefined
    );
  }

  /** Forgets leases that expired by `now` (left by holders that never released them); returns how many. */
  async purgeExpired(now: number): Promise<number> {
    return (await this.db.run("DELETE FROM blob_leases WHERE expires_at <= ?", [now])).changes;
  }
}
