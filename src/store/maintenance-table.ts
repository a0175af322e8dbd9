import type { GitObjectType } from "../core/git-objects.ts";
import type { RefKind, RepoType } from "../core/types.ts";
import type { SqliteDatabase } from "./catalog.ts";

/** Where a repo, ref or file lives, for maintenance reports. */
export interface RepoLocation {
  repoType: RepoType;
  namespace: string;
  name: string;
}

export interface DanglingRef extends RepoLocation {
  kind: RefKind;
  ref: string;
  commitOid: string;
}

export interface MissingParent extends RepoLocation {
  commitOid: string;
  parentOid: string;
}

/** One distinct (content, size, kind, git id) combination that tree entries record. */
export interface ReferencedBlob {
  sha256: string;
  size: number;
  lfs: boolean;
  gitOid: string;
  /** How many tree entries record it. */
  entries: number;
}

export interface TreeEntryLocation extends RepoLocation {
  commitOid: string;
  path: string;
}

export interface RegisteredBlob {
  sha256: string;
  size: number;
  createdAt: string;
}

export interface CatalogCounts {
  repos: number;
  refs: number;
  commits: number;
  treeEntries: number;
  /** Tree and commit objects of commits made here. */
  gitObjects: number;
  registeredBlobs: number;
}

/** A stored git object, with the repo it belongs to. */
export interface StoredGitObject extends RepoLocation {
  pk: number;
  oid: string;
  type: GitObjectType;
  body: Buffer;
}

/** A commit as the git object check needs it. */
export interface CommitToCheck extends RepoLocation {
  pk: number;
  repoPk: number;
  oid: string;
  parents: string[];
  /** Pulled from an upstream: it keeps the upstream's id and has no objects here. */
  mirrored: boolean;
}

/** Whole-catalog queries for fsck and gc: they scan every table, so nothing on a request path uses them. */
export class MaintenanceTable {
  constructor(private readonly db: SqliteDatabase) {}

  counts(): CatalogCounts {
    const count = (table: string) =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      repos: count("repos"),
      refs: count("refs"),
      commits: count("commits"),
      treeEntries: count("tree_entries"),
      gitObjects: count("git_objects"),
      registeredBlobs: count("blobs"),
    };
  }

  /** Refs whose commit is not in the catalog. */
  danglingRefs(): DanglingRef[] {
    return this.db
      .prepare(
        `SELECT r.type AS repoType, r.namespace, r.name, f.kind, f.name AS ref, f.commit_oid AS commitOid
         FROM refs f JOIN repos r ON r.pk = f.repo_pk
         LEFT JOIN commits c ON c.repo_pk = f.repo_pk AND c.oid = f.commit_oid
         WHERE c.pk IS NULL ORDER BY r.type, r.namespace, r.name, f.kind, f.name`,
      )
      .all() as DanglingRef[];
  }

  /** Parents that commits name but the catalog does not hold. */
  missingParents(): MissingParent[] {
    return this.db
      .prepare(
        `SELECT r.type AS repoType, r.namespace, r.name, c.oid AS commitOid, p.value AS parentOid
         FROM commits c JOIN repos r ON r.pk = c.repo_pk, json_each(c.parents) p
         LEFT JOIN commits q ON q.repo_pk = c.repo_pk AND q.oid = p.value
         WHERE q.pk IS NULL ORDER BY r.type, r.namespace, r.name, c.oid`,
      )
      .all() as MissingParent[];
  }

  /** Every distinct blob that tree entries record, with how many entries record it. */
  referencedBlobs(): ReferencedBlob[] {
    const rows = this.db
      .prepare(
        `SELECT sha256, size, lfs, git_oid AS gitOid, COUNT(*) AS entries FROM tree_entries
         GROUP BY sha256, size, lfs, git_oid ORDER BY sha256`,
      )
      .all() as Array<Omit<ReferencedBlob, "lfs"> & { lfs: number }>;
    return rows.map((row) => ({ ...row, lfs: row.lfs === 1 }));
  }

  /** The sha256 of every blob some tree entry references. */
  referencedSha256s(): Set<string> {
    const found = new Set<string>();
    for (const row of this.db.prepare("SELECT DISTINCT sha256 FROM tree_entries").iterate()) {
      found.add((row as { sha256: string }).sha256);
    }
    return found;
  }

  isReferenced(sha256: string): boolean {
    return this.db.prepare("SELECT 1 FROM tree_entries WHERE sha256 = ? LIMIT 1").get(sha256) !== undefined;
  }

  /** One tree entry that records a blob, to point a report at. */
  exampleEntry(
    blob: Pick<ReferencedBlob, "sha256" | "size" | "lfs" | "gitOid">,
  ): TreeEntryLocation | undefined {
    return this.db
      .prepare(
        `SELECT r.type AS repoType, r.namespace, r.name, c.oid AS commitOid, t.path
         FROM tree_entries t JOIN commits c ON c.pk = t.commit_pk JOIN repos r ON r.pk = c.repo_pk
         WHERE t.sha256 = ? AND t.size = ? AND t.lfs = ? AND t.git_oid = ? LIMIT 1`,
      )
      .get(blob.sha256, blob.size, blob.lfs ? 1 : 0, blob.gitOid) as TreeEntryLocation | undefined;
  }

  /** Up to `limit` git objects stored after row `afterPk`, in row order, for a check that pages through. */
  gitObjectsAfter(afterPk: number, limit: number): StoredGitObject[] {
    return this.db
      .prepare(
        `SELECT o.pk, r.type AS repoType, r.namespace, r.name, o.oid, o.type, o.body
         FROM git_objects o JOIN repos r ON r.pk = o.repo_pk WHERE o.pk > ? ORDER BY o.pk LIMIT ?`,
      )
      .all(afterPk, limit) as StoredGitObject[];
  }

  /** Up to `limit` commits after row `afterPk`, in row order. */
  commitsAfter(afterPk: number, limit: number): CommitToCheck[] {
    const rows = this.db
      .prepare(
        `SELECT c.pk, c.repo_pk AS repoPk, r.type AS repoType, r.namespace, r.name, c.oid, c.parents,
           json_extract(c.metadata, '$.mirror') IS NOT NULL AS mirrored
         FROM commits c JOIN repos r ON r.pk = c.repo_pk WHERE c.pk > ? ORDER BY c.pk LIMIT ?`,
      )
      .all(afterPk, limit) as Array<
      Omit<CommitToCheck, "parents" | "mirrored"> & { parents: string; mirrored: number }
    >;
    return rows.map((row) => ({
      ...row,
      parents: JSON.parse(row.parents) as string[],
      mirrored: row.mirrored === 1,
    }));
  }

  hasGitObject(repoPk: number, oid: string): boolean {
    return (
      this.db.prepare("SELECT 1 FROM git_objects WHERE repo_pk = ? AND oid = ?").get(repoPk, oid) !==
      undefined
    );
  }

  registeredBlobs(): RegisteredBlob[] {
    return this.db
      .prepare("SELECT sha256, size, created_at AS createdAt FROM blobs ORDER BY sha256")
      .all() as RegisteredBlob[];
  }

  getRegisteredBlob(sha256: string): RegisteredBlob | undefined {
    return this.db
      .prepare("SELECT sha256, size, created_at AS createdAt FROM blobs WHERE sha256 = ?")
      .get(sha256) as RegisteredBlob | undefined;
  }

  deleteRegisteredBlob(sha256: string): void {
    this.db.prepare("DELETE FROM blobs WHERE sha256 = ?").run(sha256);
  }
}
