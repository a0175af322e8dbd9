import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { rewriteCommitIds } from "../../src/store/rewrite-commit-ids.ts";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite-migrations.ts";
import { migrateRaw } from "./raw-store.ts";

type SqliteDatabase = Database.Database;

/**
 * Catalogs as Hangar wrote them before commit ids became git's (issue 20), to test the migration that
 * rewrites them. The id functions below are the ones Hangar used then.
 */

interface LegacyFile {
  path: string;
  gitOid: string;
}

function legacyFolderOid(files: readonly LegacyFile[]): string {
  const hash = createHash("sha1");
  for (const file of files) hash.update(`${file.path}\0${file.gitOid}\n`);
  return hash.digest("hex");
}

/** Hangar's own commit id before issue 20: a sha1 over its file list, parents, author, date and message. */
export function legacyCommitOid(commit: {
  files: readonly LegacyFile[];
  parents: readonly string[];
  author: string;
  date: string;
  message: string;
}): string {
  const hash = createHash("sha1");
  hash.update(`tree ${legacyFolderOid(commit.files)}\n`);
  for (const parent of commit.parents) hash.update(`parent ${parent}\n`);
  hash.update(`author ${commit.author} ${commit.date}\n\n${commit.message}`);
  return hash.digest("hex");
}

/** How many migrations a catalog had before the one that made commit ids git's. */
export const LEGACY_SCHEMA_VERSION = SQLITE_MIGRATIONS.indexOf(rewriteCommitIds);

/**
 * Writes a catalog at the legacy schema version holding the rows of a current one: the legacy tables, with
 * the columns they had then. The change feed is left to the triggers that fill it.
 */
export function copyIntoLegacyCatalog(currentPath: string, legacyPath: string): void {
  const legacy = new Database(legacyPath);
  try {
    migrateRaw(legacy, LEGACY_SCHEMA_VERSION);
    legacy.pragma("foreign_keys = OFF");
    legacy.prepare("ATTACH DATABASE ? AS current").run(currentPath);
    const tables = legacy
      .prepare(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'catalog_changes'",
      )
      .all() as Array<{ name: string }>;
    legacy.transaction(() => {
      for (const { name } of tables) {
        const columns = (legacy.pragma(`main.table_info("${name}")`) as Array<{ name: string }>)
          .map((column) => `"${column.name}"`)
          .join(", ");
        legacy.exec(`INSERT INTO main."${name}" (${columns}) SELECT ${columns} FROM current."${name}"`);
      }
    })();
    legacy.exec("DETACH DATABASE current");
  } finally {
    legacy.close();
  }
}

/** Legacy dates kept milliseconds; these are added to each commit's (whole-second) date. */
export const LEGACY_MILLISECONDS = 123;

/**
 * Gives every commit made here (not mirrored) its legacy id and a date with milliseconds, parents first
 * (commits are taken in row order), and rewrites every place that names it, as the legacy code wrote them.
 * Returns each commit's legacy id by its git id.
 */
export function rewriteToLegacyIds(db: SqliteDatabase): Map<string, string> {
  const rows = db
    .prepare(
      `SELECT pk, oid, parents, author, date, message, json_extract(metadata, '$.mirror') IS NOT NULL AS mirrored
       FROM commits ORDER BY pk`,
    )
    .all() as Array<{
    pk: number;
    oid: string;
    parents: string;
    author: string;
    date: string;
    message: string;
    mirrored: number;
  }>;
  const legacy = new Map<string, string>();
  const legacyDates = new Map<string, string>();
  db.transaction(() => {
    for (const row of rows) {
      const parents = (JSON.parse(row.parents) as string[]).map((parent) => legacy.get(parent) ?? parent);
      if (row.mirrored) {
        db.prepare("UPDATE commits SET parents = ? WHERE pk = ?").run(JSON.stringify(parents), row.pk);
        continue;
      }
      const files = db
        .prepare("SELECT path, git_oid AS gitOid FROM tree_entries WHERE commit_pk = ? ORDER BY path")
        .all(row.pk) as LegacyFile[];
      const date = new Date(Date.parse(row.date) + LEGACY_MILLISECONDS).toISOString();
      const oid = legacyCommitOid({ files, parents, author: row.author, date, message: row.message });
      legacy.set(row.oid, oid);
      legacyDates.set(row.oid, date);
      db.prepare("UPDATE commits SET oid = ?, parents = ?, date = ? WHERE pk = ?").run(
        oid,
        JSON.stringify(parents),
        date,
        row.pk,
      );
    }
    const rename = (table: string, column: string) => {
      const update = db.prepare(`UPDATE ${table} SET ${column} = ? WHERE ${column} = ?`);
      for (const [gitId, legacyId] of legacy) update.run(legacyId, gitId);
    };
    for (const [gitId, date] of legacyDates) {
      db.prepare("UPDATE repos SET last_modified = ? WHERE sha = ?").run(date, gitId);
    }
    rename("refs", "commit_oid");
    rename("tree_entries", "last_commit");
    rename("repos", "sha");
    rename("evaluation_runs", "model_commit");
    rename("evaluation_runs", "dataset_commit");
    rename("usage_events", "revision");
  })();
  return legacy;
}
