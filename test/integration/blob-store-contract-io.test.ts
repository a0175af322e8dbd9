import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { BlobStore } from "../../src/store/blob-store.ts";
import type { BlobStorage } from "../../src/store/blob-store-types.ts";
import {
  BLOB_STORE_ENGINES,
  collect,
  type Engine,
  inChunks,
  listAll,
  MiB,
  PART,
  rejectsWith,
  sha,
} from "../helpers/blob-store-engines.ts";

/** One contract, two engines: every case runs against the filesystem blob store and the S3 one. */
for (const { name, open } of BLOB_STORE_ENGINES)
  describe(`blob store contract, reads and writes: ${name}`, () => {
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
  });
