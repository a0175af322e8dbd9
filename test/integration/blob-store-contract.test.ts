import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { HangarError } from "../../src/core/errors.ts";
import { BlobStore } from "../../src/store/blob-store.ts";
import type { BlobStorage, UploadedPart } from "../../src/store/blob-store-types.ts";
import { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { startTestS3 } from "../helpers/s3.ts";

/**
 * One contract, two engines: the filesystem blob store and the S3-compatible one (against s3rver started
 * here). Every case runs against both.
 */

const MiB = 1024 * 1024;
/** S3's smallest part (but the last); the S3 store streams puts in parts of this size here. */
const PART = 5 * MiB;

interface Engine {
  store: BlobStorage;
  /** A second store on the same storage, as another node would open it. */
  reopen(): Promise<BlobStorage>;
  /** Whatever the storage holds besides blobs (temp files, staging keys). */
  leftovers(): Promise<string[]>;
  /** Leaves what a write killed mid-way would leave in the temp area, under `name`. */
  plantLeftover(name: string, bytes: Uint8Array): Promise<void>;
  /** Whether a detached blob can be put back (S3 deletes it). */
  restoresDetached: boolean;
  /** A store of this engine that cannot work, and what its check must say. */
  unusable(): Promise<{ store: BlobStorage; message: RegExp }>;
  close(): Promise<void>;
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function inChunks(bytes: Buffer, size = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listAll(store: BlobStorage): Promise<string[]> {
  const names: string[] = [];
  for await (const name of store.list()) names.push(name);
  return names.sort();
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

/** Sends every part, to its presigned URL when the store gives one, otherwise through `putPart`. */
async function sendParts(
  store: BlobStorage,
  session: { uploadId: string; partUrls: string[] | undefined },
  bytes: Buffer,
  partSize: number,
  relay = false,
): Promise<UploadedPart[]> {
  const parts: UploadedPart[] = [];
  const count = Math.ceil(bytes.byteLength / partSize);
  for (let partNumber = 1; partNumber <= count; partNumber++) {
    const body = bytes.subarray((partNumber - 1) * partSize, partNumber * partSize);
    const url = session.partUrls?.[partNumber - 1];
    if (url && !relay) {
      const answer = await fetch(url, { method: "PUT", body });
      assert.equal(answer.status, 200, await answer.text());
      const etag = answer.headers.get("etag");
      assert.ok(etag, "a part PUT answers with an ETag");
      parts.push({ partNumber, etag });
    } else {
      parts.push(await store.putPart(session.uploadId, partNumber, inChunks(body)));
    }
  }
  return parts;
}

function contract(name: string, open: () => Promise<Engine>): void {
  describe(`blob store contract: ${name}`, () => {
    let engine: Engine;
    let store: BlobStorage;
    before(async () => {
      engine = await open();
      store = engine.store;
      await store.check();
    });
    after(() => engine.close());

    it("stores bytes and reads them back whole, by range and as a stream", async () => {
      const bytes = randomBytes(100_000);
      const stored = await store.put(bytes, { expectedSha256: sha(bytes), expectedSize: bytes.byteLength });
      assert.deepEqual({ sha256: stored.sha256, size: stored.size }, { sha256: sha(bytes), size: 100_000 });
      assert.equal(await store.has(sha(bytes)), true);
      const stat = await store.stat(sha(bytes));
      assert.equal(stat?.size, 100_000);
      // When it was stored, for gc's grace period (S3 keeps whole seconds).
      assert.ok(
        Math.abs((stat?.lastModified ?? 0) - Date.now()) < 60_000,
        `lastModified ${stat?.lastModified}`,
      );
      assert.equal(await store.sizeOf(sha(bytes)), 100_000);
      assert.deepEqual(await store.read(sha(bytes)), bytes);
      assert.deepEqual(await store.readRange(sha(bytes), 10, 1010), bytes.subarray(10, 1010));
      assert.deepEqual(await store.readRange(sha(bytes), 99_990, 200_000), bytes.subarray(99_990));
      assert.equal((await store.readRange(sha(bytes), 200_000, 200_010)).byteLength, 0);
      assert.deepEqual(await collect(await store.openRead(sha(bytes))), bytes);
      const range = await collect(await store.openRead(sha(bytes), { start: 500, end: 1499 }));
      assert.deepEqual(range, bytes.subarray(500, 1500));
      // What clients probe a file with: its first byte only (s3rver answers it with the whole object).
      assert.deepEqual(
        await collect(await store.openRead(sha(bytes), { start: 0, end: 0 })),
        bytes.subarray(0, 1),
      );
    });

    it("sends a blob, or a range of it, to a stream and ends it; a missing blob fails before any byte", async () => {
      const bytes = randomBytes(300_000);
      await store.put(bytes, { expectedSha256: sha(bytes), expectedSize: bytes.byteLength });
      const sent = async (range: { start: number; end: number }) => {
        const target = new PassThrough();
        const received = collect(target);
        await store.sendTo(sha(bytes), target, range);
        return received;
      };
      assert.deepEqual(await sent({ start: 0, end: bytes.byteLength - 1 }), bytes);
      assert.deepEqual(await sent({ start: 1000, end: 250_999 }), bytes.subarray(1000, 251_000));
      const untouched = new PassThrough();
      let written = 0;
      untouched.on("data", (chunk: Buffer) => {
        written += chunk.byteLength;
      });
      await rejectsWith(
        store.sendTo(sha(randomBytes(10)), untouched, { start: 0, end: 9 }),
        "HANGAR_ERR_BLOB_MISSING",
        /missing/,
      );
      assert.equal(written, 0);
    });

    it("computes the sha256 (and git blob id) of bytes it was not told about", async () => {
      const bytes = Buffer.from("hello blob store\n");
      const stored = await store.put(inChunks(bytes, 5), { expectedSize: bytes.byteLength });
      assert.equal(stored.sha256, sha(bytes));
      const gitOid = createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
      assert.equal(stored.gitOid, gitOid);
      assert.equal((await store.read(stored.sha256)).toString(), "hello blob store\n");
    });

    it("streams a body longer than one part, with and without its sha256 announced", async () => {
      const bytes = randomBytes(2 * PART + 12_345);
      const known = await store.put(inChunks(bytes), { expectedSha256: sha(bytes) });
      assert.equal(known.size, bytes.byteLength);
      assert.equal(sha(await store.read(sha(bytes))), sha(bytes));
      const other = randomBytes(PART + 7);
      const unknown = await store.put(inChunks(other, 3 * MiB));
      assert.deepEqual(
        { sha256: unknown.sha256, size: unknown.size },
        { sha256: sha(other), size: other.byteLength },
      );
      assert.equal(sha(await store.read(sha(other))), sha(other));
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("refuses a wrong sha256 and keeps nothing, short or long", async () => {
      for (const length of [1000, PART + 10]) {
        const bytes = randomBytes(length);
        const claimed = sha(randomBytes(8));
        await rejectsWith(
          store.put(inChunks(bytes), { expectedSha256: claimed }),
          "HANGAR_ERR_BAD_REQUEST",
          new RegExp(`Content sha256 is ${sha(bytes)}, but ${claimed} was announced`),
        );
        assert.equal(await store.has(claimed), false);
        assert.equal(await store.has(sha(bytes)), false);
        assert.ok(!(await listAll(store)).includes(claimed));
      }
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("refuses a size mismatch either way and keeps nothing", async () => {
      const bytes = randomBytes(4000);
      await rejectsWith(
        store.put(bytes, { expectedSha256: sha(bytes), expectedSize: 3999 }),
        "HANGAR_ERR_BAD_REQUEST",
        /more than the announced 3999 bytes/,
      );
      await rejectsWith(
        store.put(bytes, { expectedSha256: sha(bytes), expectedSize: 4001 }),
        "HANGAR_ERR_BAD_REQUEST",
        /Received 4000 bytes, but 4001 were announced/,
      );
      await rejectsWith(store.put(bytes, { maxSize: 100 }), "HANGAR_ERR_PAYLOAD_TOO_LARGE", /limit of 100/);
      assert.equal(await store.has(sha(bytes)), false);
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("lists, verifies and deletes blobs", async () => {
      const a = randomBytes(10);
      const b = randomBytes(20);
      await store.put(a);
      await store.put(b);
      const listed = await listAll(store);
      assert.ok(listed.includes(sha(a)) && listed.includes(sha(b)));
      assert.equal(await store.verify(sha(a)), true);
      await store.delete(sha(a));
      await store.delete(sha(a));
      assert.equal(await store.has(sha(a)), false);
      assert.equal(await store.stat(sha(a)), undefined);
      assert.equal(await store.sizeOf(sha(a)), null);
      assert.equal(await store.verify(sha(a)), false);
      assert.ok(!(await listAll(store)).includes(sha(a)));
      await rejectsWith(store.read(sha(a)), "HANGAR_ERR_BLOB_MISSING", /missing/);
      await rejectsWith(store.openRead(sha(a)), "HANGAR_ERR_BLOB_MISSING", /missing/);
      await rejectsWith(store.readRange(sha(a), 0, 4), "HANGAR_ERR_BLOB_MISSING", /missing/);
      await rejectsWith(store.delete("../etc/passwd"), "HANGAR_ERR_BAD_REQUEST", /Invalid sha256/);
    });

    it("hands out a direct download URL where the engine has one", async () => {
      const bytes = randomBytes(3000);
      await store.put(bytes);
      const url = await store.downloadUrl(sha(bytes), {
        filename: "modèle weights.bin",
        expiresInSeconds: 60,
      });
      if (store instanceof BlobStore) {
        assert.equal(url, undefined);
        return;
      }
      assert.ok(url);
      const answer = await fetch(url);
      assert.equal(answer.status, 200);
      assert.match(
        answer.headers.get("content-disposition") ?? "",
        /filename\*=UTF-8''mod%C3%A8le%20weights\.bin/,
      );
      assert.deepEqual(Buffer.from(await answer.arrayBuffer()), bytes);
      const plain = await store.downloadUrl(sha(bytes), { expiresInSeconds: 60 });
      assert.deepEqual(Buffer.from(await (await fetch(plain!)).arrayBuffer()), bytes);
    });

    it("assembles a multipart upload, completed by another node, readable by sha256", async () => {
      const bytes = randomBytes(2 * PART + 4321);
      const session = await store.beginMultipart(sha(bytes), bytes.byteLength, PART);
      assert.equal(session.partUrls === undefined, store instanceof BlobStore);
      if (session.partUrls) assert.equal(session.partUrls.length, 3);
      const parts = await sendParts(store, session, bytes, PART);
      const other = await engine.reopen();
      try {
        const stored = await other.completeMultipart(session.uploadId, sha(bytes), bytes.byteLength, parts);
        assert.deepEqual(stored, { sha256: sha(bytes), size: bytes.byteLength });
      } finally {
        await other.close();
      }
      assert.equal(await store.sizeOf(sha(bytes)), bytes.byteLength);
      assert.equal(sha(await store.read(sha(bytes))), sha(bytes));
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("assembles a multipart upload whose parts the server relays", async () => {
      const bytes = randomBytes(PART + 99);
      const session = await store.beginMultipart(sha(bytes), bytes.byteLength, PART);
      const parts = await sendParts(store, session, bytes, PART, true);
      await store.completeMultipart(session.uploadId, sha(bytes), bytes.byteLength, parts);
      assert.equal(await store.verify(sha(bytes)), true);
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("refuses a multipart upload whose bytes do not match and leaves no object", async () => {
      const bytes = randomBytes(PART + 500);
      const announced = sha(randomBytes(8));
      const session = await store.beginMultipart(announced, bytes.byteLength, PART);
      const parts = await sendParts(store, session, bytes, PART);
      await rejectsWith(
        store.completeMultipart(session.uploadId, announced, bytes.byteLength, parts),
        "HANGAR_ERR_BAD_REQUEST",
        new RegExp(`${sha(bytes)}, but ${announced} was announced`),
      );
      assert.equal(await store.has(announced), false);
      assert.equal(await store.has(sha(bytes)), false);
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("refuses a completion that lacks a part, and aborts", async () => {
      const bytes = randomBytes(PART + 1);
      const session = await store.beginMultipart(sha(bytes), bytes.byteLength, PART);
      const parts = await sendParts(store, session, bytes, PART);
      await rejectsWith(
        store.completeMultipart(session.uploadId, sha(bytes), bytes.byteLength, parts.slice(0, 1)),
        "HANGAR_ERR_BAD_REQUEST",
        /[Pp]art/,
      );
      await store.abortMultipart(session.uploadId);
      await store.abortMultipart(session.uploadId);
      assert.equal(await store.has(sha(bytes)), false);
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("lists and removes what interrupted writes left, and nothing else", async () => {
      const kept = randomBytes(10);
      await store.put(kept);
      await engine.plantLeftover("crash-1", randomBytes(100));
      const listed = await store.listLeftovers();
      assert.deepEqual(
        listed.map(({ name, size }) => ({ name, size })),
        [{ name: "crash-1", size: 100 }],
      );
      assert.ok(listed[0]!.ageMs >= -1000 && listed[0]!.ageMs < 60_000, `age ${listed[0]!.ageMs}`);
      await store.removeLeftover("crash-1");
      await store.removeLeftover("crash-1");
      assert.deepEqual(await engine.leftovers(), []);
      assert.equal(await store.has(sha(kept)), true);
      await rejectsWith(
        store.removeLeftover("../blobs"),
        "HANGAR_ERR_BAD_REQUEST",
        /Invalid temp leftover name/,
      );
    });

    it("detaches a blob for gc: gone at once, put back or dropped after", async () => {
      const bytes = randomBytes(3000);
      await store.put(bytes);
      assert.equal(await store.detach(sha(randomBytes(4))), undefined);
      let detached = await store.detach(sha(bytes));
      assert.equal(detached?.size, 3000);
      assert.equal(await store.has(sha(bytes)), false);
      if (engine.restoresDetached) {
        await detached!.restore();
        assert.equal(await store.verify(sha(bytes)), true);
        detached = await store.detach(sha(bytes));
      }
      await detached!.discard();
      assert.equal(await store.has(sha(bytes)), false);
      assert.deepEqual(await engine.leftovers(), []);
    });

    it("says clearly when its storage cannot be used", async () => {
      const { store: broken, message } = await engine.unusable();
      try {
        await rejectsWith(broken.check(), "HANGAR_ERR_UNAVAILABLE", message);
      } finally {
        await broken.close();
      }
    });
  });
}

contract("filesystem", async () => {
  const root = await mkdtemp(join(tmpdir(), "hangar-blob-contract-"));
  const store = await BlobStore.open(join(root, "blobs"));
  return {
    store,
    reopen: () => BlobStore.open(join(root, "blobs")),
    leftovers: () => readdir(store.tempDir),
    plantLeftover: (name, bytes) => writeFile(join(store.tempDir, name), bytes),
    restoresDetached: true,
    async unusable() {
      const gone = await BlobStore.open(join(root, "gone"));
      await rm(join(root, "gone"), { recursive: true });
      return { store: gone, message: /blob store folder .*gone cannot be written/ };
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
});

contract("S3 (s3rver)", async () => {
  const server = await startTestS3();
  const bucket = "hangar-contract";
  const store = await server.createStore(bucket, "hub/", PART);
  return {
    store,
    reopen: async () => new S3BlobStore(server.settings(bucket, "hub/")),
    async leftovers() {
      const page = await store.client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (page.Contents ?? []).map((o) => o.Key ?? "").filter((key) => !key.startsWith("hub/blobs/"));
    },
    async plantLeftover(name, bytes) {
      await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: `hub/tmp/${name}`, Body: bytes }));
    },
    restoresDetached: false,
    unusable: async () => ({
      store: new S3BlobStore(server.settings("no-such-bucket")),
      message: /bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist: create the bucket first/,
    }),
    async close() {
      await store.close();
      await server.stop();
    },
  };
});
