// The discussions migration gives pull requests opened before it (refs/pr/N only) their rows, on both engines.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Catalog, CatalogTables } from "../../src/store/catalog.ts";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-migrations.ts";
import { PostgresDatabase } from "../../src/store/sql/postgres-database.ts";
import type { SqlDatabase } from "../../src/store/sql/sql-database.ts";
import { SqliteDatabase } from "../../src/store/sql/sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-migrations.ts";
import { createTestDatabase } from "../helpers/postgres.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const AT = "2026-01-02T03:04:05.000Z";
const oid = (n: number) => n.toString(16).padStart(40, "0");

/** Writes a repo with `refs/pr/1` (on a commit) and `refs/pr/2` (on a commit the catalog lacks). */
async function writeOldPullRequests(database: SqlDatabase): Promise<number> {
  const tables = new CatalogTables(database);
  const repo = await tables.repos.insert({
    type: "model",
    namespace: "alice",
    name: "old",
    private: false,
    createdAt: AT,
  });
  await tables.commits.insertCommit(repo.pk, {
    oid: oid(1),
    parents: [],
    author: "bob",
    date: AT,
    title: "Proposed change",
    message: "Proposed change",
    metadata: {},
  });
  await tables.commits.setRef(repo.pk, "branch", "main", oid(1), AT);
  await tables.commits.setRef(repo.pk, "pr", "1", oid(1), AT);
  await tables.commits.setRef(repo.pk, "pr", "2", oid(2), AT);
  return repo.pk;
}

async function assertBackfilled(catalog: Catalog, repoPk: number): Promise<void> {
  const first = await catalog.discussions.get(repoPk, 1);
  assert.deepEqual(first && { ...first, pk: 0 }, {
    pk: 0,
    repoPk,
    num: 1,
    title: "Proposed change",
    author: "bob",
    isPullRequest: true,
    status: "open",
    targetBranch: "main",
    mergeCommitOid: null,
    createdAt: AT,
  });
  assert.equal((await catalog.discussions.get(repoPk, 2))?.title, "Pull request 2");
  assert.equal((await catalog.discussions.get(repoPk, 2))?.author, "deleted");
  assert.equal(await catalog.discussions.nextNumber(repoPk), 3);
}

/** The migrations that ran before the one that made the discussions tables. */
function beforeDiscussions<T>(migrations: readonly T[]): T[] {
  const index = migrations.findIndex(
    (migration) => typeof migration === "string" && migration.includes("CREATE TABLE discussions"),
  );
  assert.ok(index > 0, "a migration creates the discussions table");
  return migrations.slice(0, index);
}

describe("discussions migration", () => {
  it("backfills old pull requests on SQLite", async () => {
    const temp = await makeTempDir("hangar-discussions-");
    try {
      const path = join(temp.path, "catalog.db");
      const old = SqliteDatabase.open(path);
      await old.migrate(beforeDiscussions(SQLITE_MIGRATIONS));
      const repoPk = await writeOldPullRequests(old);
      await old.close();
      const catalog = await Catalog.open(path);
      try {
        await assertBackfilled(catalog, repoPk);
      } finally {
        await catalog.close();
      }
    } finally {
      await temp.remove();
    }
  });

  it("backfills old pull requests on PostgreSQL", async () => {
    const database = await createTestDatabase();
    try {
      const old = await PostgresDatabase.open(database.url);
      await old.migrate(beforeDiscussions(POSTGRES_MIGRATIONS));
      const repoPk = await writeOldPullRequests(old);
      await old.close();
      const catalog = await Catalog.open(database.url);
      try {
        await assertBackfilled(catalog, repoPk);
      } finally {
        await catalog.close();
      }
    } finally {
      await database.drop();
    }
  });
});
