import type {
  CatalogCounts,
  CommitToCheck,
  ReferencedBlob,
  RegisteredBlob,
  RepoLocation,
} from "../core/catalog-types.ts";
import type { GitObjectType } from "../core/git-objects.ts";
import type { RefKind } from "../core/types.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

export interface DanglingRef extends RepoLocation {
  kind: RefKind;
  ref: string;
  commitOid: string;
}

export interface MissingParent extends RepoLocation {
  commitOid: string;
  parentOid: string;
}

export interface TreeEntryLocation extends RepoLocation {
  commitOid: string;
  path: string;
}

/** A stored git object, with the repo it belongs to. */
export interface StoredGitObject extends RepoLocation {
  pk: number;
  oid: string;
  type: GitObjectType;
  body: Buffer;
}

/** The advisory lock gc and commits share on PostgreSQL (any fixed number; this one spells "hgc" in ASCII). */
const GC_LOCK = 0x686763;

/** Whole-catalog queries for fsck and gc: they scan every table, so nothing on a request path uses them. */
export class MaintenanceTable {
  constructor(private readonly db: SqlExecutor) {}

  /**
   * Inside a gc transaction: waits for commits checking their blobs, and holds new ones off until it ends.
   * SQLite needs nothing: its write lock already serialises the two.
   */
  async lockForGc(): Promise<void> {
    if (this.db.dialect === "postgres") await this.db.get("SELECT pg_advisory_xact_lock(?)", [GC_LOCK]);
  }

  /** Inside a commit's transaction, before it checks its blobs: gc cannot remove them until it ends. */
  async holdOffGc(): Promise<void> {
    if (this.db.dialect === "postgres")
      await this.db.get("SELECT pg_advisory_xact_lock_shared(?)", [GC_LOCK]);
  }

