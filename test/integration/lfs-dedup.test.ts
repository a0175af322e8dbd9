import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { createRepo, deleteRepo, uploadFiles } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createToken, createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { gc } from "../../src/hub/maintenance/gc.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import {
  fsBlobs,
  importFiles,
  makeTempDir,
  startTestHangar,
  type TestHangar,
} from "../helpers/test-hangar.ts";

/**
 * LFS objects are stored once for all repos, but a repo may point at one only once it holds it: its client
 * sent the bytes to it, or one of its commits references them. Knowing an object's sha256 and size is not
 * enough to reach it, through the batch API, verify, or a commit.
 *
 * Every assert.ok here carries a message: without one, a failing assert.ok under tsx hangs Node 20 while it
 * looks for the source text to build one.
 */

const LFS_HEADERS = {
  accept: "application/vnd.git-lfs+json",
  "content-type": "application/vnd.git-lfs+json",
};
/** A small multipart threshold: objects from 1 MiB go in 256 KiB parts. */
const LIMITS = { ...DEFAULT_LIMITS, lfsMultipartThreshold: 1024 * 1024, lfsMultipartChunkSize: 256 * 1024 };

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

interface LfsObject {
  oid: string;
  size: number;
}

const objectOf = (bytes: Uint8Array): LfsObject => ({ oid: sha256(bytes), size: bytes.byteLength });

interface BatchObject extends LfsObject {
  authenticated?: boolean;
  actions?: {
    upload: { href: string; header?: Record<string, string>; expires_at?: string };
    verify?: { href: string; expires_at?: string };
  };
  error?: { code: number; message: string };
}

const auth = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

function batch(
  url: string,
  repo: string,
  token: string | undefined,
  objects: LfsObject[],
): Promise<Response> {
  return fetch(`${url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: { ...LFS_HEADERS, ...auth(token) },
    body: JSON.stringify({
      operation: "upload",
      transfers: ["basic", "multipart"],
      hash_algo: "sha256",
      objects,
    }),
  });
}

async function batchObjects(
  url: string,
  repo: string,
  token: string,
  objects: LfsObject[],
): Promise<BatchObject[]> {
  const response = await batch(url, repo, token, objects);
  assert.equal(response.status, 200);
  return ((await response.json()) as { objects: BatchObject[] }).objects;
}

function verify(url: string, repo: string, token: string | undefined, object: LfsObject): Promise<Response> {
  return fetch(`${url}/${repo}.git/info/lfs/objects/verify`, {
    method: "POST",
    headers: { ...LFS_HEADERS, ...auth(token) },
    body: JSON.stringify(object),
  });
}

/** An NDJSON commit as Python's create_commit posts it; `lfsFile` lines name objects by sha256 and size. */
function postCommit(
  url: string,
  repo: string,
  token: string | undefined,
  files: Array<{ path: string; object: LfsObject } | { path: string; text: string }>,
): Promise<Response> {
  const lines: unknown[] = [{ key: "header", value: { summary: "Add files" } }];
  for (const file of files) {
    lines.push(
      "object" in file
        ? {
            key: "lfsFile",
            value: { path: file.path, algo: "sha256", oid: file.object.oid, size: file.object.size },
          }
        : {
            key: "file",
            value: {
              path: file.path,
              content: Buffer.from(file.text).toString("base64"),
              encoding: "base64",
            },
          },
    );
  }
  return fetch(`${url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", ...auth(token) },
    body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
  });
}

/**
 * PUTs an object's bytes to its signed URL (or its parts to theirs, then completes), as the clients do;
 * `completion` receives the completion request's body, for a retry.
 */
