import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { BlobStore } from "../../src/store/blob-store.ts";
import type { BlobStorage } from "../../src/store/blob-store-types.ts";
import {
  BLOB_STORE_ENGINES,
  type Engine,
  PART,
  rejectsWith,
  sendParts,
  sha,
} from "../helpers/blob-store-engines.ts";

/** One contract, two engines: every case runs against the filesystem blob store and the S3 one. */
for (const { name, open } of BLOB_STORE_ENGINES)
  describe(`blob store contract, multipart uploads: ${name}`, () => {
    let engine: Engine;
    let store: BlobStorage;
    before(async () => {
      engine = await open();
      store = engine.store;
      await store.check();
    });
    after(() => engine.close());

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
  });
