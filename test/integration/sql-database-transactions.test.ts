import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  OutsideTransactionError,
  type SqlDatabase,
  type SqlExecutor,
} from "../../src/store/sql/sql-database.ts";
import {
  type ContractDatabase,
  type Engine,
  failure,
  gate,
  openContractDatabase,
  SQL_ENGINES,
} from "../helpers/sql-engines.ts";

for (const makeEngine of SQL_ENGINES) {
  describe(`SqlDatabase contract, transactions and migrations: ${makeEngine.name.replace("Engine", "")}`, () => {
    let contract: ContractDatabase;
    let engine: Engine;
    let db: SqlDatabase;
    const openHandle = () => contract.openHandle();

    before(async () => {
      contract = await openContractDatabase(makeEngine);
      ({ engine, db } = contract);
    });

    after(async () => {
      await contract.close();
    });

    it("commits a transaction's writes together, rolls them back when it throws", async () => {
      const result = await db.transaction(async (tx) => {
        await tx.run("INSERT INTO notes (id, text) VALUES (?, ?)", [10, "ten"]);
        await tx.runMany("INSERT INTO notes (id, text) VALUES (?, ?)", [
          [11, "eleven"],
          [12, "twelve"],
        ]);
        return (await tx.all("SELECT id FROM notes WHERE id >= ? ORDER BY id", [10])).length;
      });
      assert.equal(result, 3);
      assert.equal((await db.all("SELECT id FROM notes WHERE id >= 10")).length, 3);

      const error = await failure(() =>
        db.transaction(async (tx) => {
          await tx.run("INSERT INTO notes (id, text) VALUES (?, ?)", [13, "thirteen"]);
          await tx.run("UPDATE notes SET text = ? WHERE id = ?", ["changed", 10]);
          throw new Error("changed my mind");
        }),
      );
      assert.equal((error as Error).message, "changed my mind");
      assert.equal(await db.get("SELECT id FROM notes WHERE id = 13"), undefined);
      assert.deepEqual(await db.get("SELECT text FROM notes WHERE id = 10"), { text: "ten" });
    });

    it("keeps a transaction's writes invisible outside it until it commits", async () => {
      const written = gate();
      const release = gate();
      const transaction = db.transaction(async (tx) => {
        await tx.run("INSERT INTO notes (id, text) VALUES (?, ?)", [20, "pending"]);
        written.open();
        await release.opened;
      });
      await written.opened;
      assert.equal(await db.get("SELECT text FROM notes WHERE id = 20"), undefined);
      release.open();
      await transaction;
      assert.deepEqual(await db.get("SELECT text FROM notes WHERE id = 20"), { text: "pending" });
    });

    it("refuses statements on the database's own handle inside a transaction", async () => {
      await db.transaction(async (tx) => {
        await tx.run("INSERT INTO notes (id, text) VALUES (?, ?)", [30, "inside"]);
        for (const misuse of [
          () => db.get("SELECT 1 AS one"),
          () => db.all("SELECT 1 AS one"),
          () => db.arrays("SELECT 1 AS one"),
          () => db.run("DELETE FROM notes WHERE id = 30"),
          () => db.runMany("DELETE FROM notes WHERE id = ?", [[30]]),
          () => db.exec("SELECT 1"),
          () => db.batches("SELECT 1", [], 1).next(),
          () => db.transaction(async () => undefined),
        ]) {
          assert.ok((await failure(misuse)) instanceof OutsideTransactionError);
        }
      });
      assert.deepEqual(await db.get("SELECT text FROM notes WHERE id = 30"), { text: "inside" });
    });

    it("serialises concurrent read-then-write transactions", async () => {
      await db.run("INSERT INTO counter (id, n) VALUES (1, 0)");
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const row = await tx.get<{ n: number }>(`SELECT n FROM counter WHERE id = 1${engine.forUpdate}`);
            await sleep(1);
            await tx.run("UPDATE counter SET n = ? WHERE id = 1", [row!.n + 1]);
          }),
        ),
      );
      assert.deepEqual(await db.get("SELECT n FROM counter WHERE id = 1"), { n: 20 });
    });

    it("gives a read-only transaction a stable snapshot while another write commits", async () => {
      await db.run("INSERT INTO notes (id, text) VALUES (?, ?)", [40, "before"]);
      const firstRead = gate();
      const written = gate();
      const count = "SELECT count(*) AS n FROM notes WHERE id >= 40";
      const seen = db.transaction(
        async (tx) => {
          const first = await tx.get<{ n: number }>(count);
          firstRead.open();
          await written.opened;
          const second = await tx.get<{ n: number }>(count);
          const paged: number[] = [];
          for await (const page of tx.batches<{ n: number }>(count, [], 10)) paged.push(page[0]!.n);
          return [first!.n, second!.n, ...paged];
        },
        { readOnly: true },
      );
      await firstRead.opened;
      await db.run("INSERT INTO notes (id, text) VALUES (?, ?)", [41, "during"]);
      written.open();
      assert.deepEqual(await seen, [1, 1, 1]);
      assert.deepEqual(await db.get(count), { n: 2 });
      const write = await failure(() =>
        db.transaction((tx) => tx.run("DELETE FROM notes WHERE id = 40"), { readOnly: true }),
      );
      assert.ok(write instanceof Error);
      assert.deepEqual(await db.get(count), { n: 2 });
    });

    it("waits for another handle's write transaction to run a write that returns rows (INSERT ... RETURNING)", async () => {
      const other = await openHandle();
      const holding = gate();
      const release = gate();
      const held = other.transaction(async (tx) => {
        await tx.run("INSERT INTO notes (id, text) VALUES (?, ?)", [60, "held"]);
        holding.open();
        await release.opened;
      });
      await holding.opened;
      const returned = db.get<{ id: number }>("INSERT INTO notes (id, text) VALUES (?, ?) RETURNING id", [
        61,
        "returned",
      ]);
      await sleep(200);
      release.open();
      await held;
      assert.deepEqual(await returned, { id: 61 });
      assert.deepEqual(await db.all("SELECT id FROM notes WHERE id >= 60 ORDER BY id"), [
        { id: 60 },
        { id: 61 },
      ]);
      const refused = await failure(() =>
        db.transaction((tx) => tx.get("INSERT INTO notes (id, text) VALUES (62, 'x') RETURNING id"), {
          readOnly: true,
        }),
      );
      assert.ok(refused instanceof Error);
      assert.equal(await db.get("SELECT id FROM notes WHERE id = 62"), undefined);
    });

    it("migrates each migration once when two handles migrate at once", async () => {
      assert.equal(await db.schemaVersion(), 0);
      const { int } = engine.types;
      const migrations = [
        `CREATE TABLE migration_log (step ${int} NOT NULL)`,
        async (tx: SqlExecutor) => {
          const row = await tx.get<{ n: number }>("SELECT count(*) AS n FROM migration_log");
          await tx.run("INSERT INTO migration_log (step) VALUES (?)", [row!.n + 1]);
        },
        "INSERT INTO migration_log (step) VALUES (100); CREATE TABLE migrated_table (x TEXT)",
      ];
      const other = await openHandle();
      await Promise.all([
        db.migrate(migrations),
        other.migrate(migrations),
        db.migrate(migrations.slice(0, 2)),
      ]);
      assert.equal(await db.schemaVersion(), 3);
      assert.equal(await other.schemaVersion(), 3);
      assert.deepEqual(await db.all("SELECT step FROM migration_log ORDER BY step"), [
        { step: 1 },
        { step: 100 },
      ]);
      await db.migrate(migrations);
      assert.equal(await db.schemaVersion(), 3);
    });
  });
}