async function sendBytes(
  action: BatchObject,
  bytes: Uint8Array,
  completion?: (body: string) => void,
): Promise<Response> {
  const upload = action.actions!.upload;
  if (!upload.header) return fetch(upload.href, { method: "PUT", body: bytes });
  const chunk = Number(upload.header.chunk_size);
  const parts: Array<{ partNumber: number; etag: string }> = [];
  for (let part = 1; upload.header[String(part)]; part++) {
    const put = await fetch(upload.header[String(part)]!, {
      method: "PUT",
      body: bytes.subarray((part - 1) * chunk, part * chunk),
    });
    assert.equal(put.status, 200);
    parts.push({ partNumber: part, etag: put.headers.get("etag")! });
  }
  const body = JSON.stringify({ oid: action.oid, parts });
  completion?.(body);
  return fetch(upload.href, { method: "POST", headers: LFS_HEADERS, body });
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

/** A batch answer with its object id and signature blanked: what is left must not depend on the object. */
function shapeOf(object: BatchObject): unknown {
  return JSON.parse(
    JSON.stringify(object)
      .replaceAll(object.oid, "<oid>")
      .replace(/signature=[0-9a-f]+/g, "signature=<sig>"),
  );
}

async function blobNames(hangar: Hangar): Promise<string[]> {
  const names: string[] = [];
  for await (const name of hangar.blobs.list()) names.push(name);
  return names.sort();
}

async function inodeOf(hangar: Hangar, oid: string): Promise<number> {
  return (await stat(fsBlobs(hangar).pathOf(oid))).ino;
}

async function download(url: string, repo: string, path: string, token?: string): Promise<Response> {
  return fetch(`${url}/${repo}/resolve/main/${path}`, { headers: auth(token) });
}

const HUB_MISSING_OBJECT =
  /^Your push was rejected because an LFS pointer pointed to a file that does not exist/;

describe("LFS objects belong to the repos that received them", () => {
  let hub: TestHangar;
  let alice: string;
  let bob: string;
  /** Alice's private files: one sent with a single PUT, one in parts. */
  const weights = randomBytes(300_000);
  const shards = randomBytes(1024 * 1024 + 4321);
  const secret = objectOf(weights);
  const secretShards = objectOf(shards);

  before(async () => {
    hub = await startTestHangar({ limits: LIMITS });
    alice = await hub.addUser("alice", "write");
    bob = await hub.addUser("bob", "write");
    await createRepo({ repo: "alice/secret", private: true, accessToken: alice, hubUrl: hub.url });
    await uploadFiles({
      repo: "alice/secret",
      accessToken: alice,
      hubUrl: hub.url,
      files: [
        { path: "weights.bin", content: new Blob([weights]) },
        { path: "shards.safetensors", content: new Blob([shards]) },
      ],
    });
    await createRepo({ repo: "bob/pub", accessToken: bob, hubUrl: hub.url });
  });
  after(() => hub.close());

  it("stored alice's files as LFS objects of her private repo", async () => {
    const repo = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "secret" }))!;
    assert.equal(repo.private, true);
    const head = (await hub.hangar.catalog.commits.getCommit(repo.pk, repo.sha!))!;
    const files = (await hub.hangar.catalog.commits.listFiles(head.pk)).filter((file) => file.lfs);
    assert.deepEqual(
      files.map((file) => [file.path, file.sha256, file.size]),
      [
        ["shards.safetensors", secretShards.oid, secretShards.size],
        ["weights.bin", secret.oid, secret.size],
      ],
    );
    assert.equal(await hub.hangar.blobs.sizeOf(secret.oid), secret.size);
  });

  it("gives bob an upload action for alice's private object, exactly as for an unknown one", async () => {
    const unknown = objectOf(randomBytes(secret.size));
    const unknownShards = objectOf(randomBytes(secretShards.size));
    const answer = await batchObjects(hub.url, "bob/pub", bob, [
      secret,
      unknown,
      secretShards,
      unknownShards,
    ]);
    assert.equal(answer.length, 4);
    const [forSecret, forUnknown, forShards, forUnknownShards] = answer as [
      BatchObject,
      BatchObject,
      BatchObject,
      BatchObject,
    ];
    assert.ok(forSecret.actions?.upload.href, "an upload action, not 'already stored'");
    assert.ok(forSecret.actions?.verify?.href, "a verify action");
    assert.equal(forSecret.authenticated, true);
    assert.deepEqual(shapeOf(forSecret), shapeOf(forUnknown));
    assert.ok(forShards.actions?.upload.header?.["1"], "a multipart upload action");
    assert.deepEqual(shapeOf(forShards), shapeOf(forUnknownShards));

    // Anonymous callers cannot ask, and bob cannot ask alice's private repo either.
    assert.equal((await batch(hub.url, "bob/pub", undefined, [secret])).status, 401);
    const inAlicesRepo = await batch(hub.url, "alice/secret", bob, [secret]);
    assert.equal(inAlicesRepo.status, 404);
    assert.equal(inAlicesRepo.headers.get("x-error-code"), "RepoNotFound");
  });

  it("tells alice, re-uploading to her own repo, that her objects are already stored", async () => {
    const answer = await batchObjects(hub.url, "alice/secret", alice, [secret, secretShards]);
    assert.deepEqual(answer, [secret, secretShards]);
    assert.equal((await verify(hub.url, "alice/secret", alice, secret)).status, 200);
    // Her own object's size is hers to be told.
    const wrongSize = await verify(hub.url, "alice/secret", alice, { ...secret, size: secret.size + 1 });
    assert.equal(wrongSize.status, 400);
    assert.match(await errorOf(wrongSize), new RegExp(`stored with ${secret.size} bytes`));
  });

  it("answers bob's verify of alice's object as for an object never uploaded", async () => {
    const unknown = objectOf(randomBytes(secret.size));
    const answers = [];
    for (const object of [secret, { ...secret, size: secret.size + 1 }, unknown]) {
      const response = await verify(hub.url, "bob/pub", bob, object);
      answers.push({
        status: response.status,
        code: response.headers.get("x-error-code"),
        error: (await errorOf(response)).replace(object.oid, "<oid>"),
      });
    }
    assert.deepEqual(answers, [
      { status: 404, code: "NotFound", error: "Object <oid> has not been uploaded" },
      { status: 404, code: "NotFound", error: "Object <oid> has not been uploaded" },
      { status: 404, code: "NotFound", error: "Object <oid> has not been uploaded" },
    ]);
    assert.equal((await verify(hub.url, "bob/pub", undefined, secret)).status, 401);
  });

  it("refuses bob's commit pointing at alice's objects with the Hub's error, and changes nothing", async () => {
    const before = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "bob", name: "pub" }))!
      .sha;
    const response = await postCommit(hub.url, "bob/pub", bob, [
      { path: "README.md", text: "stolen goods\n" },
      { path: "stolen.bin", object: secret },
      { path: "stolen.safetensors", object: secretShards },
    ]);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-error-code"), "BadRequest");
    const error = await errorOf(response);
    assert.match(error, HUB_MISSING_OBJECT);
    assert.match(error, /Offending file: - stolen\.bin - stolen\.safetensors$/);
    assert.equal(
      (await hub.hangar.catalog.repos.get({ type: "model", namespace: "bob", name: "pub" }))!.sha,
      before,
    );
    for (const path of ["stolen.bin", "README.md"]) {
      const served = await download(hub.url, "bob/pub", path);
      assert.equal(served.status, 404);
      assert.equal(served.headers.get("x-error-code"), "EntryNotFound");
    }
    // Nobody else gets further: anonymous callers cannot commit, alice cannot write to bob's repo.
    assert.equal(
      (await postCommit(hub.url, "bob/pub", undefined, [{ path: "x.bin", object: secret }])).status,
      401,
    );
    assert.equal(
      (await postCommit(hub.url, "bob/pub", alice, [{ path: "x.bin", object: secret }])).status,
      403,
    );
    const anonymous = await download(hub.url, "alice/secret", "weights.bin");
    assert.equal(anonymous.status, 401);
  });

  it("refuses bob's upload of wrong bytes for alice's objects, single or in parts", async () => {
    const blobsBefore = await blobNames(hub.hangar);
    const [single, parts] = (await batchObjects(hub.url, "bob/pub", bob, [secret, secretShards])) as [
      BatchObject,
      BatchObject,
    ];
    const forged = await sendBytes(single, randomBytes(secret.size));
    assert.equal(forged.status, 400);
    assert.match(
      await errorOf(forged),
      new RegExp(`sha256 is [0-9a-f]{64}, but ${secret.oid} was announced`),
    );
    const short = await sendBytes(single, weights.subarray(0, 1000));
    assert.equal(short.status, 400);
    const longer = await fetch(single.actions!.upload.href, {
      method: "PUT",
      body: Buffer.concat([weights, Buffer.from("x")]),
    });
    assert.equal(longer.status, 400);

    const forgedParts = await sendBytes(parts, randomBytes(secretShards.size));
    assert.equal(forgedParts.status, 400);
    assert.match(await errorOf(forgedParts), new RegExp(`but ${secretShards.oid} was announced`));

    assert.equal((await verify(hub.url, "bob/pub", bob, secret)).status, 404);
    assert.equal((await verify(hub.url, "bob/pub", bob, secretShards)).status, 404);
    const commit = await postCommit(hub.url, "bob/pub", bob, [{ path: "stolen.bin", object: secret }]);
    assert.equal(commit.status, 400);
    assert.match(await errorOf(commit), HUB_MISSING_OBJECT);
    assert.deepEqual(await blobNames(hub.hangar), blobsBefore);
  });

  it("lets bob commit the objects once he sent their bytes, keeping one copy in the store", async () => {
    const blobsBefore = await blobNames(hub.hangar);
    const inodes = [await inodeOf(hub.hangar, secret.oid), await inodeOf(hub.hangar, secretShards.oid)];
    const actions = await batchObjects(hub.url, "bob/pub", bob, [secret, secretShards]);
    assert.equal((await sendBytes(actions[0]!, weights)).status, 200);
    let completion = "";
    const sent = await sendBytes(actions[1]!, shards, (body) => {
      completion = body;
    });
    assert.equal(sent.status, 200);
    // A completion retried after its answer was lost (its parts are gone by then) succeeds again.
    const retried = await fetch(actions[1]!.actions!.upload.href, {
      method: "POST",
      headers: LFS_HEADERS,
      body: completion,
    });
    assert.equal(retried.status, 200, await retried.clone().text());
    assert.equal((await verify(hub.url, "bob/pub", bob, secret)).status, 200);
    assert.equal((await verify(hub.url, "bob/pub", bob, secretShards)).status, 200);
    // Bob's repo holds them now: asked again, the batch needs nothing more.
    assert.deepEqual(await batchObjects(hub.url, "bob/pub", bob, [secret, secretShards]), [
      secret,
      secretShards,
    ]);

    const commit = await postCommit(hub.url, "bob/pub", bob, [
      { path: "mine.bin", object: secret },
      { path: "mine.safetensors", object: secretShards },
    ]);
    assert.equal(commit.status, 200, await commit.clone().text());
    for (const [path, bytes] of [
      ["mine.bin", weights],
      ["mine.safetensors", shards],
    ] as const) {
      const served = await download(hub.url, "bob/pub", path);
      assert.equal(served.status, 200);
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(bytes), `bob/pub serves ${path} whole`);
    }
    // The bytes bob sent were checked and dropped: the store has the same blobs, the very same files.
    assert.deepEqual(await blobNames(hub.hangar), blobsBefore);
    assert.deepEqual(
      [await inodeOf(hub.hangar, secret.oid), await inodeOf(hub.hangar, secretShards.oid)],
      inodes,
    );
    const leftovers = (await readdir(fsBlobs(hub.hangar).tempDir)).filter(
      (name) => name.startsWith("multipart-") || name.endsWith(".part"),
    );
    assert.deepEqual(leftovers, []);
  });

  it("uploads the same files to a second repo of the same user with the real client", async () => {
    const blobsBefore = await blobNames(hub.hangar);
    await createRepo({ repo: "alice/second", private: true, accessToken: alice, hubUrl: hub.url });
    // The second repo holds nothing yet: the client is asked for the bytes.
    const actions = await batchObjects(hub.url, "alice/second", alice, [secret, secretShards]);
    assert.ok(
      actions.every((object) => object.actions?.upload.href),
      "upload actions for both files",
    );
    await uploadFiles({
      repo: "alice/second",
      accessToken: alice,
      hubUrl: hub.url,
      files: [
        { path: "copy/weights.bin", content: new Blob([weights]) },
        { path: "copy/shards.safetensors", content: new Blob([shards]) },
      ],
    });
    for (const [path, bytes] of [
      ["copy/weights.bin", weights],
      ["copy/shards.safetensors", shards],
    ] as const) {
      const served = await download(hub.url, "alice/second", path, alice);
      assert.equal(served.status, 200);
      assert.ok(Buffer.from(await served.arrayBuffer()).equals(bytes), `alice/second serves ${path} whole`);
    }
    assert.deepEqual(await blobNames(hub.hangar), blobsBefore);
  });

  it("lets a repo copy its own objects, from any of its commits, but not another repo's public ones", async () => {
    const carol = await hub.addUser("carol", "write");
    // Imported from a folder (the bytes hashed by Hangar itself): no upload was ever recorded for the repo.
    const model = randomBytes(50_000);
    const imported = objectOf(model);
    await importFiles(hub.hangar, "carol/public", { "model.bin": model });

    const copy = await postCommit(hub.url, "carol/public", carol, [
      { path: "copy/model.bin", object: imported },
    ]);
    assert.equal(copy.status, 200, await copy.clone().text());
    const removed = await fetch(`${hub.url}/api/models/carol/public/commit/main`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", ...auth(carol) },
      body: [
        { key: "header", value: { summary: "Remove both" } },
        { key: "deletedFile", value: { path: "model.bin" } },
        { key: "deletedFile", value: { path: "copy/model.bin" } },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n"),
    });
    assert.equal(removed.status, 200);
    // Python's CommitOperationCopy from an older revision: the object is in an earlier commit only.
    const restored = await postCommit(hub.url, "carol/public", carol, [
      { path: "model.bin", object: imported },
    ]);
    assert.equal(restored.status, 200, await restored.clone().text());

    // Public, but carol's: bob must send the bytes to point at it.
    const [forBob] = await batchObjects(hub.url, "bob/pub", bob, [imported]);
    assert.ok(forBob?.actions?.upload.href, "bob must send the bytes of carol's public object");
    const borrowed = await postCommit(hub.url, "bob/pub", bob, [{ path: "borrowed.bin", object: imported }]);
    assert.equal(borrowed.status, 400);
    assert.match(await errorOf(borrowed), HUB_MISSING_OBJECT);
  });

  it("forgets a deleted repo's uploads, and keeps a moved repo's", async () => {
    const dropped = randomBytes(5000);
    const kept = randomBytes(6000);
    await createRepo({ repo: "bob/scratch", accessToken: bob, hubUrl: hub.url });
    const [droppedAction] = await batchObjects(hub.url, "bob/scratch", bob, [objectOf(dropped)]);
    assert.equal((await sendBytes(droppedAction!, dropped)).status, 200);
    await deleteRepo({ repo: "bob/scratch", accessToken: bob, hubUrl: hub.url });
    await createRepo({ repo: "bob/scratch", accessToken: bob, hubUrl: hub.url });
    const [again] = await batchObjects(hub.url, "bob/scratch", bob, [objectOf(dropped)]);
    assert.ok(again?.actions?.upload.href, "the new repo of the same name holds nothing");
    const commit = await postCommit(hub.url, "bob/scratch", bob, [
      { path: "a.bin", object: objectOf(dropped) },
    ]);
    assert.equal(commit.status, 400);

    await createRepo({ repo: "bob/before-move", accessToken: bob, hubUrl: hub.url });
    const [keptAction] = await batchObjects(hub.url, "bob/before-move", bob, [objectOf(kept)]);
    assert.equal((await sendBytes(keptAction!, kept)).status, 200);
    const moved = await fetch(`${hub.url}/api/repos/move`, {
      method: "POST",
      headers: { ...auth(bob), "content-type": "application/json" },
      body: JSON.stringify({ fromRepo: "bob/before-move", toRepo: "bob/after-move", type: "model" }),
    });
    assert.equal(moved.status, 200);
    const afterMove = await postCommit(hub.url, "bob/after-move", bob, [
      { path: "a.bin", object: objectOf(kept) },
    ]);
    assert.equal(afterMove.status, 200, await afterMove.clone().text());
  });
});

