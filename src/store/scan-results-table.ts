import type { SqlExecutor } from "./sql/sql-database.ts";

export type StoredVerdict = "safe" | "suspicious" | "invalid" | "unsafe";

/** One blob's verdict under one version of the scanner's rules. */
export interface StoredScanResult {
  sha256: string;
  rulesVersion: string;
  format: string;
  verdict: StoredVerdict;
  /** The scanner's findings, as JSON-compatible objects (`rule`, `severity`, `message`, ...). */
  findings: Array<Record<string, unknown>>;
  scannedAt: string;
}

/** A file of a commit with its verdict under a rules version (undefined: not scanned yet). */
export interface FileScan {
  path: string;
  sha256: string;
  result?: StoredScanResult;
}

interface Row {
  sha256: string;
  rulesVersion: string;
  format: string;
  verdict: StoredVerdict;
  findings: string;
  scannedAt: string;
}

const COLUMNS =
  'sha256, rules_version AS "rulesVersion", format, verdict, findings, scanned_at AS "scannedAt"';

function fromRow(row: Row): StoredScanResult {
  return { ...row, findings: JSON.parse(row.findings) as StoredScanResult["findings"] };
}

/**
 * Scan verdicts keyed by blob and rules version: a blob shared by many repos is scanned once, and results
 * of another rules version are ignored (so a new scanner version rescans everything, row by row).
 */
export class ScanResultsTable {
  constructor(private readonly db: SqlExecutor) {}

  /** Stores a verdict; a second result for the same blob and version replaces the first. */
  async put(result: StoredScanResult): Promise<void> {
    await this.db.run(
      `INSERT INTO scan_results (sha256, rules_version, format, verdict, findings, scanned_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sha256, rules_version) DO UPDATE SET format = excluded.format,
           verdict = excluded.verdict, findings = excluded.findings, scanned_at = excluded.scanned_at`,
      [
        result.sha256,
        result.rulesVersion,
        result.format,
        result.verdict,
        JSON.stringify(result.findings),
        result.scannedAt,
      ],
    );
  }

  async get(sha256: string, rulesVersion: string): Promise<StoredScanResult | undefined> {
    const row = await this.db.get<Row>(
      `SELECT ${COLUMNS} FROM scan_results WHERE sha256 = ? AND rules_version = ?`,
      [sha256, rulesVersion],
    );
    return row ? fromRow(row) : undefined;
  }

  /** The verdicts of some blobs (those without one are absent from the map). */
  async getMany(sha256s: readonly string[], rulesVersion: string): Promise<Map<string, StoredScanResult>> {
    const found = new Map<string, StoredScanResult>();
    const unique = [...new Set(sha256s)];
    for (let start = 0; start < unique.length; start += 500) {
      const chunk = unique.slice(start, start + 500);
      const rows = await this.db.all<Row>(
        `SELECT ${COLUMNS} FROM scan_results WHERE rules_version = ? AND sha256 IN (${chunk.map(() => "?").join(", ")})`,
        [rulesVersion, ...chunk],
      );
      for (const row of rows) found.set(row.sha256, fromRow(row));
    }
    return found;
  }

  /**
   * Blobs some commit's tree references that have no verdict under `rulesVersion`, in sha256 order after
   * `after` (a cursor past blobs that could not be scanned yet), with one path they are committed under.
   */
  async pending(
    rulesVersion: string,
    options: { after?: string; limit?: number } = {},
  ): Promise<Array<{ sha256: string; size: number; path: string; commitPk: number }>> {
    const rows = await this.db.all<{ sha256: string; size: number }>(
      `SELECT b.sha256, b.size FROM blobs b
        WHERE b.sha256 > ?
          AND NOT EXISTS (SELECT 1 FROM scan_results s WHERE s.sha256 = b.sha256 AND s.rules_version = ?)
          AND EXISTS (SELECT 1 FROM tree_entries t WHERE t.sha256 = b.sha256)
        ORDER BY b.sha256 LIMIT ?`,
      [options.after ?? "", rulesVersion, options.limit ?? 100],
    );
    const out: Array<{ sha256: string; size: number; path: string; commitPk: number }> = [];
    for (const row of rows) {
      const entry = await this.db.get<{ path: string; commitPk: number }>(
        'SELECT path, commit_pk AS "commitPk" FROM tree_entries WHERE sha256 = ? ORDER BY commit_pk DESC, path LIMIT 1',
        [row.sha256],
      );
      if (entry) out.push({ ...row, ...entry });
    }
    return out;
  }

