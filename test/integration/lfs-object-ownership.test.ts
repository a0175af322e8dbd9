// LFS objects are stored once for all repos, but a repo may point at one only once it holds it: its client
// sent the bytes to it, or one of its commits references them. Knowing an object's sha256 and size is not
// enough to reach it, through the batch API, verify, or a commit.
//
// Every assert.ok here carries a message: without one, a failing assert.ok under tsx hangs Node 20 while it
// looks for the source text to build one.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { createRepo, deleteRepo, uploadFiles } from "@huggingface/hub";
import type { Hangar } from "../../src/hangar.ts";
import {
  auth,
  type BatchObject,
  batch,
  batchObjects,
  download,
  errorOf,
  LFS_HEADERS,
  LIMITS,
  objectOf,
  postCommit,
  sendBytes,
  verify,
} from "../helpers/lfs-uploads.ts";
import { fsBlobs, importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

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
