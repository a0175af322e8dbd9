import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { unlink } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import type { Repo, RepoRef } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { hashToken } from "../../src/hub/accounts/tokens.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { storeTextFile } from "../../src/hub/import-folder.ts";
import { type MigrateReport, migrateInstance } from "../../src/hub/maintenance/migrate-instance.ts";
import { createBranch } from "../../src/hub/write/create-branch.ts";
import { createTag } from "../../src/hub/write/create-tag.ts";
import { BlobStore } from "../../src/store/blob-store.ts";
import { Catalog } from "../../src/store/catalog.ts";
import { compareCatalogs, copyCatalog } from "../../src/store/copy-catalog.ts";
import type { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres.ts";
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from "../helpers/s3.ts";
import { importFiles, makeTempDir } from "../helpers/test-hangar.ts";

const admin = localAdministrator();
const BUCKET = "hangar-migrate";
const PREFIX = "hub";
const REPOS: RepoRef[] = [
  { type: "model", namespace: "team", name: "alpha" },
  { type: "model", namespace: "team", name: "beta" },
  { type: "dataset", namespace: "alice", name: "reviews" },
];

/** Binary bytes (a zero in the first ones), so the import stores them through LFS. */
function binary(size: number): Buffer {
  const bytes = randomBytes(size);
  bytes[0] = 0;
  return bytes;
}

/** Builds a SQLite instance: three repos, several commits, a branch with its own commit, a tag, LFS files, a user with a token. */
async function buildSource(hangar: Hangar): Promise<{ token: string }> {
  await createUser(hangar, { name: "alice" });
  const { token } = await createToken(hangar, { user: "alice", role: "write" });
  await hangar.catalog.setMetaIfAbsent("lfs_upload_signing_secret", randomBytes(32).toString("hex"));
  await importFiles(hangar, "team/alpha", {
    "README.md": "# Alpha\n",
    "config.json": '{"model_type": "bert"}\n',
    "model.safetensors": binary(300_000),
  });
  await importFiles(hangar, "team/alpha", {
    "README.md": "# Alpha, second version\n",
    "config.json": '{"model_type": "bert"}\n',
    "model.safetensors": binary(200_000),
    "extra/weights.bin": binary(50_000),
  });
  const alpha = REPOS[0]!;
  await createBranch(hangar, admin, { repo: alpha, branch: "dev" });
  const alphaRepo = (await hangar.catalog.repos.get(alpha)) as Repo;
  await createCommit(hangar, {
    repo: alphaRepo,
    revision: "dev",
    title: "Dev notes",
    author: admin.user,
    operations: [{ kind: "put", path: "NOTES.md", file: await storeTextFile(hangar, "dev only\n") }],
  });
  await createTag(hangar, admin, { repo: alpha, tag: "v1", revision: "main" });
  await importFiles(hangar, "team/beta", { "README.md": "# Beta\n", "weights.bin": binary(120_000) });
  await importFiles(
    hangar,
    "alice/reviews",
    { "data.csv": "text,label\ngood,1\nbad,0\n" },
    { type: "dataset" },
  );
  return { token };
}

async function sha256Of(store: S3BlobStore, sha256: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of await store.openRead(sha256)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The CLI's own stderr lines: without the warning block Node prints for a process warning (the AWS SDK
 * warns on Node 20 that later releases need Node 22), and without blank lines.
 */
function ownLines(stderr: string): string[] {
  const lines: string[] = [];
  let inWarning = false;
  for (const line of stderr.split("\n")) {
    if (/^\(node:\d+\) /.test(line)) inWarning = true;
    else if (!inWarning && line.trim() !== "") lines.push(line);
    if (inWarning && line.includes("--trace-warnings")) inWarning = false;
  }
  return lines;
}

describe("hangar migrate", () => {
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let database: TestDatabase;
  let s3: TestS3;
  let store: S3BlobStore;
  let token: string;
  let s3Env: Record<string, string>;

  before(async () => {
    home = await makeTempDir();
    const hangar = await createHangar(defaultConfig(home.path));
    try {
      ({ token } = await buildSource(hangar));
    } finally {
      await hangar.close();
    }
    database = await createTestDatabase();
    s3 = await startTestS3();
    store = await s3.createStore(BUCKET, `${PREFIX}/`);
    s3Env = {
      HANGAR_S3_ENDPOINT: s3.endpoint,
      HANGAR_S3_FORCE_PATH_STYLE: "1",
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
    };
  });

  after(async () => {
    await store?.close();
    await s3?.stop();
    await database?.drop();
    await home?.remove();
  });

  it("an interrupted copy completes when run again, with the same row counts", async () => {
    const blobs = { store, location: `s3://${BUCKET}/${PREFIX}` };
    const stopped = new Error("stopped on purpose");
    await assert.rejects(
      migrateInstance({
        home: home.path,
        to: database.url,
        blobs,
        onProgress: (progress) => {
          if (progress.phase === "tables" && progress.table === "tree_entries" && progress.done > 0)
            throw stopped;
        },
      }),
      stopped,
    );
    await assert.rejects(
      migrateInstance({
        home: home.path,
        to: database.url,
        blobs,
        onProgress: (progress) => {
          if (progress.phase === "blobs" && progress.done === 2) throw stopped;
        },
      }),
      stopped,
    );
    const report = await migrateInstance({ home: home.path, to: database.url, blobs });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    for (const table of report.tables) assert.equal(table.targetRows, table.sourceRows, table.table);
    // The first run copied the tables before tree_entries and tree_entries; this one only what was left.
    const byName = new Map(report.tables.map((table) => [table.table, table]));
    assert.ok(byName.get("commits")!.sourceRows >= 5);
    assert.equal(byName.get("commits")!.inserted, 0);
    assert.equal(byName.get("tree_entries")!.inserted, 0);
    assert.equal(byName.get("refs")!.inserted, 0, "the second run copied every table");
    assert.ok(byName.get("git_objects")!.sourceRows > 0);
    // The second run stopped after two blobs: the third skipped at least those.
    assert.ok(report.blobs!.skipped >= 2);
    assert.equal(report.blobs!.copied + report.blobs!.skipped, report.blobs!.total);
    assert.deepEqual(report.blobs!.failed, []);
    assert.equal(report.missingBlobs, 0);
    assert.ok(report.registeredBlobs >= 8);
  });

  it("a copy stopped in the middle of a table completes when run again; the rows already copied are skipped", async () => {
    const fresh = await createTestDatabase();
    const source = await Catalog.open(join(home.path, "hangar.db"));
    const target = await Catalog.open(fresh.url);
    try {
      const stopped = new Error("stopped mid-table");
      await assert.rejects(
        copyCatalog(source, target, {
          batchRows: 2,
          onProgress: (progress) => {
            if (progress.table === "tree_entries" && progress.done === 4) throw stopped;
          },
        }),
        stopped,
      );
      assert.equal(await target.bulk.countRows("tree_entries"), 4);
      assert.equal(await target.bulk.countRows("refs"), 0);
      const report = await copyCatalog(source, target, { batchRows: 3 });
      const entries = report.tables.find((table) => table.table === "tree_entries")!;
      assert.ok(entries.sourceRows > 4);
      assert.equal(entries.inserted, entries.sourceRows - 4);
      const { counts, differentMeta } = await compareCatalogs(source, target);
      for (const count of counts) assert.equal(count.target, count.source, count.table);
      assert.deepEqual(differentMeta, []);
    } finally {
      await target.close();
      await source.close();
      await fresh.drop();
    }
  });

  it("the PostgreSQL catalog has the same refs, commit ids, files, tokens and meta, and S3 every blob's bytes", async () => {
    const source = await Catalog.open(join(home.path, "hangar.db"));
    const target = await Catalog.open(database.url);
    try {
      let lfsFiles = 0;
      for (const ref of REPOS) {
        const from = (await source.repos.get(ref)) as Repo;
        const to = await target.repos.get(ref);
        assert.ok(to, `${ref.namespace}/${ref.name} is in the target`);
        assert.equal(to.pk, from.pk);
        assert.equal(to.sha, from.sha);
        const refs = await source.commits.listRefs(from.pk);
        assert.deepEqual(await target.commits.listRefs(to.pk), refs);
        for (const { commitOid } of refs) {
          const commit = (await source.commits.getCommit(from.pk, commitOid))!;
          const copied = await target.commits.getCommit(to.pk, commitOid);
          assert.deepEqual(copied, commit);
          const files = await source.commits.listFiles(commit.pk);
          assert.deepEqual(await target.commits.listFiles(copied!.pk), files);
          lfsFiles += files.filter((file) => file.lfs).length;
          const gitObject = await source.commits.getGitObject(from.pk, commitOid);
          assert.ok(gitObject, "Hangar stores its commits' git objects");
          assert.deepEqual(await target.commits.getGitObject(to.pk, commitOid), gitObject);
        }
      }
      assert.ok(lfsFiles >= 4, "LFS files were migrated");
      const alpha = (await target.repos.get(REPOS[0]!))!;
      const names = (await target.commits.listRefs(alpha.pk)).map((ref) => `${ref.kind}/${ref.name}`).sort();
      assert.deepEqual(names, ["branch/dev", "branch/main", "tag/v1"]);

      const found = await target.accounts.findTokenByHash(hashToken(token));
      assert.equal(found?.user, "alice");
      assert.deepEqual(found, await source.accounts.findTokenByHash(hashToken(token)));
      const signing = await source.getMeta("lfs_upload_signing_secret");
      assert.ok(signing);
      assert.equal(await target.getMeta("lfs_upload_signing_secret"), signing);

      const registered = await source.maintenance.registeredBlobs();
      assert.deepEqual(await target.maintenance.registeredBlobs(), registered);
      for (const blob of registered) {
        assert.equal(await sha256Of(store, blob.sha256), blob.sha256);
        assert.equal(await store.sizeOf(blob.sha256), blob.size);
      }

      // Identities continue past the copied ids; the change counter is past the source's.
      const maxPk = Math.max(
        ...(await Promise.all(REPOS.map(async (ref) => (await source.repos.get(ref))!.pk))),
      );
      const added = await target.repos.insert({
        type: "model",
        namespace: "team",
        name: "after",
        private: false,
        createdAt: new Date().toISOString(),
      });
      assert.ok(added.pk > maxPk);
      await target.repos.delete(added.pk);
      assert.ok((await target.searchFeed.currentSequence()) > (await source.searchFeed.currentSequence()));
    } finally {
      await target.close();
      await source.close();
    }
  });

  it("the CLI re-runs to an up-to-date target with --json, hides the password, and fails with one line", async () => {
    const run = await runCli(
      ["migrate", "--home", home.path, "--to", database.url, "--blobs", `s3://${BUCKET}/${PREFIX}`, "--json"],
      s3Env,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as MigrateReport;
    assert.equal(report.ok, true);
    assert.ok(report.tables.every((table) => table.targetRows === table.sourceRows));
    assert.equal(report.blobs!.copied, 0);
    assert.equal(report.blobs!.skipped, report.blobs!.total);

    const text = await runCli(["migrate", "--home", home.path, "--to", database.url], {});
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Files were not copied: they stay in .*blobs/);
    assert.match(text.stdout, /^OK: /m);

    const secretUrl = new URL(database.url);
    secretUrl.username = "postgres";
    secretUrl.password = "s3cret-pw";
    secretUrl.pathname = "/hangar_no_such_database";
    const unreachable = await runCli(["migrate", "--home", home.path, "--to", secretUrl.toString()], {});
    assert.equal(unreachable.code, 1);
    assert.equal(ownLines(unreachable.stderr).length, 1, unreachable.stderr);
    assert.doesNotMatch(unreachable.stderr + unreachable.stdout, /s3cret-pw/);
    assert.match(unreachable.stderr, /hangar_no_such_database/);

    // A registered blob lost from both stores: the check after the copy finds it, exit 1 with one line.
    const sourceBlobs = await BlobStore.open(join(home.path, "blobs"));
    let lost = "";
    for await (const sha256 of sourceBlobs.list()) {
      lost = sha256;
      break;
    }
    await unlink(sourceBlobs.pathOf(lost));
    await store.delete(lost);
    const broken = await runCli(
      ["migrate", "--home", home.path, "--to", database.url, "--blobs", `s3://${BUCKET}/${PREFIX}`],
      s3Env,
    );
    assert.equal(broken.code, 1);
    const lines = ownLines(broken.stderr);
    assert.equal(lines.length, 1, broken.stderr);
    // The store check and fsck on the target both find it; the line names the first.
    assert.match(lines[0]!, /^hangar migrate: 2 problems .*missing from the target store/);
    assert.ok(broken.stderr.includes(lost));
  });

  it("--help describes the command", async () => {
    const help = await runCli(["migrate", "--help"], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--to postgres:\/\//);
    assert.match(help.stdout, /--blobs s3:\/\/BUCKET\/PREFIX/);
  });
});
