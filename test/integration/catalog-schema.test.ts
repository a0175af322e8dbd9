// The PostgreSQL schema has the tables and columns SQLite has after all of its migrations.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { POSTGRES_MIGRATIONS } from "../../src/store/postgres-migrations.ts";
import { PostgresDatabase } from "../../src/store/sql/postgres-database.ts";
import { SqliteDatabase } from "../../src/store/sql/sqlite-database.ts";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-migrations.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

/** Tables PostgreSQL needs and SQLite does not: the migration record and the change feed's counter. */
const POSTGRES_ONLY = new Set(["hangar_schema", "catalog_change_counter"]);

/** How each SQLite column type is stored on PostgreSQL (udt names); NOCASE text becomes citext. */
const TYPE_ON_POSTGRES: Record<string, string> = {
  INTEGER: "int8",
  TEXT: "text",
  REAL: "float8",
  BLOB: "bytea",
};

interface Column {
  name: string;
  type: string;
  notNull: boolean;
}

type Schema = Map<string, Column[]>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function sqliteSchema(db: SqliteDatabase): Promise<Schema> {
  const schema: Schema = new Map();
  const tables = await db.all<{ name: string; sql: string }>(
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  );
  for (const table of tables) {
    const columns = await db.all<{ name: string; type: string; notnull: number; pk: number }>(
      'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid',
      [table.name],
    );
    schema.set(
      table.name,
      columns.map((column) => {
        const nocase = new RegExp(
          `(^|[(,\\s"])${escapeRegExp(column.name)}"?\\s+TEXT\\b[^,]*?COLLATE\\s+NOCASE`,
          "i",
        ).test(table.sql);
        const type = TYPE_ON_POSTGRES[column.type.toUpperCase()] ?? `unknown ${column.type}`;
        // A primary key column is NOT NULL on PostgreSQL whatever it declares (SQLite allows NULL in some).
        return {
          name: column.name,
          type: nocase ? "citext" : type,
          notNull: column.notnull === 1 || column.pk > 0,
        };
      }),
    );
  }
  return schema;
}

async function postgresSchema(db: PostgresDatabase): Promise<Schema> {
  const rows = await db.all<{
    table_name: string;
    column_name: string;
    udt_name: string;
    is_nullable: string;
  }>(
    `SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  const schema: Schema = new Map();
  for (const row of rows) {
    const columns = schema.get(row.table_name) ?? [];
    columns.push({ name: row.column_name, type: row.udt_name, notNull: row.is_nullable === "NO" });
    schema.set(row.table_name, columns);
  }
  return schema;
}

describe("catalog schema: PostgreSQL matches SQLite after all migrations", () => {
  let temp: { path: string; remove(): Promise<void> };
  let database: TestDatabase;
  let sqlite: SqliteDatabase;
  let postgres: PostgresDatabase;
  let fromSqlite: Schema;
  let fromPostgres: Schema;

  before(async () => {
    temp = await makeTempDir("hangar-schema-");
    sqlite = SqliteDatabase.open(join(temp.path, "catalog.db"));
    await sqlite.migrate(SQLITE_MIGRATIONS);
    database = await createTestDatabase();
    postgres = await PostgresDatabase.open(database.url);
    await postgres.migrate(POSTGRES_MIGRATIONS);
    fromSqlite = await sqliteSchema(sqlite);
    fromPostgres = await postgresSchema(postgres);
  });
  after(async () => {
    await sqlite?.close();
    await postgres?.close();
    await database?.drop();
    await temp?.remove();
  });

  it("both engines ran every migration", async () => {
    assert.equal(await sqlite.schemaVersion(), SQLITE_MIGRATIONS.length);
    assert.equal(await postgres.schemaVersion(), POSTGRES_MIGRATIONS.length);
  });

  it("has the same tables (PostgreSQL adds only its own bookkeeping tables)", () => {
    const sqliteTables = [...fromSqlite.keys()].sort();
    const postgresTables = [...fromPostgres.keys()].filter((name) => !POSTGRES_ONLY.has(name)).sort();
    assert.ok(sqliteTables.length >= 20, `SQLite has ${sqliteTables.length} tables`);
    assert.deepEqual(postgresTables, sqliteTables);
    for (const name of POSTGRES_ONLY) assert.ok(fromPostgres.has(name), `PostgreSQL has ${name}`);
  });

  it("has the same columns in each table, in the same order, with matching types and NOT NULL", () => {
    for (const [table, columns] of fromSqlite) {
      assert.deepEqual(fromPostgres.get(table), columns, `columns of ${table}`);
    }
  });
});
