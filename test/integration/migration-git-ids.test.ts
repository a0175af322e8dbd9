import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { defaultConfig } from "../../src/core/config.ts";
import type { Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { storeTextFile } from "../../src/hub/import-folder.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { recordMirroredCommit } from "../../src/hub/mirror/record-mirrored-commit.ts";
import { resolveRevision } from "../../src/hub/resolve-revision.ts";
import { createBranch } from "../../src/hub/write/create-branch.ts";
import { createTag } from "../../src/hub/write/create-tag.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import { SQLITE_MIGRATIONS as MIGRATIONS } from "../../src/store/sqlite-migrations.ts";
import {
  copyIntoLegacyCatalog,
  LEGACY_MILLISECONDS,
  LEGACY_SCHEMA_VERSION,
  legacyCommitOid,
  rewriteToLegacyIds,
} from "../helpers/legacy-catalog.ts";
import { closeRawDbs, rawDb } from "../helpers/raw-store.ts";
import { importFiles, makeTempDir } from "../helpers/test-hangar.ts";

const admin = localAdministrator();

interface RefRow {
  repo_pk: number;
  kind: string;
  name: string;
  commit_oid: string;
}
const UPSTREAM_FIRST = "1111111111111111111111111111111111111111";
const UPSTREAM_SECOND = "2222222222222222222222222222222222222222";

/** Everything of a catalog that names a commit, in a stable order. */
function commitState(db: Database.Database) {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    commits: all(
      "SELECT repo_pk, oid, parents, author, date, title, message FROM commits ORDER BY repo_pk, oid",
    ),
    refs: all("SELECT repo_pk, kind, name, commit_oid FROM refs ORDER BY repo_pk, kind, name"),
    lastCommits: all(
      `SELECT c.oid, t.path, t.last_commit FROM tree_entries t JOIN commits c ON c.pk = t.commit_pk
       ORDER BY c.oid, t.path`,
    ),
    repos: all("SELECT pk, sha, last_modified FROM repos ORDER BY pk"),
    evaluations: all("SELECT model_commit, dataset_commit FROM evaluation_runs ORDER BY id"),
    usage: all("SELECT revision FROM usage_events ORDER BY id"),
  };
}

async function commitText(hangar: Hangar, repo: Repo, revision: string, files: Record<string, string>) {
  const operations = [];
  for (const [path, text] of Object.entries(files)) {
    operations.push({ kind: "put" as const, path, file: await storeTextFile(hangar, text) });
  }
  return createCommit(hangar, { repo, revision, operations, title: `Edit ${revision}`, author: "alice" });
}

