import Database from "better-sqlite3";
import type { Catalog } from "../../src/store/catalog.ts";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-migrations.ts";

const connections = new Map<string, Database.Database>();

/**
 * A second, synchronous connection to a SQLite catalog's file, for tests that look at or tamper with rows
 * the way an operator or a crash would, beside the catalog's own connections. Closed by `closeRawDbs`.
 */
export function rawDb(catalog: Pick<Catalog, "location">): Database.Database {
  let db = connections.get(catalog.location);
  if (!db?.open) {
    db = new Database(catalog.location, { fileMustExist: true });
    db.pragma("busy_timeout = 10000");
    db.pragma("foreign_keys = ON");
    connections.set(catalog.location, db);
  }
  return db;
}

export function closeRawDbs(): void {
  for (const db of connections.values()) if (db.open) db.close();
  connections.clear();
}

/** Applies the SQL migrations up to `target` on a raw connection (older schemas for migration tests). */
export function migrateRaw(db: Database.Database, target: number): void {
  for (let index = db.pragma("user_version", { simple: true }) as number; index < target; index++) {
    const migration = SQLITE_MIGRATIONS[index]!;
    if (typeof migration !== "string")
      throw new Error(`migration ${index} computes: open the catalog instead`);
    db.transaction(() => {
      db.exec(migration);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