  /** The files of a commit with their verdicts under `rulesVersion`, in path order. */
  async filesOf(commitPk: number, rulesVersion: string): Promise<FileScan[]> {
    const rows = await this.db.all<{ path: string } & { [K in keyof Row]: Row[K] | null } & { tsha: string }>(
      `SELECT t.path, t.sha256 AS tsha, s.sha256, s.rules_version AS "rulesVersion", s.format, s.verdict,
              s.findings, s.scanned_at AS "scannedAt"
         FROM tree_entries t
         LEFT JOIN scan_results s ON s.sha256 = t.sha256 AND s.rules_version = ?
        WHERE t.commit_pk = ? ORDER BY t.path`,
      [rulesVersion, commitPk],
    );
    return rows.map((row) => ({
      path: row.path,
      sha256: row.tsha,
      ...(row.sha256 === null
        ? {}
        : {
            result: fromRow({
              sha256: row.sha256,
              rulesVersion: row.rulesVersion!,
              format: row.format!,
              verdict: row.verdict!,
              findings: row.findings!,
              scannedAt: row.scannedAt!,
            }),
          }),
    }));
  }

  /** Repos whose head commit references the blob (to refresh their search status once it is scanned). */
  async reposWithHeadBlob(sha256: string): Promise<Array<{ repoPk: number; commitPk: number }>> {
    return this.db.all(
      `SELECT DISTINCT r.pk AS "repoPk", c.pk AS "commitPk"
         FROM tree_entries t
         JOIN commits c ON c.pk = t.commit_pk
         JOIN repos r ON r.pk = c.repo_pk AND r.sha = c.oid
        WHERE t.sha256 = ?`,
      [sha256],
    );
  }

  /** Repos with a head commit, in pk order after `after`, with their stored status (for a full refresh). */
  async repoHeads(
    after: number,
    limit: number,
  ): Promise<Array<{ repoPk: number; commitPk: number; status: string | null }>> {
    return this.db.all(
      `SELECT r.pk AS "repoPk", c.pk AS "commitPk", r.scan_status AS status
         FROM repos r JOIN commits c ON c.repo_pk = r.pk AND c.oid = r.sha
        WHERE r.pk > ? ORDER BY r.pk LIMIT ?`,
      [after, limit],
    );
  }

  /** The head commit of a repo with one (a local repo whose default branch has a commit). */
  async headOf(repoPk: number): Promise<{ commitPk: number } | undefined> {
    return this.db.get(
      `SELECT c.pk AS "commitPk" FROM repos r JOIN commits c ON c.repo_pk = r.pk AND c.oid = r.sha WHERE r.pk = ?`,
      [repoPk],
    );
  }

  /** Sets a repo's search-facing status (NULL: not every file scanned); a no-op when it holds that value. */
  async setRepoStatus(repoPk: number, status: string | null): Promise<void> {
    await this.db.run(
      "UPDATE repos SET scan_status = ? WHERE pk = ? AND COALESCE(scan_status, '') <> COALESCE(?, '')",
      [status, repoPk, status],
    );
  }

  async repoStatus(repoPk: number): Promise<string | null> {
    const row = await this.db.get<{ status: string | null }>(
      "SELECT scan_status AS status FROM repos WHERE pk = ?",
      [repoPk],
    );
    return row?.status ?? null;
  }

  /** Drops results of other rules versions; returns how many went. */
  async dropOtherVersions(rulesVersion: string): Promise<number> {
    return (await this.db.run("DELETE FROM scan_results WHERE rules_version <> ?", [rulesVersion])).changes;
  }

  /** Results per rules version. */
  async countByVersion(): Promise<Array<{ rulesVersion: string; count: number }>> {
    return this.db.all(
      'SELECT rules_version AS "rulesVersion", COUNT(*) AS count FROM scan_results GROUP BY rules_version ORDER BY rules_version',
    );
  }
}
