import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { earlyHashedParts } from "../../src/hub/write/lfs-upload.ts";
import { setHashWorkerEnabled } from "../../src/store/range-hasher.ts";
import { CHUNK, errorOf, multipartClient, OBJECT_SIZE, startMultipartHub } from "../helpers/lfs-multipart.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

/**
 * The sha256 check of a joined multipart upload: parts hashed early, forged parts, the hashing worker off
 * or restarted.
 *
 * Every case runs twice: parts written with O_DIRECT (the default, where the filesystem takes it) and read
 * back the same way by the hashing worker, then through the page cache (HANGAR_DIRECT_IO=0).
 */
for (const directIo of [true, false])
  describe(`LFS multipart uploads over raw HTTP, the sha256 check (direct I/O ${directIo ? "on" : "off"})`, () => {
    let hub: TestHangar;
    let token: string;
    before(async () => {
      ({ hub, token } = await startMultipartHub(directIo));
    });
    after(() => hub.close());

    const { startUpload, putPart, putParts, complete, completeOk, commitAndDownload, multipartFolders } =
      multipartClient(() => ({ hub, token, directIo }));

    it("refuses a forged part after the leading parts were hashed early, storing nothing", async () => {
      const upload = await startUpload();
      const leading = [
        { partNumber: 1, etag: (await putPart(upload, 1)).etag! },
        { partNumber: 2, etag: (await putPart(upload, 2)).etag! },
      ];
      assert.equal(await earlyHashedParts(hub.hangar, upload.oid), 2, "parts 1 and 2 were hashed early");
      const forged = await putPart(upload, 3, randomBytes(CHUNK));
      assert.equal(forged.status, 200, forged.error);
      const last = await putParts(upload, 4);

      const mismatch = await complete(upload, [...leading, { partNumber: 3, etag: forged.etag! }, ...last]);
      assert.equal(mismatch.status, 400);
      assert.match(
        await errorOf(mismatch),
        new RegExp(`^Content sha256 is [0-9a-f]{64}, but ${upload.oid} was announced$`),
      );
      assert.equal(await hub.hangar.blobs.has(upload.oid), false);
      assert.deepEqual(await multipartFolders(), [], "the refused parts are dropped");

      // A correct upload of the same object afterwards: every part again, as the parts were dropped.
      const again = await startUpload(upload.bytes);
      await completeOk(again, await putParts(again));
      await commitAndDownload(again, "forged-then-right.bin");
    });

    it("refuses a hashed part replaced by forged bytes, and accepts a forged part replaced by the right ones", async () => {
      // All parts right and hashed early, then part 1 sent again with other bytes: the early hash is stale.
      const upload = await startUpload();
      const parts = await putParts(upload);
      assert.equal(await earlyHashedParts(hub.hangar, upload.oid), 4);
      const forged = await putPart(upload, 1, randomBytes(CHUNK));
      assert.equal(forged.status, 200, forged.error);
      const withForged = parts.map((part) =>
        part.partNumber === 1 ? { partNumber: 1, etag: forged.etag! } : part,
      );
      const mismatch = await complete(upload, withForged);
      assert.equal(mismatch.status, 400);
      assert.match(
        await errorOf(mismatch),
        /^Content sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was announced$/,
      );
      assert.equal(await hub.hangar.blobs.has(upload.oid), false);

      // Forged bytes hashed early, then replaced by the right ones: the object is accepted.
      const second = await startUpload();
      const wrong = await putPart(second, 1, randomBytes(CHUNK));
      assert.equal(wrong.status, 200, wrong.error);
      await putParts(second, 2);
      assert.equal(await earlyHashedParts(hub.hangar, second.oid), 4);
      const secondParts = await putParts(second);
      await completeOk(second, secondParts);
      await commitAndDownload(second, "forged-then-replaced.bin");
    });

    it("verifies on the main thread when the hashing worker is off", async () => {
      await setHashWorkerEnabled(false);
      try {
        const upload = await startUpload();
        const parts = await putParts(upload);
        assert.equal(await earlyHashedParts(hub.hangar, upload.oid), 0, "nothing is hashed early");
        await completeOk(upload, parts);
        await commitAndDownload(upload, "main-thread.bin");

        const forgedUpload = await startUpload();
        const forgedParts = await putParts(forgedUpload);
        const forged = await putPart(forgedUpload, 4, randomBytes(OBJECT_SIZE - 3 * CHUNK));
        forgedParts[3] = { partNumber: 4, etag: forged.etag! };
        const mismatch = await complete(forgedUpload, forgedParts);
        assert.equal(mismatch.status, 400);
        assert.match(
          await errorOf(mismatch),
          /^Content sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was announced$/,
        );
        assert.equal(await hub.hangar.blobs.has(forgedUpload.oid), false);
      } finally {
        await setHashWorkerEnabled(true);
      }
    });

    it("still verifies an upload whose early hash was lost with a stopped worker", async () => {
      const upload = await startUpload();
      const leading = [
        { partNumber: 1, etag: (await putPart(upload, 1)).etag! },
        { partNumber: 2, etag: (await putPart(upload, 2)).etag! },
      ];
      assert.equal(await earlyHashedParts(hub.hangar, upload.oid), 2);
      // The worker stops (and its hashes with it); the next hash call starts a new one.
      await setHashWorkerEnabled(false);
      await setHashWorkerEnabled(true);
      const rest = await putParts(upload, 3);
      await completeOk(upload, [...leading, ...rest]);
      await commitAndDownload(upload, "worker-restarted.bin");
    });
  });
