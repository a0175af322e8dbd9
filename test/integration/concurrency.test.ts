import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { commit, createRepo as createRepoOverHttp, HubApiError, listFiles } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import type { Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { resolveRevision, walkHistory } from "../../src/hub/resolve-revision.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const COMMITTERS = 20;
const admin = localAdministrator();

/** The first-parent history of a branch, newest first, as commit ids. */
async function history(hangar: Hangar, repo: Repo, branch = "main"): Promise<string[]> {
  const head = (await resolveRevision(hangar, repo, branch)).commit;
  const oids: string[] = [];
  for await (const commit of walkHistory(hangar, repo, head)) oids.push(commit.oid);
  return oids;
}

async function headFiles(hangar: Hangar, repo: Repo): Promise<Map<string, string>> {
  const head = (await resolveRevision(hangar, repo, "main")).commit;
  return new Map((await hangar.catalog.commits.listFiles(head.pk)).map((file) => [file.path, file.sha256]));
}

async function commitText(hangar: Hangar, repo: Repo, path: string, text: string, parentCommit?: string) {
  const bytes = Buffer.from(text);
  const stored = await hangar.blobs.put(bytes, { expectedSize: bytes.byteLength });
  return createCommit(hangar, {
    repo,
    revision: "main",
    title: `Add ${path}`,
    author: admin.user,
    operations: [
      {
        kind: "put",
        path,
        file: { sha256: stored.sha256, size: stored.size, gitOid: stored.gitOid!, lfs: false },
      },
    ],
    ...(parentCommit ? { parentCommit } : {}),
  });
}

describe("concurrent commits through the hub layer, from several connections to one catalog", () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let instances: Hangar[];
  let repo: Repo;
  before(async () => {
    temp = await makeTempDir();
    // Separate catalog connections, as separate processes on one home would have: their transactions
    // serialise on SQLite's write lock rather than on this process's event loop.
    instances = [];
    for (let index = 0; index < 4; index++) instances.push(await createHangar(defaultConfig(temp.path)));
    repo = await createRepo(instances[0]!, admin, { type: "model", namespace: "team", name: "busy" });
  });
  after(async () => {
    for (const instance of instances) await instance.close();
    await temp.remove();
  });

  it("lands every commit made without parentCommit, in one linear history", async () => {
    const initial = await history(instances[0]!, repo);
    assert.equal(initial.length, 1);
    const results = await Promise.all(
      Array.from({ length: COMMITTERS }, (_, index) =>
        commitText(instances[index % instances.length]!, repo, `notes/${index}.txt`, `note ${index}\n`),
      ),
    );
    const oids = results.map((result) => result.commit.oid);
    assert.equal(new Set(oids).size, COMMITTERS, "20 distinct commits");

    const walked = await history(instances[0]!, repo);
    assert.equal(walked.length, COMMITTERS + 1, "head back to the initial commit by first parents");
    assert.equal(walked.at(-1), initial[0]);
    assert.deepEqual(
      new Set(walked.slice(0, COMMITTERS)),
      new Set(oids),
      "every acknowledged commit is in it",
    );

    const files = await headFiles(instances[0]!, repo);
    for (let index = 0; index < COMMITTERS; index++) assert.ok(files.has(`notes/${index}.txt`));
    assert.equal((await instances[0]!.catalog.repos.getByPk(repo.pk))?.sha, walked[0]);
  });

  it("lets exactly one of many commits based on the same parent through; the rest get 412", async () => {
    const parent = (await history(instances[0]!, repo))[0]!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: COMMITTERS }, (_, index) =>
        commitText(
          instances[index % instances.length]!,
          repo,
          `race/${index}.txt`,
          `race ${index}\n`,
          parent,
        ),
      ),
    );
    const landed = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    assert.equal(landed.length, 1);
    assert.equal(refused.length, COMMITTERS - 1);
    for (const outcome of refused) {
      const error = (outcome as PromiseRejectedResult).reason as unknown;
      assert.ok(HangarError.isInstance(error));
      assert.equal(error.status, 412);
      assert.equal(error.code, "HANGAR_ERR_PRECONDITION_FAILED");
    }
    const walked = await history(instances[0]!, repo);
    assert.equal(
      walked[0],
      (landed[0] as PromiseFulfilledResult<{ commit: { oid: string } }>).value.commit.oid,
    );
    assert.equal(walked[1], parent);
    assert.equal(
      [...(await headFiles(instances[0]!, repo)).keys()].filter((path) => path.startsWith("race/")).length,
      1,
    );
    assert.deepEqual((await fsck(instances[0]!, { verifyHashes: true })).problems, []);
  });
});

