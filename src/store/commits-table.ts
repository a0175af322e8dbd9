import type { RefRow, StoredCommit } from "../core/catalog-types.ts";
import type { GitObject, GitObjectType } from "../core/git-objects.ts";
import type { CommitInfo, CommitMetadata, RefKind, TreeFile } from "../core/types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

interface RawCommit {
  pk: number;
  repo_pk: number;
  oid: string;
  parents: string;
  author: string;
  date: string;
  title: string;
  message: string;
  metadata: string;
}

interface RawEntry {
  path: string;
  git_oid: string;
  size: number;
  sha256: string;
  lfs: number;
  last_commit: string;
}

const toCommit = (row: RawCommit): StoredCommit => ({
  pk: row.pk,
  repoPk: row.repo_pk,
  oid: row.oid,
  parents: JSON.parse(row.parents) as string[],
  author: row.author,
  date: row.date,
  title: row.title,
  message: row.message,
  metadata: JSON.parse(row.metadata) as CommitMetadata,
});

const toEntry = (row: RawEntry): TreeFile => ({
  path: row.path,
  gitOid: row.git_oid,
  size: row.size,
  sha256: row.sha256,
  lfs: row.lfs === 1,
  lastCommit: row.last_commit,
});

/**
 * Commits, their trees (one row per file, for lookups by path), the git tree and commit objects of commits
 * made here (to hand to git clients byte for byte), refs and the blob registry.
 */
export class CommitsTable {
  constructor(private readonly db: SqlExecutor) {}

  async insertCommit(repoPk: number, commit: CommitInfo & { metadata: CommitMetadata }): Promise<number> {
    const row = await this.db.get<{ pk: number }>(
      "INSERT INTO commits (repo_pk, oid, parents, author, date, title, message, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING pk",
      [
        repoPk,
        commit.oid,
        JSON.stringify(commit.parents),
        commit.author,
        commit.date,
        commit.title,
        commit.message,
        JSON.stringify(commit.metadata),
      ],
    );
    return row!.pk;
  }

  async insertTree(commitPk: number, files: Iterable<TreeFile>): Promise<void> {
    const rows = [...files].map((file) => [
      commitPk,
      file.path,
      file.gitOid,
      file.size,
      file.sha256,
      file.lfs ? 1 : 0,
      file.lastCommit,
    ]);
    await this.db.runMany(
      "INSERT INTO tree_entries (commit_pk, path, git_oid, size, sha256, lfs, last_commit) VALUES (?, ?, ?, ?, ?, ?, ?)",
      rows,
    );
  }

  /** Stores git objects of a repo; an object already stored (the same id) is left as it is. */
  async insertGitObjects(repoPk: number, objects: Iterable<GitObject>): Promise<void> {
    const rows = [...objects].map((object) => [repoPk, object.oid, object.type, object.body]);
    await this.db.runMany(
      "INSERT INTO git_objects (repo_pk, oid, type, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
      rows,
    );
  }

  async getGitObject(repoPk: number, oid: string): Promise<GitObject | undefined> {
    const row = (await this.db.get("SELECT type, body FROM git_objects WHERE repo_pk = ? AND oid = ?", [
      repoPk,
      oid,
    ])) as { type: GitObjectType; body: Buffer } | undefined;
    return row ? { oid, type: row.type, body: row.body } : undefined;
  }

  /** The commit an old id of a rewritten commit now names (see the migration that made commits git's). */
  async resolveCommitAlias(repoPk: number, alias: string): Promise<string | undefined> {
    const row = (await this.db.get("SELECT oid FROM commit_aliases WHERE repo_pk = ? AND alias = ?", [
      repoPk,
      alias,
    ])) as { oid: string } | undefined;
    return row?.oid;
  }

  /** Replaces the files of a commit: a mirrored commit first pulled in part gets more of its files later. */
  async replaceTree(commitPk: number, files: Iterable<TreeFile>): Promise<void> {
    await this.db.run("DELETE FROM tree_entries WHERE commit_pk = ?", [commitPk]);
    await this.insertTree(commitPk, files);
  }

  async setMetadata(commitPk: number, metadata: CommitMetadata): Promise<void> {
    await this.db.run("UPDATE commits SET metadata = ? WHERE pk = ?", [JSON.stringify(metadata), commitPk]);
  }

  async getCommit(repoPk: number, oid: string): Promise<StoredCommit | undefined> {
    const row = (await this.db.get("SELECT * FROM commits WHERE repo_pk = ? AND oid = ?", [repoPk, oid])) as
      | RawCommit
      | undefined;
    return row ? toCommit(row) : undefined;
  }

  async getCommitByPk(pk: number): Promise<StoredCommit | undefined> {
    const row = (await this.db.get("SELECT * FROM commits WHERE pk = ?", [pk])) as RawCommit | undefined;
    return row ? toCommit(row) : undefined;
  }

  /** Every file of a commit, in path order. */
  async listFiles(commitPk: number): Promise<TreeFile[]> {
    return (
      (await this.db.all(
        "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? ORDER BY path",
        [commitPk],
      )) as RawEntry[]
    ).map(toEntry);
  }

  /** Files under a folder (any depth), in path order. */
  async listFilesUnder(commitPk: number, folder: string): Promise<TreeFile[]> {
    const prefix = `${folder}/`;
    // Paths under `prefix` sort between the prefix and the prefix with its last character "/" bumped to "0".
    const upper = `${folder}0`;
    return (
      (await this.db.all(
        "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? AND path > ? AND path < ? ORDER BY path",
        [commitPk, prefix, upper],
      )) as RawEntry[]
    ).map(toEntry);
  }

