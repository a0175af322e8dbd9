import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createRepo, downloadFile, uploadFiles } from "@huggingface/hub";
import { defaultConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import type { S3Access } from "../../src/core/storage-config.ts";
import { createHangar } from "../../src/hangar.ts";
import { fsck } from "../../src/hub/maintenance/fsck.ts";
import { gc } from "../../src/hub/maintenance/gc.ts";
import { localBlobPath } from "../../src/inference/runtime/local-blob-path.ts";
import { createServer, listen } from "../../src/server/create-server.ts";
import { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from "../helpers/s3.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * A Hangar whose blobs live in an S3-compatible bucket (s3rver), driven by the real @huggingface/hub client:
 * regular files go through Hangar, LFS objects are uploaded in parts straight to the bucket on presigned
 * URLs and downloaded through a 302 to a presigned URL, as on the Hub.
 */

const MiB = 1024 * 1024;
/** Over the multipart threshold below, in parts of S3's 5 MiB minimum: three parts, the last one short. */
const LARGE = 12 * MiB + 12345;
const LIMITS = { ...DEFAULT_LIMITS, lfsMultipartThreshold: 6 * MiB, lfsMultipartChunkSize: 5 * MiB };

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

function s3Access(s3: TestS3, downloads: S3Access["downloads"]): S3Access {
  return {
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
    downloads,
  };
}

async function bytesOf(blob: Blob | null): Promise<Buffer> {
  assert.ok(blob, "the file is there");
  return Buffer.from(await blob.arrayBuffer());
}

describe("a Hangar on S3 blobs", () => {
  let s3: TestS3;
  let hub: TestHangar;
  let token: string;
  const config = Buffer.from(JSON.stringify({ model_type: "bert", hidden_size: 8 }));
  const weights = randomBytes(LARGE);

  before(async () => {
    s3 = await startTestS3();
    await (await s3.createStore("hangar-blobs")).close();
    hub = await startTestHangar({
      blobStore: "s3://hangar-blobs/instance",
      s3: s3Access(s3, "redirect"),
      limits: LIMITS,
    });
    token = await hub.addUser("alice", "write");
    await createRepo({ repo: "alice/on-s3", accessToken: token, hubUrl: hub.url });
    await uploadFiles({
      repo: "alice/on-s3",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        { path: "config.json", content: new Blob([config]) },
        { path: "weights.bin", content: new Blob([weights]) },
      ],
    });
  });
  after(async () => {
    await hub?.close();
    await s3?.stop();
  });

  it("keeps the blobs in the bucket", async () => {
    assert.ok(hub.hangar.blobs instanceof S3BlobStore);
    assert.equal(await hub.hangar.blobs.has(sha256(weights)), true);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(weights)), LARGE);
    assert.equal(await hub.hangar.blobs.has(sha256(config)), true);
  });

  /** Asks the batch API to upload `bytes` in parts; the store's session begins there. */
  async function beginUpload(bytes: Buffer): Promise<{ href: string; header: Record<string, string> }> {
    const response = await fetch(`${hub.url}/alice/on-s3.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: {
        accept: "application/vnd.git-lfs+json",
        "content-type": "application/vnd.git-lfs+json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic", "multipart"],
        hash_algo: "sha_256",
        objects: [{ oid: sha256(bytes), size: bytes.byteLength }],
      }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      objects: Array<{ actions: { upload: { href: string; header: Record<string, string> } } }>;
    };
    return body.objects[0]!.actions.upload;
  }

  const openSessions = () =>
    rawDb(hub.hangar.catalog).prepare("SELECT upload_id FROM multipart_sessions").all() as unknown[];

  it("hands out the bucket's presigned part URLs for a large object, and any node completes the upload", async () => {
    const bytes = randomBytes(LARGE);
    const { href, header } = await beginUpload(bytes);
    assert.equal(header.chunk_size, String(5 * MiB));
    assert.ok(href.startsWith(`${hub.url}/api/lfs-upload/`), href);
    assert.match(href, /[?&]upload=/);
    const parts: Array<{ partNumber: number; etag: string }> = [];
    for (let part = 1; part <= 3; part++) {
      const url = header[String(part)]!;
      assert.ok(url.startsWith(`${s3.endpoint}/hangar-blobs/`), url);
      const put = await fetch(url, {
        method: "PUT",
        body: bytes.subarray((part - 1) * 5 * MiB, part * 5 * MiB),
      });
      assert.equal(put.status, 200);
      parts.push({ partNumber: part, etag: put.headers.get("etag")! });
    }
    assert.equal(header["4"], undefined);
    // Another node of the instance (same catalog, same bucket) receives the completion: the URL says it all.
    const other = await createHangar(hub.hangar.config);
    const server = createServer(other);
    try {
      const otherUrl = await listen(server, "127.0.0.1", 0);
      const completed = await fetch(href.replace(hub.url, otherUrl), {
        method: "POST",
        headers: { "content-type": "application/vnd.git-lfs+json" },
        body: JSON.stringify({ oid: sha256(bytes), parts }),
      });
      assert.equal(completed.status, 200, await completed.clone().text());
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await other.close();
    }
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(bytes)), LARGE);
    assert.deepEqual(openSessions(), [], "a completed session is forgotten");
    // Uncommitted: gc will take it once the grace period is over.
    await hub.hangar.blobs.delete(sha256(bytes));
  });

  it("downloads both files with the client, the LFS one through the store", async () => {
    const got = await downloadFile({ hubUrl: hub.url, repo: "alice/on-s3", path: "config.json" });
    assert.deepEqual(await bytesOf(got), config);
    const big = await downloadFile({ hubUrl: hub.url, repo: "alice/on-s3", path: "weights.bin" });
    assert.equal(sha256(await bytesOf(big)), sha256(weights));
  });

  it("answers HEAD and GET of an LFS file with a 302 to the store, carrying the file's identity", async () => {
    const url = `${hub.url}/alice/on-s3/resolve/main/weights.bin`;
    for (const method of ["HEAD", "GET"]) {
      const response = await fetch(url, { method, redirect: "manual" });
      assert.equal(response.status, 302, method);
      assert.equal(response.headers.get("x-linked-size"), String(LARGE));
      assert.equal(response.headers.get("x-linked-etag"), `"${sha256(weights)}"`);
      assert.equal(response.headers.get("etag"), `"${sha256(weights)}"`);
      assert.match(response.headers.get("x-repo-commit") ?? "", /^[0-9a-f]{40}$/);
      const location = response.headers.get("location") ?? "";
      assert.ok(location.startsWith(`${s3.endpoint}/hangar-blobs/instance/blobs/`), location);
      const fromStore = await fetch(location);
      assert.equal(fromStore.status, 200);
      assert.equal(sha256(Buffer.from(await fromStore.arrayBuffer())), sha256(weights));
    }
    // Regular files are always sent by Hangar.
    const regular = await fetch(`${hub.url}/alice/on-s3/resolve/main/config.json`, { redirect: "manual" });
    assert.equal(regular.status, 200);
    assert.deepEqual(Buffer.from(await regular.arrayBuffer()), config);
  });

  it("sends a ranged GET of an LFS file through the store too", async () => {
    const response = await fetch(`${hub.url}/alice/on-s3/resolve/main/weights.bin`, {
      headers: { range: "bytes=100-199" },
    });
    assert.equal(response.status, 206);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), weights.subarray(100, 200));
  });

  it("gives runtimes a verified local copy of a blob, made once", async () => {
    const path = await localBlobPath(hub.hangar.blobs, hub.home, sha256(weights));
    assert.equal(path, join(hub.home, "cache", "blobs", sha256(weights)));
    assert.equal(sha256(await readFile(path)), sha256(weights));
    const made = (await stat(path)).mtimeMs;
    assert.equal(await localBlobPath(hub.hangar.blobs, hub.home, sha256(weights)), path);
    assert.equal((await stat(path)).mtimeMs, made);
    assert.deepEqual(
      (await readdir(join(hub.home, "cache", "blobs"))).filter((name) => name.endsWith(".part")),
      [],
    );
  });

  it("gc aborts a multipart upload nobody finished once its URLs have expired", async () => {
    const bytes = randomBytes(LARGE);
    const { header } = await beginUpload(bytes);
    // Every part arrives; only the completion never comes.
    for (let part = 1; part <= 3; part++) {
      const put = await fetch(header[String(part)]!, {
        method: "PUT",
        body: bytes.subarray((part - 1) * 5 * MiB, part * 5 * MiB),
      });
      assert.equal(put.status, 200);
    }
    assert.equal(openSessions().length, 1);
    assert.equal((await gc(hub.hangar, { graceMs: 0 })).abortedUploads, 0, "its URLs are still valid");
    rawDb(hub.hangar.catalog).prepare("UPDATE multipart_sessions SET expires_at = 0").run();
    assert.equal((await gc(hub.hangar, { dryRun: true })).abortedUploads, 1);
    assert.equal(openSessions().length, 1, "a dry run aborts nothing");
    assert.equal((await gc(hub.hangar)).abortedUploads, 1);
    assert.deepEqual(openSessions(), []);
    // s3rver cannot abort multipart uploads (405, which the store takes as "left to the bucket's lifecycle
    // rule"), so the parts' removal itself is not visible here; AWS S3, MinIO, R2 and Garage do abort.
    assert.equal(await hub.hangar.blobs.has(sha256(bytes)), false);
  });

  it("finds the instance intact, and gc removes an unreferenced blob from the bucket", async () => {
    const report = await fsck(hub.hangar, { verifyHashes: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    // The two files and the .gitattributes the repo was created with.
    assert.equal(report.counts.blobsOnDisk, report.counts.referencedBlobs);
    assert.equal(report.counts.unreferencedBlobs, 0);
    assert.equal(report.counts.hashedBlobs, report.counts.referencedBlobs);

    const stray = await hub.hangar.blobs.put(randomBytes(5000), { expectedSize: 5000 });
    assert.equal(await hub.hangar.blobs.has(stray.sha256), true);
    const kept = await gc(hub.hangar);
    assert.equal(kept.removedBlobs, 0, "a fresh blob is spared for the grace period");
    const swept = await gc(hub.hangar, { graceMs: 0 });
    assert.equal(swept.removedBlobs, 1);
    assert.equal(swept.removedBlobBytes, 5000);
    assert.equal(await hub.hangar.blobs.has(stray.sha256), false);
    assert.equal(await hub.hangar.blobs.has(sha256(weights)), true);
    assert.equal((await fsck(hub.hangar)).ok, true);
  });
});

describe("a Hangar on S3 blobs with downloads proxied", () => {
  let s3: TestS3;
  let hub: TestHangar;

  before(async () => {
    s3 = await startTestS3();
    await (await s3.createStore("proxied")).close();
    hub = await startTestHangar({ blobStore: "s3://proxied", s3: s3Access(s3, "proxy"), limits: LIMITS });
  });
  after(async () => {
    await hub?.close();
    await s3?.stop();
  });

  it("sends LFS bytes itself with 200, uploaded with a single PUT", async () => {
    const token = await hub.addUser("bob", "write");
    await createRepo({ repo: "bob/proxied", accessToken: token, hubUrl: hub.url });
    const bytes = randomBytes(100_000);
    await uploadFiles({
      repo: "bob/proxied",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "small.bin", content: new Blob([bytes]) }],
    });
    assert.equal(await hub.hangar.blobs.has(sha256(bytes)), true);
    const response = await fetch(`${hub.url}/bob/proxied/resolve/main/small.bin`, { redirect: "manual" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-linked-etag"), `"${sha256(bytes)}"`);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
    const head = await fetch(`${hub.url}/bob/proxied/resolve/main/small.bin`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("x-linked-size"), "100000");
  });
});

describe("a Hangar whose bucket is missing", () => {
  it("does not start, and says so in one sentence", async () => {
    const s3 = await startTestS3();
    const home = await makeTempDir();
    try {
      await assert.rejects(
        createHangar(
          defaultConfig(home.path, { blobStore: "s3://no-such-bucket", s3: s3Access(s3, "redirect") }),
        ),
        (error: unknown) => {
          assert.ok(HangarError.isInstance(error));
          assert.equal(error.code, "HANGAR_ERR_UNAVAILABLE");
          assert.match(error.message, /no-such-bucket/);
          return true;
        },
      );
    } finally {
      await home.remove();
      await s3.stop();
    }
  });
});