describe("LFS uploads awaiting their commit survive a restart", () => {
  const adminToken = "hf_test_admin_token_0123456789abcdef";
  let home: Awaited<ReturnType<typeof makeTempDir>>;
  let running: { hangar: Hangar; server: Server; url: string } | undefined;

  async function start(): Promise<{ hangar: Hangar; server: Server; url: string }> {
    const hangar = await createHangar(defaultConfig(home.path, { adminToken, limits: LIMITS }));
    const server = createServer(hangar);
    running = { hangar, server, url: await listen(server, "127.0.0.1", 0) };
    return running;
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { hangar, server } = running;
    running = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hangar.close();
  }

  before(async () => {
    home = await makeTempDir();
  });
  after(async () => {
    await stop();
    await home.remove();
  });

  it("counts an upload recorded before the restart for the repo's next commit, and for no other repo", async () => {
    const first = await start();
    await createUser(first.hangar, { name: "dave" });
    const dave = (await createToken(first.hangar, { user: "dave", role: "write" })).token;
    await createRepo({ repo: "dave/pending", accessToken: dave, hubUrl: first.url });
    await createRepo({ repo: "dave/other", accessToken: dave, hubUrl: first.url });
    const bytes = randomBytes(1024 * 1024 + 99);
    const [action] = await batchObjects(first.url, "dave/pending", dave, [objectOf(bytes)]);
    assert.equal((await sendBytes(action!, bytes)).status, 200);
    await stop();

    const second = await start();
    assert.deepEqual(await batchObjects(second.url, "dave/pending", dave, [objectOf(bytes)]), [
      objectOf(bytes),
    ]);
    const [forOther] = await batchObjects(second.url, "dave/other", dave, [objectOf(bytes)]);
    assert.ok(forOther?.actions?.upload.href, "another repo of dave's must send the bytes");
    const commit = await postCommit(second.url, "dave/pending", dave, [
      { path: "w.bin", object: objectOf(bytes) },
    ]);
    assert.equal(commit.status, 200, await commit.clone().text());
    const served = await download(second.url, "dave/pending", "w.bin");
    assert.ok(Buffer.from(await served.arrayBuffer()).equals(bytes), "dave/pending serves w.bin whole");
  });
});

