import { buildHangarCommit, commitDate } from "../core/git-objects.ts";
import type { SqlExecutor } from "./sql/sql-database.ts";

/**
 * The tables of git objects, and the migration that gives every commit made here its git id.
 *
 * `git_objects` holds the tree objects (one per folder) and the commit object of each commit made here, byte
 * for byte, so the commit's id is git's and a git server can later produce any commit's whole object graph
 * from the catalog on any engine. Raw objects rather than the fields to rebuild them: what was hashed is what
 * gets served, whatever later changes in how Hangar writes objects, and an unchanged folder's tree is stored
 * once however many commits share it. They are kept per repo, so an object is only ever reached through a
 * repo its reader may read. Blobs are not here: their bytes are in the blob store, found by the tree entries
 * (an LFS file's blob is its pointer, rebuilt from sha256 and size). Mirrored commits have no objects: their
 * ids are the upstream's and their trees may be partial.
 *
 * `commit_aliases` keeps the ids commits had before, so links, pinned revisions and caches made with them
 * still resolve (to the commit under its new id).
 */
const SCHEMA = `
  CREATE TABLE git_objects (
    pk INTEGER PRIMARY KEY,
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    oid TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('tree', 'commit')),
    body BLOB NOT NULL,
    UNIQUE (repo_pk, oid)
  );
  CREATE TABLE commit_aliases (
    repo_pk INTEGER NOT NULL REFERENCES repos(pk) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    oid TEXT NOT NULL,
    PRIMARY KEY (repo_pk, alias)
  ) WITHOUT ROWID;
`;

interface CommitRow {
  pk: number;
  oid: string;
  parents: string;
  author: string;
  date: string;
  message: string;
  mirrored: number;
}

/**
 * Creates the git object tables and rewrites each commit made here (not mirrored) to its git id, parents
 * first, with its date cut to whole seconds as git keeps it; then every place that names an old id: parents,
 * refs, the commits files last changed in, repo heads, evaluation runs and usage events. Two old commits
 * that differed only below the second become one commit, as they are one to git; both old ids name it.
 */
export async function rewriteCommitIds(db: SqlExecutor): Promise<void> {
  await db.exec(SCHEMA);
  await db.exec(
    "CREATE TEMP TABLE renamed_commits (alias TEXT PRIMARY KEY, oid TEXT NOT NULL) WITHOUT ROWID",
  );
  const repoPks = (await db.all<{ repo_pk: number }>("SELECT DISTINCT repo_pk FROM commits")).map(
    (row) => row.repo_pk,
  );
  for (const repoPk of repoPks) await rewriteRepo(db, repoPk);

  const renamed = "SELECT oid FROM renamed_commits WHERE alias =";
  await db.exec(`
    UPDATE refs SET commit_oid = (${renamed} refs.commit_oid)
      WHERE commit_oid IN (SELECT alias FROM renamed_commits);
    UPDATE tree_entries SET last_commit = (${renamed} tree_entries.last_commit)
      WHERE last_commit IN (SELECT alias FROM renamed_commits);
    UPDATE repos SET sha = (${renamed} repos.sha) WHERE sha IN (SELECT alias FROM renamed_commits);
    UPDATE evaluation_runs SET model_commit = (${renamed} evaluation_runs.model_commit)
      WHERE model_commit IN (SELECT alias FROM renamed_commits);
    UPDATE evaluation_runs SET dataset_commit = (${renamed} evaluation_runs.dataset_commit)
      WHERE dataset_commit IN (SELECT alias FROM renamed_commits);
    UPDATE usage_events SET revision = (${renamed} usage_events.revision)
      WHERE revision IN (SELECT alias FROM renamed_commits);
    DROP TABLE temp.renamed_commits;
  `);
}

async function rewriteRepo(db: SqlExecutor, repoPk: number): Promise<void> {
  const rows = await db.all<CommitRow>(
    `SELECT pk, oid, parents, author, date, message, json_extract(metadata, '$.mirror') IS NOT NULL AS mirrored
       FROM commits WHERE repo_pk = ? ORDER BY pk`,
    [repoPk],
  );
  const byOid = new Map(rows.map((row) => [row.oid, row]));
  const renamed = new Map<string, string>();
  const newDates = new Map<string, string>();
  const mapParents = (row: CommitRow) =>
    (JSON.parse(row.parents) as string[]).map((parent) => renamed.get(parent) ?? parent);

  const rewrite = async (row: CommitRow): Promise<void> => {
    const parents = mapParents(row);
    const date = commitDate(new Date(row.date));
    const files = await db.all<{ path: string; gitOid: string }>(
      'SELECT path, git_oid AS "gitOid" FROM tree_entries WHERE commit_pk = ?',
      [row.pk],
    );
    const built = buildHangarCommit({ files, parents, author: row.author, date, message: row.message });
    await db.runMany(
      "INSERT OR IGNORE INTO git_objects (repo_pk, oid, type, body) VALUES (?, ?, ?, ?)",
      [...built.trees.objects, built.commit].map((object) => [repoPk, object.oid, object.type, object.body]),
    );
    const other = await db.get("SELECT pk FROM commits WHERE repo_pk = ? AND oid = ? AND pk != ?", [
      repoPk,
      built.oid,
      row.pk,
    ]);
    if (other) await db.run("DELETE FROM commits WHERE pk = ?", [row.pk]);
    else {
      await db.run("UPDATE commits SET oid = ?, parents = ?, date = ? WHERE pk = ?", [
        built.oid,
        JSON.stringify(parents),
        date,
        row.pk,
      ]);
    }
    newDates.set(row.oid, date);
    if (built.oid !== row.oid) {
      renamed.set(row.oid, built.oid);
      await db.run("INSERT OR IGNORE INTO commit_aliases (repo_pk, alias, oid) VALUES (?, ?, ?)", [
        repoPk,
        row.oid,
        built.oid,
      ]);
      await db.run("INSERT OR IGNORE INTO renamed_commits (alias, oid) VALUES (?, ?)", [row.oid, built.oid]);
    }
  };

  // Parents first, without recursion: a long history would overflow the stack.
  const done = new Set<string>();
  for (const start of rows) {
    if (start.mirrored || done.has(start.oid)) continue;
    const stack = [start];
    while (stack.length > 0) {
      const row = stack[stack.length - 1]!;
      const pending = (JSON.parse(row.parents) as string[])
        .map((parent) => byOid.get(parent))
        .filter(
          (parent): parent is CommitRow => parent !== undefined && !parent.mirrored && !done.has(parent.oid),
        );
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      if (done.has(row.oid)) continue;
      await rewrite(row);
      done.add(row.oid);
    }
  }

  // A mirrored commit keeps its id, but one pulled onto a branch moved here has a parent made here.
  for (const row of rows) {
    if (!row.mirrored) continue;
    const parents = mapParents(row);
    if (JSON.stringify(parents) !== row.parents) {
      await db.run("UPDATE commits SET parents = ? WHERE pk = ?", [JSON.stringify(parents), row.pk]);
    }
  }

  // The listing date of a repo is its head's date: keep the two equal.
  const repo = await db.get<{ sha: string | null; last_modified: string }>(
    "SELECT sha, last_modified FROM repos WHERE pk = ?",
    [repoPk],
  );
  const head = repo?.sha ? byOid.get(repo.sha) : undefined;
  const headDate = repo?.sha ? newDates.get(repo.sha) : undefined;
  if (head && headDate && repo?.last_modified === head.date) {
    await db.run("UPDATE repos SET last_modified = ? WHERE pk = ?", [headDate, repoPk]);
  }
}
