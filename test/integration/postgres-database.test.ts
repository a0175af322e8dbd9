import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { POSTGRES_MIGRATIONS, syncIdentitySequences } from "../../src/store/postgres-migrations.ts";
import {
  CatalogUnavailableError,
  PostgresDatabase,
  redactUrl,
} from "../../src/store/sql/postgres-database.ts";
import {
  multiRowInsertText,
  parseMultiRowInsert,
  rowsPerInsert,
  translatePlaceholders,
} from "../../src/store/sql/postgres-sql.ts";
import type { SqlExecutor } from "../../src/store/sql/sql-database.ts";
import { createTestDatabase, POSTGRES_SERVER_URL, type TestDatabase } from "../helpers/postgres.ts";

/** The error `work` rejects with. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function serverUrl(change: (url: URL) => void): string {
  const url = new URL(POSTGRES_SERVER_URL);
  change(url);
  return url.toString();
}

describe("PostgreSQL engine", () => {
  let database: TestDatabase;
  let db: PostgresDatabase;

  before(async () => {
    database = await createTestDatabase();
    db = await PostgresDatabase.open(database.url);
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  it("translates placeholders, LIKE and camelCase names outside literals, identifiers and comments", () => {
    const sql = `SELECT "odd?Name", 'it''s ? LIKE' AS t, c.git_oid AS gitOid -- why? LIKE\n FROM c
      WHERE c.name NOT LIKE ? AND c.likes > ? /* ? */ AND c.unlike = ?`;
    assert.deepEqual(translatePlaceholders(sql), {
      text: `SELECT "odd?Name", 'it''s ? LIKE' AS t, c.git_oid AS "gitOid" -- why? LIKE\n FROM c
      WHERE c.name NOT ILIKE $1 AND c.likes > $2 /* ? */ AND c.unlike = $3`,
      parameters: 3,
    });
  });

  it("rewrites single-row INSERTs of placeholders into chunks of multi-row INSERTs", () => {
    const insert = parseMultiRowInsert(
      'INSERT INTO org_members (org, "user", role) VALUES (?, ?, ?) ON CONFLICT (org, "user") DO NOTHING',
    );
    assert.deepEqual(insert, {
      head: 'INSERT INTO org_members (org, "user", role) VALUES',
      tail: ' ON CONFLICT (org, "user") DO NOTHING',
      columns: 3,
    });
    assert.equal(
      multiRowInsertText(insert!, 2),
      'INSERT INTO org_members (org, "user", role) VALUES ($1, $2, $3), ($4, $5, $6) ON CONFLICT (org, "user") DO NOTHING',
    );
    assert.equal(rowsPerInsert(3), 1000);
    assert.equal(rowsPerInsert(100), 655);
    for (const loopOnly of [
      "INSERT INTO t (a, b) VALUES (?, 'x')",
      "INSERT INTO t (a) VALUES (?) RETURNING a",
      "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b",
      "UPDATE t SET a = ? WHERE b = ?",
      "INSERT INTO t (a) SELECT ? WHERE true",
    ]) {
      assert.equal(parseMultiRowInsert(loopOnly), undefined, loopOnly);
    }
  });

  it("redacts passwords from URLs", () => {
    assert.equal(
      redactUrl("postgres://hangar:s3cret@db.example:5432/hub"),
      "postgres://hangar:***@db.example:5432/hub",
    );
    assert.equal(redactUrl("postgres://hangar@db.example/hub"), "postgres://hangar@db.example/hub");
    assert.equal(
      redactUrl("postgres://db.example/hub?user=hangar&password=s3cret"),
      "postgres://db.example/hub?user=hangar&password=***",
    );
    assert.equal(redactUrl("host=db user=hangar password=s3cret"), "host=db user=hangar password=***");
  });

  it("fails to open with HANGAR_ERR_UNAVAILABLE naming the server, never the password", async () => {
    const cases = [
      {
        url: serverUrl((url) => {
          url.port = "1";
          url.password = "hunter2-unreachable";
          url.username = "postgres";
        }),
        reason: /unreachable/,
      },
      {
        url: serverUrl((url) => {
          url.pathname = "/hangar_no_such_database";
          url.password = "hunter2-missing";
        }),
        reason: /database "hangar_no_such_database" does not exist/,
      },
      {
        url: serverUrl((url) => {
          url.username = "hangar_no_such_role";
          url.password = "hunter2-auth";
        }),
        reason: /authentication failed/,
      },
    ];
    for (const { url, reason } of cases) {
      const error = await failure(() => PostgresDatabase.open(url, { connectTimeoutMs: 3000 }));
      assert.ok(error instanceof CatalogUnavailableError, String(error));
      assert.equal(error.code, "HANGAR_ERR_UNAVAILABLE");
      assert.match(error.message, reason);
      assert.ok(error.message.includes(redactUrl(url)), error.message);
      assert.doesNotMatch(error.message, /hunter2/);
      assert.doesNotMatch(String((error.cause as Error | undefined)?.message), /hunter2/);
    }
  });

  it("refuses a transaction's handle once the transaction has ended", async () => {
    const ended = await db.transaction(async (tx) => tx);
    assert.match(String(await failure(() => ended.get("SELECT 1 AS one"))), /transaction has ended/);
  });

  it("retries a transaction that lost a deadlock, so both finish", async () => {
    await db.exec("CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL)");
    await db.runMany("INSERT INTO accounts (id, balance) VALUES (?, ?)", [
      [1, 100],
      [2, 100],
    ]);
    let tries = 0;
    let bothLocked = 0;
    const move = (from: number, to: number) =>
      db.transaction(async (tx) => {
        tries++;
        await tx.run("UPDATE accounts SET balance = balance - 10 WHERE id = ?", [from]);
        // Both hold their first row before either asks for the other's: a deadlock, on the first try.
        bothLocked++;
        while (bothLocked < 2) await sleep(5);
        await tx.run("UPDATE accounts SET balance = balance + 10 WHERE id = ?", [to]);
      });
    await Promise.all([move(1, 2), move(2, 1)]);
    assert.equal(tries, 3, "the deadlock's victim ran again");
    assert.deepEqual(await db.all("SELECT id, balance FROM accounts ORDER BY id"), [
      { id: 1, balance: 100 },
      { id: 2, balance: 100 },
    ]);
  });
});

describe("PostgreSQL catalog schema", () => {
  let database: TestDatabase;
  let db: PostgresDatabase;

  before(async () => {
    database = await createTestDatabase();
    db = await PostgresDatabase.open(database.url);
  });
  after(async () => {
    await db.close();
    await database.drop();
  });

  const insertRepo = (tx: SqlExecutor, name: string) =>
    tx.get<{ pk: number }>(
      "INSERT INTO repos (type, namespace, name, created_at, last_modified) VALUES ('model', ?, ?, ?, ?) RETURNING pk",
      ["Org", name, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"],
    );

  it("applies on a fresh database, once", async () => {
    await db.migrate(POSTGRES_MIGRATIONS);
    assert.equal(await db.schemaVersion(), POSTGRES_MIGRATIONS.length);
    await db.migrate(POSTGRES_MIGRATIONS);
    assert.equal(await db.schemaVersion(), POSTGRES_MIGRATIONS.length);
    // NOCASE names: found and kept unique whatever their case.
    await db.run("INSERT INTO namespaces (name, kind, created_at) VALUES ('Alice', 'user', 'now')");
    assert.deepEqual(await db.get("SELECT name FROM namespaces WHERE name = ?", ["ALICE"]), {
      name: "Alice",
    });
    assert.ok(
      (await failure(() =>
        db.run("INSERT INTO namespaces (name, kind, created_at) VALUES ('alice', 'user', 'now')"),
      )) instanceof Error,
    );
    await db.run(
      'INSERT INTO tokens ("user", display_name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ["alice", "laptop", "write", "hash", "now"],
    );
    await db.run("DELETE FROM namespaces WHERE name = 'ALICE'");
    assert.deepEqual(await db.get("SELECT count(*) AS n FROM tokens"), { n: 0 }, "tokens go with their user");
  });

  it("numbers catalog changes in increasing seq for inserts, updates and deletes of repos and facts", async () => {
    const before = (await db.get<{ seq: number }>("SELECT seq FROM catalog_change_counter"))!.seq;
    const repo = (await insertRepo(db, "feed-a"))!;
    await db.run("UPDATE repos SET likes = likes + 1 WHERE pk = ?", [repo.pk]);
    await db.run("INSERT INTO repo_facts (repo_pk, license) VALUES (?, 'mit')", [repo.pk]);
    await db.run("UPDATE repo_facts SET license = 'apache-2.0' WHERE repo_pk = ?", [repo.pk]);
    await db.run("DELETE FROM repos WHERE pk = ?", [repo.pk]);
    const changes = await db.all<{ seq: number; repo_pk: number }>(
      "SELECT seq, repo_pk FROM catalog_changes WHERE seq > ? ORDER BY seq",
      [before],
    );
    assert.deepEqual(
      changes,
      [1, 2, 3, 4, 5].map((step) => ({ seq: before + step, repo_pk: repo.pk })),
    );
    await db
      .transaction(async (tx) => {
        await insertRepo(tx, "rolled-back");
        throw new Error("undo");
      })
      .catch(() => undefined);
    assert.deepEqual(await db.get("SELECT seq FROM catalog_change_counter"), { seq: before + 5 });
  });

  it("hands out seq in commit order: a second writer waits for the first to commit", async () => {
    const firstWrote = gate();
    const firstMayCommit = gate();
    const first = db.transaction(async (tx) => {
      const repo = await insertRepo(tx, "order-first");
      firstWrote.resolve();
      await firstMayCommit.promise;
      return repo!.pk;
    });
    await firstWrote.promise;
    let secondDone = false;
    const second = insertRepo(db, "order-second").then((repo) => {
      secondDone = true;
      return repo!.pk;
    });
    await sleep(300);
    assert.equal(secondDone, false, "the second writer waits on the feed's counter");
    firstMayCommit.resolve();
    const [firstPk, secondPk] = await Promise.all([first, second]);
    const seqOf = async (pk: number) =>
      (await db.get<{ seq: number }>("SELECT max(seq) AS seq FROM catalog_changes WHERE repo_pk = ?", [pk]))!
        .seq;
    assert.ok((await seqOf(firstPk)) < (await seqOf(secondPk)));
  });

  it("moves identity sequences past rows copied in with their own ids", async () => {
    const copied = await db.get<{ pk: number }>(
      "INSERT INTO repos (pk, type, namespace, name, created_at, last_modified) VALUES (5000, 'model', 'copied', 'x', '', '') RETURNING pk",
    );
    assert.equal(copied?.pk, 5000);
    await db.transaction((tx) => syncIdentitySequences(tx));
    const next = await insertRepo(db, "after-copy");
    assert.equal(next?.pk, 5001);
  });
});