  async counts(): Promise<CatalogCounts> {
    const count = async (table: string) =>
      ((await this.db.get(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number }).n;
    return {
      repos: await count("repos"),
      refs: await count("refs"),
      commits: await count("commits"),
      treeEntries: await count("tree_entries"),
      gitObjects: await count("git_objects"),
      registeredBlobs: await count("blobs"),
    };
  }

  /** Refs whose commit is not in the catalog. */
  async danglingRefs(): Promise<DanglingRef[]> {
    return (await this.db.all(`SELECT r.type AS "repoType", r.namespace, r.name, f.kind, f.name AS ref, f.commit_oid AS "commitOid"
         FROM refs f JOIN repos r ON r.pk = f.repo_pk
         LEFT JOIN commits c ON c.repo_pk = f.repo_pk AND c.oid = f.commit_oid
         WHERE c.pk IS NULL ORDER BY r.type, r.namespace, r.name, f.kind, f.name`)) as DanglingRef[];
  }

  /** Parents that commits name but the catalog does not hold. */
  async missingParents(): Promise<MissingParent[]> {
    const rows = await this.db.all<{
      repoPk: number;
      repoType: MissingParent["repoType"];
      namespace: string;
      name: string;
      oid: string;
      parents: string;
    }>(
      `SELECT c.repo_pk AS "repoPk", r.type AS "repoType", r.namespace, r.name, c.oid, c.parents
         FROM commits c JOIN repos r ON r.pk = c.repo_pk ORDER BY r.type, r.namespace, r.name, c.oid`,
    );
    const known = new Set(rows.map((row) => `${row.repoPk}:${row.oid}`));
    const missing: MissingParent[] = [];
    for (const row of rows) {
      for (const parent of JSON.parse(row.parents) as string[]) {
        if (known.has(`${row.repoPk}:${parent}`)) continue;
        missing.push({
          repoType: row.repoType,
          namespace: row.namespace,
          name: row.name,
          commitOid: row.oid,
          parentOid: parent,
        });
      }
    }
    return missing;
  }

  /** Every distinct blob that tree entries record, with how many entries record it. */
  async referencedBlobs(): Promise<ReferencedBlob[]> {
    const rows =
      (await this.db.all(`SELECT sha256, size, lfs, git_oid AS "gitOid", COUNT(*) AS entries FROM tree_entries
         GROUP BY sha256, size, lfs, git_oid ORDER BY sha256`)) as Array<
        Omit<ReferencedBlob, "lfs"> & { lfs: number }
      >;
    return rows.map((row) => ({ ...row, lfs: row.lfs === 1 }));
  }

  /** The sha256 of every blob some tree entry or file of the Files API (batch inputs and outputs) references. */
  async referencedSha256s(): Promise<Set<string>> {
    const found = new Set<string>();
    for (const row of await this.db.all(
      "SELECT sha256 FROM tree_entries UNION SELECT sha256 FROM batch_files",
    )) {
      found.add((row as { sha256: string }).sha256);
    }
    return found;
  }

  async isReferenced(sha256: string): Promise<boolean> {
    return (
      (await this.db.get(
        "SELECT 1 FROM tree_entries WHERE sha256 = ? UNION ALL SELECT 1 FROM batch_files WHERE sha256 = ? LIMIT 1",
        [sha256, sha256],
      )) !== undefined
    );
  }

  /** One tree entry that records a blob, to point a report at. */
  async exampleEntry(
    blob: Pick<ReferencedBlob, "sha256" | "size" | "lfs" | "gitOid">,
  ): Promise<TreeEntryLocation | undefined> {
    return (await this.db.get(
      `SELECT r.type AS "repoType", r.namespace, r.name, c.oid AS "commitOid", t.path
         FROM tree_entries t JOIN commits c ON c.pk = t.commit_pk JOIN repos r ON r.pk = c.repo_pk
         WHERE t.sha256 = ? AND t.size = ? AND t.lfs = ? AND t.git_oid = ? LIMIT 1`,
      [blob.sha256, blob.size, blob.lfs ? 1 : 0, blob.gitOid],
    )) as TreeEntryLocation | undefined;
  }

  /** Up to `limit` git objects stored after row `afterPk`, in row order, for a check that pages through. */
  async gitObjectsAfter(afterPk: number, limit: number): Promise<StoredGitObject[]> {
    return (await this.db.all(
      `SELECT o.pk, r.type AS "repoType", r.namespace, r.name, o.oid, o.type, o.body
         FROM git_objects o JOIN repos r ON r.pk = o.repo_pk WHERE o.pk > ? ORDER BY o.pk LIMIT ?`,
      [afterPk, limit],
    )) as StoredGitObject[];
  }

  /** Up to `limit` commits after row `afterPk`, in row order. */
  async commitsAfter(afterPk: number, limit: number): Promise<CommitToCheck[]> {
    const rows = (await this.db.all(
      `SELECT c.pk, c.repo_pk AS "repoPk", r.type AS "repoType", r.namespace, r.name, c.oid, c.parents,
           c.metadata
         FROM commits c JOIN repos r ON r.pk = c.repo_pk WHERE c.pk > ? ORDER BY c.pk LIMIT ?`,
      [afterPk, limit],
    )) as Array<Omit<CommitToCheck, "parents" | "mirrored"> & { parents: string; metadata: string }>;
    return rows.map(({ metadata, ...row }) => ({
      ...row,
      parents: JSON.parse(row.parents) as string[],
      mirrored: (JSON.parse(metadata) as { mirror?: unknown }).mirror != null,
    }));
  }

  async hasGitObject(repoPk: number, oid: string): Promise<boolean> {
    return (
      (await this.db.get("SELECT 1 FROM git_objects WHERE repo_pk = ? AND oid = ?", [repoPk, oid])) !==
      undefined
    );
  }

  async registeredBlobs(): Promise<RegisteredBlob[]> {
    return (await this.db.all(
      'SELECT sha256, size, created_at AS "createdAt" FROM blobs ORDER BY sha256',
    )) as RegisteredBlob[];
  }

  async getRegisteredBlob(sha256: string): Promise<RegisteredBlob | undefined> {
    return (await this.db.get('SELECT sha256, size, created_at AS "createdAt" FROM blobs WHERE sha256 = ?', [
      sha256,
    ])) as RegisteredBlob | undefined;
  }

  async deleteRegisteredBlob(sha256: string): Promise<void> {
    await this.db.run("DELETE FROM blobs WHERE sha256 = ?", [sha256]);
  }
}