describe("the migration to git commit ids, on a catalog written before it", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let before_: ReturnType<typeof commitState>;
  let legacy: Map<string, string>;
  let duplicate: { legacyOid: string; gitOid: string };
  let hangar: Hangar;
  let model: Repo;

  before(async () => {
    temp = await makeTempDir();
    const original = await createHangar(defaultConfig(temp.path));
    // A repo with history, nested folders, an LFS file, a branch, a tag, a pull request and an empty branch.
    await importFiles(original, "team/model", {
      "README.md": "# model\n",
      "config.json": '{"model_type": "bert"}\n',
      "a/b/c.txt": "deep\n",
      "onnx/model.onnx": randomBytes(2048),
    });
    model = (await original.catalog.repos.get({ type: "model", namespace: "team", name: "model" }))!;
    await commitText(original, model, "main", { "README.md": "# model, second\n" });
    await createBranch(original, admin, { repo: model, branch: "dev" });
    await commitText(original, model, "dev", { "a/b/d.txt": "on dev\n" });
    await createTag(original, admin, { repo: model, tag: "v1", revision: "main" });
    await createCommit(original, {
      repo: model,
      revision: "main",
      createPr: true,
      title: "Proposal",
      description: "Please merge",
      author: "bob",
      operations: [{ kind: "put", path: "proposal.md", file: await storeTextFile(original, "idea\n") }],
    });
    await createBranch(original, admin, { repo: model, branch: "orphan", empty: true });

    // A mirrored repo: upstream commits keep their ids, one of them on top of a commit made here.
    const mirror = await createRepo(original, admin, {
      type: "model",
      namespace: "team",
      name: "mirror",
      initialCommit: false,
    });
    const upstream = { upstream: "https://huggingface.co", type: "model" as const, repo: "up/mirror" };
    const mirrorCommit = (oid: string, text: string) =>
      storeTextFile(original, text).then((file) =>
        recordMirroredCommit(original, {
          repo: mirror,
          oid,
          commit: { title: "Upstream", message: "Upstream", author: "up", date: "2024-01-01T00:00:00.000Z" },
          files: [{ path: "README.md", file }],
          branch: "main",
          defaultBranchIfMissing: true,
          selections: [],
          upstream: { ...upstream, revision: "main", upstreamFiles: 1 },
        }),
      );
    await mirrorCommit(UPSTREAM_FIRST, "upstream one\n");
    await commitText(original, mirror, "main", { "local.txt": "made here\n" });
    await mirrorCommit(UPSTREAM_SECOND, "upstream two\n");

    const heads = (
      rawDb(original.catalog).prepare("SELECT pk, sha FROM repos ORDER BY pk").all() as Array<{
        pk: number;
        sha: string;
      }>
    ).map((row) => row.sha);
    rawDb(original.catalog)
      .prepare(
        `INSERT INTO evaluation_runs (model_repo_pk, model_commit, dataset_repo_pk, dataset_commit, dataset_file,
           task, text_column, label_column, examples, duration_ms, created_at, measured_by, hangar_version)
         VALUES (?, ?, ?, ?, 'test.csv', 'text-classification', 'text', 'label', 1, 1, '2024-01-01', 'x', '0')`,
      )
      .run(
        model.pk,
        heads[0],
        mirror.pk,
        (await original.catalog.commits.getRef(mirror.pk, "branch", "main"))!.commitOid,
      );
    rawDb(original.catalog)
      .prepare(
        "INSERT INTO usage_events (at, model, revision, api, status, outcome) VALUES (?, ?, ?, 'task', 200, 'ok')",
      )
      .run("2024-01-01T00:00:00.000Z", "team/model", heads[0]);
    assert.ok((await fsck(original)).ok, "the instance starts clean");
    before_ = commitState(rawDb(original.catalog));
    await original.close();
    closeRawDbs();

    // The same rows in a catalog of the schema before the migration, with the ids and dates of then.
    const path = join(temp.path, "hangar.db");
    renameSync(path, join(temp.path, "current.db"));
    copyIntoLegacyCatalog(join(temp.path, "current.db"), path);
    const db = new Database(path);
    legacy = rewriteToLegacyIds(db);
    assert.equal(
      legacy.size,
      7,
      "the commits made here: 6 in team/model (the empty branch's too), 1 in team/mirror",
    );
    assert.ok([...legacy].every(([gitOid, legacyOid]) => gitOid !== legacyOid));
    // Two legacy commits that differed only in milliseconds (the old code moved a repeat by 1 ms) are one
    // commit to git: a pull request pointing at a copy of the dev commit must end up at the dev commit.
    const dev = db
      .prepare("SELECT * FROM commits WHERE oid = (SELECT commit_oid FROM refs WHERE name = 'dev')")
      .get() as {
      pk: number;
      repo_pk: number;
      oid: string;
      parents: string;
      author: string;
      date: string;
      title: string;
      message: string;
      metadata: string;
    };
    const files = db
      .prepare("SELECT path, git_oid AS gitOid FROM tree_entries WHERE commit_pk = ? ORDER BY path")
      .all(dev.pk) as Array<{ path: string; gitOid: string }>;
    const date = new Date(Date.parse(dev.date) + 1).toISOString();
    const legacyOid = legacyCommitOid({
      files,
      parents: JSON.parse(dev.parents),
      author: dev.author,
      date,
      message: dev.message,
    });
    const copy = db
      .prepare(
        "INSERT INTO commits (repo_pk, oid, parents, author, date, title, message, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(dev.repo_pk, legacyOid, dev.parents, dev.author, date, dev.title, dev.message, dev.metadata);
    db.prepare(
      `INSERT INTO tree_entries (commit_pk, path, git_oid, size, sha256, lfs, last_commit)
       SELECT ?, path, git_oid, size, sha256, lfs, last_commit FROM tree_entries WHERE commit_pk = ?`,
    ).run(copy.lastInsertRowid, dev.pk);
    db.prepare(
      "INSERT INTO refs (repo_pk, kind, name, commit_oid, updated_at) VALUES (?, 'pr', '9', ?, ?)",
    ).run(dev.repo_pk, legacyOid, date);
    const devGitOid = [...legacy].find(([, old]) => old === dev.oid)![0];
    duplicate = { legacyOid, gitOid: devGitOid };
    assert.equal(db.pragma("user_version", { simple: true }), LEGACY_SCHEMA_VERSION);
    assert.equal(
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'git_objects'").get(),
      undefined,
      "the legacy catalog has no git objects",
    );
    db.close();

    hangar = await createHangar(defaultConfig(temp.path));
  });
  after(async () => {
    await hangar?.close();
    await temp.remove();
  });

  it("rewrites commits made here to their git ids, and every place that names them", () => {
    assert.equal(rawDb(hangar.catalog).pragma("user_version", { simple: true }), MIGRATIONS.length);
    const after_ = commitState(rawDb(hangar.catalog));
    assert.deepEqual(
      after_.commits,
      before_.commits,
      "the ids, parents and dates git gives the same commits",
    );
    assert.deepEqual(after_.lastCommits, before_.lastCommits);
    assert.deepEqual(after_.repos, before_.repos, "heads and their dates");
    assert.deepEqual(after_.evaluations, before_.evaluations);
    assert.deepEqual(after_.usage, before_.usage);
    const pr9 = { repo_pk: model.pk, kind: "pr", name: "9", commit_oid: duplicate.gitOid };
    const refOrder = (ref: RefRow) => `${String(ref.repo_pk).padStart(6, "0")} ${ref.kind} ${ref.name}`;
    const expectedRefs = [...(before_.refs as RefRow[]), pr9].sort((a, b) =>
      refOrder(a) < refOrder(b) ? -1 : 1,
    );
    assert.deepEqual(after_.refs, expectedRefs, "refs, and the copy's pull request at the commit it copied");
    assert.ok(
      (after_.commits as Array<{ date: string }>).every(
        (commit) => !commit.date.endsWith(`.${LEGACY_MILLISECONDS}Z`),
      ),
    );
  });

  it("keeps mirrored commits' upstream ids, with a parent made here rewritten", async () => {
    const mirror = (await hangar.catalog.repos.get({ type: "model", namespace: "team", name: "mirror" }))!;
    const second = await hangar.catalog.commits.getCommit(mirror.pk, UPSTREAM_SECOND);
    assert.ok(second, "the upstream id is kept");
    const local = await hangar.catalog.commits.getCommit(mirror.pk, second.parents[0]!);
    assert.ok(local, "its parent, made here, is found under its git id");
    assert.deepEqual(local.parents, [UPSTREAM_FIRST]);
    assert.ok(legacy.has(local.oid));
  });

  it("resolves every old id to its commit, which reports its git id, over the Hub API too", async () => {
    for (const [gitOid, legacyOid] of [...legacy, [duplicate.gitOid, duplicate.legacyOid] as const]) {
      const repoPk = (
        rawDb(hangar.catalog).prepare("SELECT repo_pk FROM commits WHERE oid = ?").get(gitOid) as {
          repo_pk: number;
        }
      ).repo_pk;
      const repo = (await hangar.catalog.repos.getByPk(repoPk))!;
      assert.equal((await resolveRevision(hangar, repo, legacyOid)).commit.oid, gitOid);
    }
    const server = createServer(hangar);
    const url = await listen(server, "127.0.0.1", 0);
    try {
      const head = (await hangar.catalog.repos.getByPk(model.pk))!.sha!;
      const oldHead = legacy.get(head)!;
      const info = await fetch(`${url}/api/models/team/model/revision/${oldHead}`);
      assert.equal(info.status, 200);
      assert.equal(((await info.json()) as { sha: string }).sha, head);
      const file = await fetch(`${url}/team/model/resolve/${oldHead}/README.md`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get("x-repo-commit"), head);
      assert.equal(await file.text(), "# model, second\n");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("leaves a catalog fsck finds clean, with the git objects of every commit made here", async () => {
    const report = await fsck(hangar);
    assert.deepEqual(report.problems, []);
    assert.ok(report.counts.gitObjects > legacy.size, "a commit object per commit, and trees");
    // A client that read the head before the upgrade may name it as the parent of its next commit.
    const head = (await hangar.catalog.repos.getByPk(model.pk))!.sha!;
    const next = await createCommit(hangar, {
      repo: model,
      revision: "main",
      parentCommit: legacy.get(head)!,
      title: "After the migration",
      author: "alice",
      operations: [{ kind: "put", path: "after.txt", file: await storeTextFile(hangar, "after\n") }],
    });
    assert.deepEqual(next.commit.parents, [head]);
    assert.deepEqual((await fsck(hangar)).problems, []);
  });
});
