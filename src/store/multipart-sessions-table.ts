import type { SqlExecutor } from "./sql/sql-database.ts";

/**
 * Multipart upload sessions the batch API began in the blob store, until they are completed or aborted. An
 * S3 store keeps a session's parts (and bills them) until someone aborts it, and S3-compatible stores differ
 * in whether they can list unfinished uploads at all: this table is how gc finds the ones whose upload URLs
 * have expired, on every engine.
 */
export class MultipartSessionsTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Records a session whose upload URLs expire at `expiresAt` (ms since the epoch). */
  async open(uploadId: string, expiresAt: number): Promise<void> {
    await this.db.run(
      `INSERT INTO multipart_sessions (upload_id, expires_at) VALUES (?, ?)
         ON CONFLICT (upload_id) DO UPDATE SET expires_at = excluded.expires_at`,
      [uploadId, expiresAt],
    );
  }

  /** Forgets a session (completed or aborted); a no-op when it is not recorded. */
  async close(uploadId: string): Promise<void> {
    await this.db.run("DELETE FROM multipart_sessions WHERE upload_id = ?", [uploadId]);
  }

  /** Sessions whose upload URLs expired before `now`: no client can send a part or complete them any more. */
  async expiredBefore(now: number, limit = 1000): Promise<string[]> {
    const rows = await this.db.all<{ upload_id: string }>(
      "SELECT upload_id FROM multipart_sessions WHERE expires_at < ? ORDER BY expires_at LIMIT ?",
      [now, limit],
    );
    return rows.map((row) => row.upload_id);
  }
}
