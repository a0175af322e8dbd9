import type { GitObject, GitObjectType } from "../core/git-objects.ts";
import type { CommitInfo, CommitMetadata, RefKind, TreeFile } from "../core/types.ts";
import type { SqliteDatabase } from "./catalog.ts";

export interface StoredCommit extends CommitInfo {
  pk: number;
  repoPk: number;
  metadata: CommitMetadata;
}

export interface RefRow {
  kind: RefKind;
  name: string;
  commitOid: string;
  updatedAt: string;
}

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
  constructor(private readonly db: SqliteDatabase) {}

  insertCommit(repoPk: number, commit: CommitInfo & { metadata: CommitMetadata }): number {
    const result = this.db
      .prepare(
        "INSERT INTO commits (repo_pk, oid, parents, author, date, title, message, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        repoPk,
        commit.oid,
        JSON.stringify(commit.parents),
        commit.author,
        commit.date,
        commit.title,
        commit.message,
        JSON.stringify(commit.metadata),
      );
    return Number(result.lastInsertRowid);
  }

  insertTree(commitPk: number, files: Iterable<TreeFile>): void {
    const insert = this.db.prepare(
      "INSERT INTO tree_entries (commit_pk, path, git_oid, size, sha256, lfs, last_commit) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const file of files) {
      insert.run(commitPk, file.path, file.gitOid, file.size, file.sha256, file.lfs ? 1 : 0, file.lastCommit);
    }
  }

  /** Stores git objects of a repo; an object already stored (the same id) is left as it is. */
  insertGitObjects(repoPk: number, objects: Iterable<GitObject>): void {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO git_objects (repo_pk, oid, type, body) VALUES (?, ?, ?, ?)",
    );
    for (const object of objects) insert.run(repoPk, object.oid, object.type, object.body);
  }

  getGitObject(repoPk: number, oid: string): GitObject | undefined {
    const row = this.db
      .prepare("SELECT type, body FROM git_objects WHERE repo_pk = ? AND oid = ?")
      .get(repoPk, oid) as { type: GitObjectType; body: Buffer } | undefined;
    return row ? { oid, type: row.type, body: row.body } : undefined;
  }

  /** The commit an old id of a rewritten commit now names (see the migration that made commits git's). */
  resolveCommitAlias(repoPk: number, alias: string): string | undefined {
    const row = this.db
      .prepare("SELECT oid FROM commit_aliases WHERE repo_pk = ? AND alias = ?")
      .get(repoPk, alias) as { oid: string } | undefined;
    return row?.oid;
  }

  /** Replaces the files of a commit: a mirrored commit first pulled in part gets more of its files later. */
  replaceTree(commitPk: number, files: Iterable<TreeFile>): void {
    this.db.prepare("DELETE FROM tree_entries WHERE commit_pk = ?").run(commitPk);
    this.insertTree(commitPk, files);
  }

  setMetadata(commitPk: number, metadata: CommitMetadata): void {
    this.db.prepare("UPDATE commits SET metadata = ? WHERE pk = ?").run(JSON.stringify(metadata), commitPk);
  }

  getCommit(repoPk: number, oid: string): StoredCommit | undefined {
    const row = this.db.prepare("SELECT * FROM commits WHERE repo_pk = ? AND oid = ?").get(repoPk, oid) as
      | RawCommit
      | undefined;
    return row ? toCommit(row) : undefined;
  }

  getCommitByPk(pk: number): StoredCommit | undefined {
    const row = this.db.prepare("SELECT * FROM commits WHERE pk = ?").get(pk) as RawCommit | undefined;
    return row ? toCommit(row) : undefined;
  }

  /** Every file of a commit, in path order. */
  listFiles(commitPk: number): TreeFile[] {
    return (
      this.db
        .prepare(
          "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? ORDER BY path",
        )
        .all(commitPk) as RawEntry[]
    ).map(toEntry);
  }

  /** Files under a folder (any depth), in path order. */
  listFilesUnder(commitPk: number, folder: string): TreeFile[] {
    const prefix = `${folder}/`;
    // Paths under `prefix` sort between the prefix and the prefix with its last character "/" bumped to "0".
    const upper = `${folder}0`;
    return (
      this.db
        .prepare(
          "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? AND path > ? AND path < ? ORDER BY path",
        )
        .all(commitPk, prefix, upper) as RawEntry[]
    ).map(toEntry);
  }

  getFile(commitPk: number, path: string): TreeFile | undefined {
    const row = this.db
      .prepare(
        "SELECT path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ? AND path = ?",
      )
      .get(commitPk, path) as RawEntry | undefined;
    return row ? toEntry(row) : undefined;
  }

  hasFolder(commitPk: number, folder: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM tree_entries WHERE commit_pk = ? AND path > ? AND path < ? LIMIT 1")
        .get(commitPk, `${folder}/`, `${folder}0`) !== undefined
    );
  }

  countFiles(commitPk: number): { files: number; bytes: number } {
    const row = this.db
      .prepare(
        "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM tree_entries WHERE commit_pk = ?",
      )
      .get(commitPk) as { files: number; bytes: number };
    return row;
  }

  getRef(repoPk: number, kind: RefKind, name: string): RefRow | undefined {
    const row = this.db
      .prepare(
        "SELECT kind, name, commit_oid, updated_at FROM refs WHERE repo_pk = ? AND kind = ? AND name = ?",
      )
      .get(repoPk, kind, name) as
      | { kind: RefKind; name: string; commit_oid: string; updated_at: string }
      | undefined;
    return row
      ? { kind: row.kind, name: row.name, commitOid: row.commit_oid, updatedAt: row.updated_at }
      : undefined;
  }

  listRefs(repoPk: number): RefRow[] {
    const rows = this.db
      .prepare("SELECT kind, name, commit_oid, updated_at FROM refs WHERE repo_pk = ? ORDER BY kind, name")
      .all(repoPk) as Array<{ kind: RefKind; name: string; commit_oid: string; updated_at: string }>;
    return rows.map((row) => ({
      kind: row.kind,
      name: row.name,
      commitOid: row.commit_oid,
      updatedAt: row.updated_at,
    }));
  }

  setRef(repoPk: number, kind: RefKind, name: string, commitOid: string, at: string): void {
    this.db
      .prepare(
        "INSERT INTO refs (repo_pk, kind, name, commit_oid, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (repo_pk, kind, name) DO UPDATE SET commit_oid = excluded.commit_oid, updated_at = excluded.updated_at",
      )
      .run(repoPk, kind, name, commitOid, at);
  }

  deleteRef(repoPk: number, kind: RefKind, name: string): boolean {
    return (
      this.db.prepare("DELETE FROM refs WHERE repo_pk = ? AND kind = ? AND name = ?").run(repoPk, kind, name)
        .changes > 0
    );
  }

  /** The next free pull-request number of a repo. */
  nextPullRequestNumber(repoPk: number): number {
    const row = this.db
      .prepare("SELECT MAX(CAST(name AS INTEGER)) AS n FROM refs WHERE repo_pk = ? AND kind = 'pr'")
      .get(repoPk) as { n: number | null };
    return (row.n ?? 0) + 1;
  }

  /** Records a stored blob; a no-op when it is already known. */
  registerBlob(sha256: string, size: number, at: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)")
      .run(sha256, size, at);
  }

  hasBlob(sha256: string): boolean {
    return this.db.prepare("SELECT 1 FROM blobs WHERE sha256 = ?").get(sha256) !== undefined;
  }

  isBlobReferenced(sha256: string): boolean {
    return this.db.prepare("SELECT 1 FROM tree_entries WHERE sha256 = ? LIMIT 1").get(sha256) !== undefined;
  }
}
