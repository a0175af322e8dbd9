import type { SqlExecutor } from "./sql/sql-database.ts";

/**
 * Which LFS objects each repo has received whole: the bytes arrived on one of its upload URLs and hashed
 * to the object's sha256. The blob store is shared by every repo, so an object being stored says nothing
 * about who may name it in a commit; a repo holds an object once it received it or one of its commits
 * references it (see `heldSize`).
 */
export class LfsUploadsTable {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Records that a repo received verified bytes of an object; a no-op when already recorded. False when the
   * repo no longer exists (deleted while the bytes were arriving).
   */
  async record(params: { repoPk: number; sha256: string; size: number; at: string }): Promise<boolean> {
    const result = await this.db.run(
      `INSERT INTO lfs_uploads (repo_pk, sha256, size, uploaded_at)
         SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM repos WHERE pk = ?)
         ON CONFLICT (repo_pk, sha256) DO NOTHING`,
      [params.repoPk, params.sha256, params.size, params.at, params.repoPk],
    );
    return result.changes > 0 || (await this.wasRecorded(params.repoPk, params.sha256));
  }

  /**
   * The size of an object as a repo holds it, whether uploaded to it (and maybe never committed yet: clients
   * upload, then commit) or referenced by any commit of the repo (any branch, tag or pull request, which is
   * also how a copy within the repo names it); undefined when the repo does not hold it.
   */
  async heldSize(repoPk: number, sha256: string): Promise<number | undefined> {
    const row = (await this.db.get(
      `SELECT size FROM lfs_uploads WHERE repo_pk = ? AND sha256 = ?
         UNION ALL
         SELECT t.size FROM tree_entries t JOIN commits c ON c.pk = t.commit_pk
         WHERE t.sha256 = ? AND c.repo_pk = ?
         LIMIT 1`,
      [repoPk, sha256, sha256, repoPk],
    )) as { size: number } | undefined;
    return row?.size;
  }

  /** Forgets every upload of a blob that gc removed from the store; returns how many. */
  async forgetBlob(sha256: string): Promise<number> {
    return (await this.db.run("DELETE FROM lfs_uploads WHERE sha256 = ?", [sha256])).changes;
  }

  private async wasRecorded(repoPk: number, sha256: string): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 FROM lfs_uploads WHERE repo_pk = ? AND sha256 = ?", [repoPk, sha256])) !==
      undefined
    );
  }
}
