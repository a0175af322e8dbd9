import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OutsideTransactionError, type SqlDatabase } from "../../src/store/sql/sql-database.ts";
import type { SqliteDatabase } from "../../src/store/sql/sqlite-database.ts";
import {
  type ContractDatabase,
  type Engine,
  failure,
  openContractDatabase,
  SQL_ENGINES,
  sqliteEngine,
} from "../helpers/sql-engines.ts";

for (const makeEngine of SQL_ENGINES) {
  describe(`SqlDatabase contract, statements: ${makeEngine.name.replace("Engine", "")}`, () => {
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

    it("reads and writes through all, get, run, arrays, runMany and batches", async () => {
      assert.equal(db.dialect, engine.name);
      const insert = "INSERT INTO items (name, size, score, body) VALUES (?, ?, ?, ?)";
      const rows = ["alpha", "beta", "gamma", "delta", "epsilon"].map((name, index) => [
        name,
        index + 1,
        index / 2,
        new Uint8Array([index, 255]),
      ]);
      assert.equal(await db.runMany(insert, rows), 5);

      const all = await db.all<{ id: number; name: string; size: number; score: number; body: Uint8Array }>(
        "SELECT id, name, size, score, body FROM items ORDER BY id",
      );
      assert.deepEqual(
        all.map((row) => [row.name, row.size, row.score]),
        rows.map((row) => row.slice(0, 3)),
      );
      assert.ok(all.every((row) => typeof row.id === "number"));
      assert.deepEqual([...all[3]!.body], [3, 255]);

      const one = await db.get<{ size: number }>("SELECT size FROM items WHERE name = ?", ["gamma"]);
      assert.deepEqual(one, { size: 3 });
      assert.equal(await db.get("SELECT size FROM items WHERE name = ?", ["zeta"]), undefined);

      assert.deepEqual(await db.run("UPDATE items SET size = size * 10 WHERE size > ?", [3]), { changes: 2 });
      assert.deepEqual(await db.arrays("SELECT name, size FROM items WHERE size >= ? ORDER BY size", [10]), [
        ["delta", 40],
        ["epsilon", 50],
      ]);

      // Aggregates (int8 and numeric on PostgreSQL) and comparisons (boolean there) as numbers.
      const totals = await db.get("SELECT count(*) AS n, sum(size) AS total, (1 < 2) AS yes FROM items");
      assert.deepEqual(totals, { n: 5, total: 96, yes: 1 });

      const pages: string[][] = [];
      for await (const page of db.batches<{ name: string }>(
        "SELECT name FROM items WHERE size < ? ORDER BY name",
        [1000],
        2,
      )) {
        pages.push(page.map((row) => row.name));
      }
      assert.deepEqual(pages, [["alpha", "beta"], ["delta", "epsilon"], ["gamma"]]);

      assert.deepEqual(await db.run("DELETE FROM items WHERE name = ?", ["beta"]), { changes: 1 });
      assert.equal((await db.all("SELECT name FROM items")).length, 4);
    });

    it("leaves ? inside string literals alone and makes LIKE ignore ASCII case", async () => {
      await db.run("INSERT INTO notes (id, text) VALUES (?, 'what?')", [1]);
      await db.run("INSERT INTO notes (id, text) VALUES (?, ?)", [2, "it's ? here"]);
      assert.deepEqual(await db.get("SELECT '?' AS mark, 'it''s ?' AS quoted, ? AS value", ["x"]), {
        mark: "?",
        quoted: "it's ?",
        value: "x",
      });
      const texts = await db.all<{ text: string }>(
        "SELECT text FROM notes WHERE text = 'what?' OR id = ? ORDER BY id",
        [2],
      );
      assert.deepEqual(
        texts.map((row) => row.text),
        ["what?", "it's ? here"],
      );
      await db.run("INSERT INTO notes (id, text) VALUES (?, ?)", [3, "Mixed CASE Text"]);
      const liked = await db.all("SELECT id FROM notes WHERE text LIKE ? ORDER BY id", ["mixed case%"]);
      assert.deepEqual(liked, [{ id: 3 }]);
      // camelCase result names keep their case, in the select list and where they are used again.
      const renamed = await db.all(
        'SELECT id AS noteId, text AS "noteText" FROM notes WHERE id >= ? ORDER BY noteId DESC LIMIT 1',
        [2],
      );
      assert.deepEqual(renamed, [{ noteId: 3, noteText: "Mixed CASE Text" }]);
    });

    it("allCached answers as of the last commit, whichever handle made it", async () => {
      const other = await openHandle();
      await db.exec(`CREATE TABLE cached (id ${engine.types.int} PRIMARY KEY, text TEXT NOT NULL)`);
      const select = "SELECT text FROM cached WHERE id = ?";
      const read = async () => (await db.allCached<{ text: string }>(select, [900])).map((row) => row.text);
      assert.deepEqual(await read(), []);
      await db.run("INSERT INTO cached (id, text) VALUES (?, ?)", [900, "first"]);
      assert.deepEqual(await read(), ["first"]);
      assert.deepEqual(await read(), ["first"]);
      await db.run("UPDATE cached SET text = ? WHERE id = ?", ["by this handle", 900]);
      assert.deepEqual(await read(), ["by this handle"]);
      // A write that returns rows, outside a transaction, as a read would be asked for.
      assert.deepEqual(
        await db.get("UPDATE cached SET text = ? WHERE id = ? RETURNING id", ["returning", 900]),
        { id: 900 },
      );
      assert.deepEqual(await read(), ["returning"]);
      // Another handle is another connection, as another process's would be.
      await other.run("UPDATE cached SET text = ? WHERE id = ?", ["by another handle", 900]);
      assert.deepEqual(await read(), ["by another handle"]);
      await other.transaction(async (tx) => {
        await tx.run("DELETE FROM cached WHERE id = ?", [900]);
      });
      assert.deepEqual(await read(), []);
      await db.transaction(async (tx) => {
        await tx.run("INSERT INTO cached (id, text) VALUES (?, ?)", [900, "in a transaction"]);
        const inside = await tx.allCached<{ text: string }>(select, [900]);
        assert.deepEqual(
          inside.map((row) => row.text),
          ["in a transaction"],
        );
        assert.ok((await failure(read)) instanceof OutsideTransactionError);
      });
      assert.deepEqual(await read(), ["in a transaction"]);
    });

    it("runMany: many rows at once, conflicts ignored or updated row by row, all or nothing", async () => {
      const { int } = engine.types;
      await db.exec(`CREATE TABLE bulk (a ${int} PRIMARY KEY, b TEXT, c ${int}, d TEXT)`);
      const rows = Array.from({ length: 25_000 }, (_, index) => [index, `b${index}`, index * 2, "?"]);
      assert.equal(await db.runMany("INSERT INTO bulk (a, b, c, d) VALUES (?, ?, ?, ?)", rows), 25_000);
      assert.deepEqual(await db.get("SELECT count(*) AS n, sum(c) AS total FROM bulk"), {
        n: 25_000,
        total: 25_000 * 24_999,
      });

      const ignore = "INSERT INTO bulk (a, b, c, d) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
      const more = [
        [24_999, "old", 0, ""],
        [30_000, "new", 1, ""],
        [30_000, "twice", 2, ""],
      ];
      assert.equal(await db.runMany(ignore, more), 1);
      assert.deepEqual(await db.get("SELECT b FROM bulk WHERE a = ?", [30_000]), { b: "new" });

      const upsert =
        "INSERT INTO bulk (a, b, c, d) VALUES (?, ?, ?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b";
      const updates = [
        [7, "first", 0, ""],
        [7, "last", 0, ""],
      ];
      assert.equal(await db.runMany(upsert, updates), 2);
      assert.deepEqual(await db.get("SELECT b FROM bulk WHERE a = ?", [7]), { b: "last" });

      const failing = [
        [40_000, "x", 0, ""],
        [40_000, "duplicate", 0, ""],
      ];
      await failure(() => db.runMany("INSERT INTO bulk (a, b, c, d) VALUES (?, ?, ?, ?)", failing));
      assert.equal(await db.get("SELECT a FROM bulk WHERE a = ?", [40_000]), undefined);
      // Row by row (an upsert), still one transaction: the first row goes when the second fails.
      const loop =
        "INSERT INTO items (name, size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET size = excluded.size";
      await failure(() =>
        db.runMany(loop, [
          ["loop-a", 1],
          [null, 2],
        ]),
      );
      assert.equal(await db.get("SELECT size FROM items WHERE name = 'loop-a'"), undefined);
    });

    if (makeEngine === sqliteEngine) {
      it("withoutSync turns synchronous off for the work and restores it after", async () => {
        const sqlite = db as SqliteDatabase;
        const synchronous = () => sqlite.transaction(async (tx) => tx.get("PRAGMA synchronous"));
        assert.deepEqual(await synchronous(), { synchronous: 2 });
        const during = await sqlite.withoutSync(synchronous);
        assert.deepEqual(during, { synchronous: 0 });
        assert.deepEqual(await synchronous(), { synchronous: 2 });
        await failure(() =>
          sqlite.withoutSync(async () => {
            throw new Error("bulk load failed");
          }),
        );
        assert.deepEqual(await synchronous(), { synchronous: 2 });
      });
    }
  });
}