describe("gc and uploads never committed", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar({ limits: LIMITS });
  });
  after(() => hub.close());

  it("forgets a repo's upload once gc removed its bytes: the repo must send them again", async () => {
    const erin = await hub.addUser("erin", "write");
    const frank = await hub.addUser("frank", "write");
    await createRepo({ repo: "erin/abandoned", accessToken: erin, hubUrl: hub.url });
    await createRepo({ repo: "frank/later", accessToken: frank, hubUrl: hub.url });
    const bytes = randomBytes(20_000);
    const object = objectOf(bytes);
    const [action] = await batchObjects(hub.url, "erin/abandoned", erin, [object]);
    assert.equal((await sendBytes(action!, bytes)).status, 200);
    assert.deepEqual(await batchObjects(hub.url, "erin/abandoned", erin, [object]), [object]);

    // Never committed: once its lease (an hour) has passed, gc takes it like any unreferenced blob.
    await hub.hangar.catalog.leases.purgeExpired(Date.now() + 2 * 60 * 60 * 1000);
    const report = await gc(hub.hangar, { graceMs: 0 });
    assert.equal(report.removedBlobs, 1);
    assert.equal(await hub.hangar.blobs.sizeOf(object.oid), null);

    // The same bytes stored again for another repo do not bring erin's upload back.
    const [forFrank] = await batchObjects(hub.url, "frank/later", frank, [object]);
    assert.equal((await sendBytes(forFrank!, bytes)).status, 200);
    const [forErin] = await batchObjects(hub.url, "erin/abandoned", erin, [object]);
    assert.ok(forErin?.actions?.upload.href, "erin's repo must send the bytes again");
    assert.equal((await verify(hub.url, "erin/abandoned", erin, object)).status, 404);
    assert.deepEqual((await fsck(hub.hangar)).problems, []);
  });
});
