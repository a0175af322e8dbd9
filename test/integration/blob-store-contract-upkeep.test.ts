import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { BlobStorage } from "../../src/store/blob-store-types.ts";
import { BLOB_STORE_ENGINES, type Engine, rejectsWith, sha } from "../helpers/blob-store-engines.ts";

/** One contract, two engines: every case runs against the filesystem blob store and the S3 one. */
for (const { name, open } of BLOB_STORE_ENGINES)
  describe(`blob store contract, leftovers, gc and checks: ${name}`, () => {
    let engine: Engine;
    let store: BlobStorage;
    before(async () => {
      engine = await open();
      store = engine.store;
      await store.check();
    });
    after(() => engine.close());

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
