// The budgets an inference call looks up (by scope kind and name, without regard to case) are found through
// the `budgets_scope_lower` index on both engines, not by reading the whole table.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BudgetsTable } from "../../src/store/budgets-table.ts";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-migrations.ts";
import { PostgresDatabase } from "../../src/store/sql/postgres-database.ts";
import type { SqlDatabase, SqlValue } from "../../src/store/sql/sql-database.ts";
import { SqliteDatabase } from "../../src/store/sql/sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-migrations.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const BUDGETS = 5000;

/** The budgets table's statements, as it sends them, with their parameters. */
function recording(db: SqlDatabase): {
  table: BudgetsTable;
  statements: Array<[string, readonly SqlValue[]]>;
} {
  const statements: Array<[string, readonly SqlValue[]]> = [];
  const spy = new Proxy(db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== "all" && property !== "allCached" && property !== "get")
        return typeof value === "function" ? value.bind(target) : value;
      return (sql: string, params: readonly SqlValue[] = []) => {
        statements.push([sql, params]);
        return value.call(target, sql, params);
      };
    },
  });
  return { table: new BudgetsTable(spy), statements };
}

async function planOf(db: SqlDatabase, sql: string, params: readonly SqlValue[]): Promise<string> {
  if (db.dialect === "sqlite") {
    const rows = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
    return rows.map((row) => row.detail).join("\n");
  }
  const rows = await db.all<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
  return rows.map((row) => row["QUERY PLAN"]).join("\n");
}

function indexSuite(engine: "SQLite" | "PostgreSQL") {
  describe(`budget lookups on ${engine}`, () => {
    let db: SqlDatabase;
    let temp: Awaited<ReturnType<typeof makeTempDir>>;
    let database: TestDatabase | undefined;

    before(async () => {
      temp = await makeTempDir("hangar-budget-index-");
      if (engine === "SQLite") {
        db = SqliteDatabase.open(join(temp.path, "catalog.db"));
        await db.migrate(SQLITE_MIGRATIONS);
      } else {
        database = await createTestDatabase();
        db = await PostgresDatabase.open(database.url);
        await db.migrate(POSTGRES_MIGRATIONS);
      }
      const at = new Date(0).toISOString();
      await db.runMany(
        `INSERT INTO budgets (id, scope_kind, scope_name, unit, period, limit_amount, thresholds, created_at, updated_at)
         VALUES (?, 'user', ?, 'requests', 'day', 10, '[]', ?, ?)`,
        Array.from({ length: BUDGETS }, (_, n) => [`bgt_${n}`, `User${n}`, at, at]),
      );
      await db.exec(engine === "SQLite" ? "ANALYZE" : "ANALYZE budgets");
    });

    after(async () => {
      await db?.close();
      await database?.drop();
      await temp?.remove();
    });

    it("finds a call's budgets by scope without regard to case through the index", async () => {
      const { table, statements } = recording(db);
      const matched = await table.matching([
        { kind: "user", name: "user42" },
        { kind: "model", name: "Org/Model" },
      ]);
      assert.deepEqual(
        matched.map((budget) => budget.scopeName),
        ["User42"],
      );
      const found = await table.find("user", "USER4242", "requests", "day");
      assert.equal(found?.id, "bgt_4242");
      assert.equal(statements.length, 2);
      for (const [sql, params] of statements) {
        const plan = await planOf(db, sql, params);
        assert.match(plan, /budgets_scope_lower/, `${sql}\n${plan}`);
      }
    });
  });
}

indexSuite("SQLite");
indexSuite("PostgreSQL");
