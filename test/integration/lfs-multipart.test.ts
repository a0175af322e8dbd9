import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { type ClientRequest, request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { createRepo } from "@huggingface/hub";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { earlyHashedParts } from "../../src/hub/write/lfs-upload.ts";
import { setHashWorkerEnabled } from "../../src/store/range-hasher.ts";
import { takesDirectIo } from "../helpers/direct-io.ts";
import { fsBlobs, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * Edge cases of multipart LFS uploads, driven over raw HTTP exactly as the clients do it: batch, a PUT of
 * each part to its signed URL without auth, the completion POST `{oid, parts: [{partNumber, etag}]}`, then
 * an NDJSON commit naming the object, and a download through /resolve/.
 */

const LFS_HEADERS = {
  accept: "application/vnd.git-lfs+json",
  "content-type": "application/vnd.git-lfs+json",
};

/** Parts just over the server's 1 MiB write batch, so a part reaches the disk before it is whole. */
const CHUNK = 1024 * 1024 + 64 * 1024;
/** Four parts, the last one short. */
const OBJECT_SIZE = 3 * CHUNK + 5000;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

interface Upload {
  oid: string;
  bytes: Buffer;
  /** The completion URL. */
  href: string;
  /** Signed URL of part k at index k - 1. */
  partUrls: string[];
}

interface PartResult {
  status: number;
  etag: string | undefined;
  error: string | undefined;
}

interface Completed {
  partNumber: number;
  etag: string;
}

function partBytes(upload: Upload, part: number): Buffer {
  return upload.bytes.subarray((part - 1) * CHUNK, part * CHUNK);
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

/** The status, ETag and error message a part PUT is answered with. */
function answerOf(request: ClientRequest): Promise<PartResult> {
  return new Promise<PartResult>((resolve, reject) => {
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => {
        body += text;
      });
      response.on("error", reject);
      response.on("end", () => {
        const etag = response.headers.etag;
        const error = body ? (JSON.parse(body) as { error?: string }).error : undefined;
        resolve({ status: response.statusCode ?? 0, etag, error });
      });
    });
    request.on("error", reject);
  });
}

/**
 * A part PUT whose body is sent by the test at its own pace. It sends `Expect: 100-continue`, so `accepted`
 * resolves only once the server has handed the request to its handler.
 */
function startPartPut(url: string, length: number) {
  const request = httpRequest(url, {
    method: "PUT",
    headers: { "content-length": String(length), expect: "100-continue" },
  });
  const accepted = new Promise<void>((resolve) => request.once("continue", () => resolve()));
  const result = answerOf(request);
  request.flushHeaders();
  const send = (bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      request.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  return { request, accepted, result, send };
}

// Every case runs twice: parts written with O_DIRECT (the default, where the filesystem takes it) and read
// back the same way by the hashing worker, then through the page cache (HANGAR_DIRECT_IO=0).
for (const directIo of [true, false])
  describe(`LFS multipart uploads over raw HTTP (direct I/O ${directIo ? "on" : "off"})`, () => {
    let hub: TestHangar;
    let token: string;
    before(async () => {
      hub = await startTestHangar({
        directIo,
        limits: { ...DEFAULT_LIMITS, lfsMultipartThreshold: 2 * CHUNK, lfsMultipartChunkSize: CHUNK },
      });
      token = await hub.addUser("alice", "write");
      await createRepo({ repo: "alice/parts", accessToken: token, hubUrl: hub.url });
    });
    after(() => hub.close());

    async function startUpload(bytes: Buffer = randomBytes(OBJECT_SIZE)): Promise<Upload> {
      const oid = sha256(bytes);
      const response = await fetch(`${hub.url}/alice/parts.git/info/lfs/objects/batch`, {
        method: "POST",
        headers: { ...LFS_HEADERS, authorization: `Bearer ${token}` },
        body: JSON.stringify({
          operation: "upload",
          transfers: ["basic", "multipart"],
          hash_algo: "sha_256",
          objects: [{ oid, size: bytes.byteLength }],
        }),
      });
      assert.equal(response.status, 200);
      const [object] = (
        (await response.json()) as {
          objects: Array<{ actions?: { upload: { href: string; header?: Record<string, string> } } }>;
        }
      ).objects;
      const upload = object?.actions?.upload;
      assert.ok(upload?.header, "a multipart upload action");
      assert.equal(upload.header.chunk_size, String(CHUNK));
      const count = Math.ceil(bytes.byteLength / CHUNK);
      const partUrls = Array.from({ length: count }, (_, index) => upload.header![String(index + 1)]!);
      assert.ok(partUrls.every((url) => url !== undefined));
      return { oid, bytes, href: upload.href, partUrls };
    }

    async function putPart(upload: Upload, part: number, body: Uint8Array = partBytes(upload, part)) {
      const response = await fetch(upload.partUrls[part - 1]!, { method: "PUT", body });
      const etag = response.headers.get("etag");
      const error = response.ok ? undefined : await errorOf(response);
      return { status: response.status, etag: etag ?? undefined, error };
    }

    /** PUTs every part (from `from` on) with the right bytes; returns their completion entries. */
    async function putParts(upload: Upload, from = 1): Promise<Completed[]> {
      const parts: Completed[] = [];
      for (let part = from; part <= upload.partUrls.length; part++) {
        const result = await putPart(upload, part);
        assert.equal(result.status, 200, result.error);
        assert.ok(result.etag);
        parts.push({ partNumber: part, etag: result.etag });
      }
      return parts;
    }

    function complete(upload: Upload, parts: Completed[]): Promise<Response> {
      return fetch(upload.href, {
        method: "POST",
        headers: LFS_HEADERS,
        body: JSON.stringify({ oid: upload.oid, parts }),
      });
    }

    async function completeOk(upload: Upload, parts: Completed[]): Promise<void> {
      const response = await complete(upload, parts);
      assert.equal(response.status, 200, response.ok ? "" : await errorOf(response));
      assert.equal(await hub.hangar.blobs.has(upload.oid), true);
      assert.equal(
        fsBlobs(hub.hangar).direct.active,
        directIo && (await takesDirectIo(fsBlobs(hub.hangar).tempDir)),
        "the parts went direct exactly when direct I/O is on and the filesystem takes it",
      );
    }

    /** Commits the object as `path` with an NDJSON commit, then checks the download is byte-identical. */
    async function commitAndDownload(upload: Upload, path: string): Promise<void> {
      const lines = [
        { key: "header", value: { summary: `Add ${path}` } },
        {
          key: "lfsFile",
          value: { path, algo: "sha256", oid: upload.oid, size: upload.bytes.byteLength },
        },
      ];
      const committed = await fetch(`${hub.url}/api/models/alice/parts/commit/main`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
        body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
      });
      assert.equal(committed.status, 200, committed.ok ? "" : await errorOf(committed));
      const download = await fetch(`${hub.url}/alice/parts/resolve/main/${path}`);
      assert.equal(download.status, 200);
      const downloaded = Buffer.from(await download.arrayBuffer());
      assert.equal(downloaded.byteLength, upload.bytes.byteLength);
      assert.ok(downloaded.equals(upload.bytes), `${path} downloads byte-identical`);
    }

    async function multipartFolders(): Promise<string[]> {
      return (await readdir(fsBlobs(hub.hangar).tempDir)).filter((name) => name.startsWith("multipart-"));
    }

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
