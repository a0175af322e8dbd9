import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import {
  answerOf,
  CHUNK,
  errorOf,
  multipartClient,
  partBytes,
  startMultipartHub,
  startPartPut,
} from "../helpers/lfs-multipart.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

/**
 * Multipart parts sent again: stale ETags, PUTs broken off mid-way, oversized chunked parts, and
 * completions racing a part still being written.
 *
 * Every case runs twice: parts written with O_DIRECT (the default, where the filesystem takes it) and read
 * back the same way by the hashing worker, then through the page cache (HANGAR_DIRECT_IO=0).
 */
for (const directIo of [true, false])
  describe(`LFS multipart uploads over raw HTTP, parts sent again (direct I/O ${directIo ? "on" : "off"})`, () => {
    let hub: TestHangar;
    let token: string;
    before(async () => {
      ({ hub, token } = await startMultipartHub(directIo));
    });
    after(() => hub.close());

    const { startUpload, putPart, putParts, complete, completeOk, commitAndDownload, multipartFolders } =
      multipartClient(() => ({ hub, token, directIo }));

    it("refuses a completion naming a retried part's first (stale) ETag, and accepts the latest", async () => {
      const upload = await startUpload();
      const parts = await putParts(upload);
      const retry = await putPart(upload, 2);
      assert.equal(retry.status, 200, retry.error);
      assert.ok(retry.etag);
      assert.notEqual(retry.etag, parts[1]!.etag, "each attempt has its own ETag");

      const stale = await complete(upload, parts);
      assert.equal(stale.status, 400);
      assert.match(
        await errorOf(stale),
        /^Part 2 was not uploaded \(or not with that ETag\): upload it again$/,
      );
      assert.equal(await hub.hangar.blobs.has(upload.oid), false);

      const latest = parts.map((part) =>
        part.partNumber === 2 ? { partNumber: 2, etag: retry.etag! } : part,
      );
      await completeOk(upload, latest);
      assert.deepEqual(await multipartFolders(), [], "the parts are removed once joined");
      await commitAndDownload(upload, "retried.bin");
    });

    it("treats a part whose PUT broke off mid-way as not uploaded, until it is sent again", async () => {
      const upload = await startUpload();
      const parts = await putParts(upload);

      // Part 3 sent again, with other bytes, and cut off after more than one write batch of them.
      const broken = startPartPut(upload.partUrls[2]!, CHUNK);
      await broken.accepted;
      await broken.send(randomBytes(CHUNK - 32 * 1024));
      broken.request.destroy();
      await assert.rejects(broken.result);

      const afterBreak = await complete(upload, parts);
      assert.equal(afterBreak.status, 400);
      assert.match(await errorOf(afterBreak), /^Part 3 was not uploaded \(or not with that ETag\)/);
      assert.equal(await hub.hangar.blobs.has(upload.oid), false);

      const resent = await putPart(upload, 3);
      assert.equal(resent.status, 200, resent.error);
      const fixed = parts.map((part) =>
        part.partNumber === 3 ? { partNumber: 3, etag: resent.etag! } : part,
      );
      await completeOk(upload, fixed);
      await commitAndDownload(upload, "resent.bin");
    });

    it("refuses a part's first attempt broken off mid-way, then accepts it sent again", async () => {
      const upload = await startUpload();
      const broken = startPartPut(upload.partUrls[0]!, CHUNK);
      await broken.accepted;
      await broken.send(partBytes(upload, 1).subarray(0, CHUNK / 2));
      broken.request.destroy();
      await assert.rejects(broken.result);
      const others = await putParts(upload, 2);

      // The client never got an ETag for part 1; naming any other ETag for it must not join the object.
      const guessed = await complete(upload, [{ partNumber: 1, etag: others[0]!.etag }, ...others]);
      assert.equal(guessed.status, 400);
      assert.match(await errorOf(guessed), /^Part 1 was not uploaded/);

      const resent = await putPart(upload, 1);
      assert.equal(resent.status, 200, resent.error);
      await completeOk(upload, [{ partNumber: 1, etag: resent.etag! }, ...others]);
      await commitAndDownload(upload, "first-attempt-resent.bin");
    });

    it("answers 400 to a part sent chunked with more bytes than it holds, then takes the part sent right", async () => {
      const upload = await startUpload();
      // No Content-Length, so only the bytes themselves show the part is too large.
      const oversized = httpRequest(upload.partUrls[0]!, {
        method: "PUT",
        headers: { "transfer-encoding": "chunked" },
      });
      const answer = answerOf(oversized);
      oversized.write(partBytes(upload, 1));
      oversized.end(randomBytes(256 * 1024));
      const refused = await answer;
      assert.equal(refused.status, 400);
      assert.equal(refused.etag, undefined);
      assert.equal(refused.error, `Part 1 is larger than its ${CHUNK} bytes`);

      const parts = await putParts(upload);
      await completeOk(upload, parts);
      await commitAndDownload(upload, "after-oversized-part.bin");
    });

    it("refuses a completion while a part attempt is still being written, and accepts it once written", async () => {
      const upload = await startUpload();
      const parts = await putParts(upload);

      // A slow retry of part 2: half its bytes now (less than one write batch), the rest later.
      const slow = startPartPut(upload.partUrls[1]!, CHUNK);
      await slow.accepted;
      const bytes = partBytes(upload, 2);
      await slow.send(bytes.subarray(0, CHUNK / 2));

      const during = await complete(upload, parts);
      assert.equal(during.status, 400);
      assert.match(await errorOf(during), /^Part 2 was not uploaded/);
      assert.equal(await hub.hangar.blobs.has(upload.oid), false);

      await slow.send(bytes.subarray(CHUNK / 2));
      slow.request.end();
      const finished = await slow.result;
      assert.equal(finished.status, 200, finished.error);
      assert.ok(finished.etag);
      const latest = parts.map((part) =>
        part.partNumber === 2 ? { partNumber: 2, etag: finished.etag! } : part,
      );
      await completeOk(upload, latest);
      await commitAndDownload(upload, "slow.bin");
    });
  });