  async getFile(commitPk: number, path: string): Promise<TreeFile | undefined> {
    const row = (await this.db.get(
      "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? AND path = ?",
      [commitPk, path],
    )) as RawEntry | undefined;
    return row ? toEntry(row) : undefined;
  }

  async hasFolder(commitPk: number, folder: string): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 FROM tree_entries WHERE commit_pk = ? AND path > ? AND path < ? LIMIT 1", [
        commitPk,
        `${folder}/`,
        `${folder}0`,
      ])) !== undefined
    );
  }

  async countFiles(commitPk: number): Promise<{ files: number; bytes: number }> {
    const row = (await this.db.get(
      "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM tree_entries WHERE commit_pk = ?",
      [commitPk],
    )) as { files: number; bytes: number };
    return row;
  }

  async getRef(
    repoPk: number,
    kind: RefKind,
    name: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<RefRow | undefined> {
    // Inside a transaction, `forUpdate` makes writers of one ref queue on PostgreSQL (a row lock) instead
    // of all building on the same head and all but one starting over; SQLite's write lock already does.
    const lock = options.forUpdate && this.db.dialect === "postgres" ? " FOR UPDATE" : "";
    const row = (await this.db.get(
      `SELECT kind, name, commit_oid, updated_at FROM refs WHERE repo_pk = ? AND kind = ? AND name = ?${lock}`,
      [repoPk, kind, name],
    )) as { kind: RefKind; name: string; commit_oid: string; updated_at: string } | undefined;
    return row
      ? { kind: row.kind, name: row.name, commitOid: row.commit_oid, updatedAt: row.updated_at }
      : undefined;
  }

  async listRefs(repoPk: number): Promise<RefRow[]> {
    const rows = (await this.db.all(
      "SELECT kind, name, commit_oid, updated_at FROM refs WHERE repo_pk = ? ORDER BY kind, name",
      [repoPk],
    )) as Array<{ kind: RefKind; name: string; commit_oid: string; updated_at: string }>;
    return rows.map((row) => ({
      kind: row.kind,
      name: row.name,
      commitOid: row.commit_oid,
      updatedAt: row.updated_at,
    }));
  }

  async setRef(repoPk: number, kind: RefKind, name: string, commitOid: string, at: string): Promise<void> {
    await this.db.run(
      "INSERT INTO refs (repo_pk, kind, name, commit_oid, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo_pk, kind, name) DO UPDATE SET commit_oid = excluded.commit_oid, updated_at = excluded.updated_at",
      [repoPk, kind, name, commitOid, at],
    );
  }

  /**
   * Moves a ref from `from` to `to` only if it still points at `from` (compare-and-swap): false when another
   * writer moved it first, so two nodes building on one head never lose an update.
   */
  async moveRef(
    repoPk: number,
    kind: RefKind,
    name: string,
    from: string,
    to: string,
    at: string,
  ): Promise<boolean> {
    const result = await this.db.run(
      "UPDATE refs SET commit_oid = ?, updated_at = ? WHERE repo_pk = ? AND kind = ? AND name = ? AND commit_oid = ?",
      [to, at, repoPk, kind, name, from],
    );
    return result.changes === 1;
  }

  /** Creates a ref that must not exist yet; false when it does (another writer created it first). */
  async insertRef(
    repoPk: number,
    kind: RefKind,
    name: string,
    commitOid: string,
    at: string,
  ): Promise<boolean> {
    const result = await this.db.run(
      "INSERT INTO refs (repo_pk, kind, name, commit_oid, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [repoPk, kind, name, commitOid, at],
    );
    return result.changes === 1;
  }

  async deleteRef(repoPk: number, kind: RefKind, name: string): Promise<boolean> {
    return (
      (
        await this.db.run("DELETE FROM refs WHERE repo_pk = ? AND kind = ? AND name = ?", [
          repoPk,
          kind,
          name,
        ])
      ).changes > 0
    );
  }

  /** Records a stored blob; a no-op when it is already known. */
  async registerBlob(sha256: string, size: number, at: string): Promise<void> {
    await this.db.run(
      "INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      [sha256, size, at],
    );
  }

  /** Records stored blobs; those already known are left as they are. */
  async registerBlobs(blobs: readonly { sha256: string; size: number }[], at: string): Promise<void> {
    const unique = new Map(blobs.map((blob) => [blob.sha256, blob.size]));
    await this.db.runMany(
      "INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
      [...unique].map(([sha256, size]) => [sha256, size, at]),
    );
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 FROM blobs WHERE sha256 = ?", [sha256])) !== undefined;
  }

  async isBlobReferenced(sha256: string): Promise<boolean> {
    return (await this.db.get("SELECT 1 FROM tree_entries WHERE sha256 = ? LIMIT 1", [sha256])) !== undefined;
  }

  /**
   * Repos whose commits hold an LFS object, with its size (at most `limit`): where a copy that names the
   * object by its sha256 alone may have read it.
   */
  async reposHoldingLfsObject(
    sha256: string,
    limit: number,
  ): Promise<Array<{ repoPk: number; size: number }>> {
    const rows = await this.db.all<{ repo_pk: number; size: number }>(
      `SELECT c.repo_pk, MIN(t.size) AS size FROM tree_entries t JOIN commits c ON c.pk = t.commit_pk
       WHERE t.sha256 = ? AND t.lfs = 1 GROUP BY c.repo_pk ORDER BY c.repo_pk LIMIT ?`,
      [sha256, limit],
    );
    return rows.map((row) => ({ repoPk: Number(row.repo_pk), size: Number(row.size) }));
  }
}