describe("concurrent commits over HTTP with the real @huggingface/hub client", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    await createRepoOverHttp({ repo: "alice/busy", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  const repoRow = async () =>
    (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "busy" }))!;
  const commitOver = (index: number, prefix: string, parentCommit?: string) =>
    commit({
      repo: "alice/busy",
      accessToken: token,
      hubUrl: hub.url,
      title: `Committer ${index}`,
      useXet: false,
      ...(parentCommit ? { parentCommit } : {}),
      operations: [
        { operation: "addOrUpdate", path: `${prefix}/${index}.txt`, content: new Blob([`text ${index}\n`]) },
        // Matches the repo's .gitattributes, so it travels through the LFS batch and upload routes.
        {
          operation: "addOrUpdate",
          path: `${prefix}/${index}.bin`,
          content: new Blob([Buffer.alloc(2048 + index, index)]),
        },
      ],
    });

  it("lands all 20 commits, with every file at the head and a linear history", async () => {
    const initial = await history(hub.hangar, await repoRow());
    const results = await Promise.all(
      Array.from({ length: COMMITTERS }, (_, index) => commitOver(index, "data")),
    );
    const oids = results.map((result) => result!.commit.oid);
    assert.equal(new Set(oids).size, COMMITTERS);

    const walked = await history(hub.hangar, await repoRow());
    assert.equal(walked.length, initial.length + COMMITTERS);
    assert.equal(walked.at(-1), initial.at(-1));
    assert.deepEqual(new Set(walked.slice(0, COMMITTERS)), new Set(oids));

    const listed = new Map<string, { size: number; lfs: boolean }>();
    for await (const entry of listFiles({
      repo: "alice/busy",
      hubUrl: hub.url,
      accessToken: token,
      recursive: true,
    })) {
      if (entry.type === "file") listed.set(entry.path, { size: entry.size, lfs: Boolean(entry.lfs) });
    }
    for (let index = 0; index < COMMITTERS; index++) {
      assert.deepEqual(listed.get(`data/${index}.txt`), { size: `text ${index}\n`.length, lfs: false });
      assert.deepEqual(listed.get(`data/${index}.bin`), { size: 2048 + index, lfs: true });
    }
  });

  it("answers 412 to all but one of 20 commits sharing a stale parentCommit", async () => {
    const parent = (await repoRow()).sha!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: COMMITTERS }, (_, index) => commitOver(index, "race", parent)),
    );
    const landed = outcomes.filter((outcome) => outcome.status === "fulfilled");
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    assert.equal(landed.length, 1);
    assert.equal(refused.length, COMMITTERS - 1);
    for (const error of refused) {
      assert.ok(error instanceof HubApiError, String(error));
      assert.equal(error.statusCode, 412);
    }
    const walked = await history(hub.hangar, await repoRow());
    assert.equal(walked[1], parent);
    assert.equal(
      [...(await headFiles(hub.hangar, await repoRow())).keys()].filter((path) => path.startsWith("race/"))
        .length,
      2,
    );
    assert.deepEqual((await fsck(hub.hangar, { verifyHashes: true })).problems, []);
  });
});
