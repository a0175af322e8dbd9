import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import type { Principal } from "../../src/hub/accounts/principal.ts";
import { lfsBatch } from "../../src/hub/write/lfs-batch.ts";
import { fsBlobs, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const LFS_HEADERS = {
  accept: "application/vnd.git-lfs+json",
  "content-type": "application/vnd.git-lfs+json",
};

interface BatchObject {
  oid: string;
  size: number;
  actions?: { upload: { href: string; header?: Record<string, string> }; verify?: { href: string } };
  error?: { code: number; message: string };
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("LFS uploads", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    // A small multipart threshold keeps the multipart test fast.
    hub = await startTestHangar({
      limits: { ...DEFAULT_LIMITS, lfsMultipartThreshold: 1024 * 1024, lfsMultipartChunkSize: 256 * 1024 },
    });
    token = await hub.addUser("alice", "write");
    await createRepo({ repo: "alice/weights", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  async function batch(
    objects: Array<{ oid: string; size: number }>,
    accessToken?: string,
  ): Promise<Response> {
    return fetch(`${hub.url}/alice/weights.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...LFS_HEADERS, ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify({
        operation: "upload",
        transfers: ["basic", "multipart", "xet"],
        hash_algo: "sha_256",
        objects,
      }),
    });
  }

  async function uploadAction(bytes: Uint8Array): Promise<BatchObject> {
    const response = await batch([{ oid: sha256(bytes), size: bytes.byteLength }], token);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { transfer: string; objects: BatchObject[] };
    return body.objects[0]!;
  }

  it("answers basic transfers with absolute signed URLs, and nothing for stored objects", async () => {
    const bytes = randomBytes(1000);
    const response = await batch([{ oid: sha256(bytes), size: bytes.byteLength }], token);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/vnd\.git-lfs\+json/);
    const body = (await response.json()) as { transfer: string; objects: BatchObject[] };
    assert.equal(body.transfer, "basic");
    const [object] = body.objects;
    assert.equal(object?.oid, sha256(bytes));
    assert.ok(object?.actions?.upload.href.startsWith(`${hub.url}/`));
    assert.equal(object?.actions?.upload.header, undefined);

    // The PUT carries no Authorization header, as the clients send it.
    const put = await fetch(object!.actions!.upload.href, { method: "PUT", body: bytes });
    assert.equal(put.status, 200);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(bytes)), bytes.byteLength);

    const verify = await fetch(object!.actions!.verify!.href, {
      method: "POST",
      headers: { ...LFS_HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify({ oid: sha256(bytes), size: bytes.byteLength }),
    });
    assert.equal(verify.status, 200);

    const again = (await (await batch([{ oid: sha256(bytes), size: bytes.byteLength }], token)).json()) as {
      objects: BatchObject[];
    };
    assert.deepEqual(again.objects, [{ oid: sha256(bytes), size: bytes.byteLength }]);
  });

  it("needs a write token for the batch; one without write access to the repo uploads blind", async () => {
    const object = { oid: "00".repeat(32), size: 1 };
    assert.equal((await batch([object])).status, 401);
    const readToken = await hub.addUser("alice", "read");
    const readOnly = await batch([object], readToken);
    assert.equal(readOnly.status, 403);
    // bob may open a pull request on alice's public repo, so he may upload its files; he learns nothing of
    // the objects the repo holds (an upload URL for each, even one alice uploaded) and gets no verify action.
    const bytes = randomBytes(100);
    const held = { oid: sha256(bytes), size: bytes.byteLength };
    const ownUpload = (await uploadAction(bytes)).actions!.upload.href;
    assert.equal((await fetch(ownUpload, { method: "PUT", body: bytes })).status, 200);
    assert.deepEqual(((await (await batch([held], token)).json()) as { objects: BatchObject[] }).objects, [
      held,
    ]);
    const bob = await hub.addUser("bob", "write");
    const blind = await batch([held], bob);
    assert.equal(blind.status, 200);
    const [answer] = ((await blind.json()) as { objects: BatchObject[] }).objects;
    assert.ok(answer?.actions?.upload.href.startsWith(`${hub.url}/`));
    assert.equal(answer?.actions?.verify, undefined);
  });

  it("reports malformed objects per object", async () => {
    const response = await batch([{ oid: "not-a-sha", size: 3 }], token);
    const body = (await response.json()) as { objects: BatchObject[] };
    assert.equal(body.objects[0]?.oid, "not-a-sha");
    assert.equal(body.objects[0]?.error?.code, 422);
  });

  it("rejects bytes that do not match the announced sha256 and stores nothing", async () => {
    const announced = randomBytes(4096);
    const object = await uploadAction(announced);
    const wrong = randomBytes(4096);
    const put = await fetch(object.actions!.upload.href, { method: "PUT", body: wrong });
    assert.equal(put.status, 400);
    assert.match(
      ((await put.json()) as { error: string }).error,
      /sha256 is [0-9a-f]{64}, but [0-9a-f]{64} was announced/,
    );
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(announced)), null);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(wrong)), null);

    const tooShort = await fetch(object.actions!.upload.href, {
      method: "PUT",
      body: announced.subarray(0, 10),
    });
    assert.equal(tooShort.status, 400);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(announced)), null);
  });

  it("refuses tampered and expired upload URLs with 403", async () => {
    const bytes = randomBytes(2048);
    const object = await uploadAction(bytes);
    const href = new URL(object.actions!.upload.href);

    const tampered = new URL(href);
    tampered.searchParams.set("size", "2049");
    const tamperedPut = await fetch(tampered, {
      method: "PUT",
      body: Buffer.concat([bytes, Buffer.from([0])]),
    });
    assert.equal(tamperedPut.status, 403);

    const badSignature = new URL(href);
    badSignature.searchParams.set("signature", "0".repeat(64));
    assert.equal((await fetch(badSignature, { method: "PUT", body: bytes })).status, 403);

    const otherObject = new URL(href.toString().replace(sha256(bytes), "11".repeat(32)));
    assert.equal((await fetch(otherObject, { method: "PUT", body: bytes })).status, 403);

    // An upload URL signed two days ago has expired by now.
    const alice: Principal = {
      user: "alice",
      fullname: "",
      email: null,
      isAdmin: false,
      token: { id: 0, displayName: "test", role: "write", createdAt: new Date(0).toISOString() },
      orgs: [],
    };
    const stale = await lfsBatch(hub.hangar, alice, {
      repo: { type: "model", namespace: "alice", name: "weights" },
      operation: "upload",
      objects: [{ oid: sha256(bytes), size: bytes.byteLength }],
      baseUrl: hub.url,
      now: Date.now() - 2 * 24 * 60 * 60 * 1000,
    });
    const expired = await fetch(stale.objects[0]!.actions!.upload.href, { method: "PUT", body: bytes });
    assert.equal(expired.status, 403);
    assert.match(((await expired.json()) as { error: string }).error, /expired/);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(bytes)), null);
  });

  it("uploads large objects in parts with the real client", async () => {
    const weights = randomBytes(1024 * 1024 + 12345);
    const object = await uploadAction(weights);
    const header = object.actions!.upload.header!;
    assert.equal(header.chunk_size, String(256 * 1024));
    assert.equal(Object.keys(header).filter((key) => /^\d+$/.test(key)).length, 5);

    const result = await uploadFiles({
      repo: "alice/weights",
      accessToken: token,
      hubUrl: hub.url,
      files: [{ path: "model.safetensors", content: new Blob([weights]) }],
    });
    assert.ok(result);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(weights)), weights.byteLength);
    assert.deepEqual(
      (await readdir(fsBlobs(hub.hangar).tempDir)).filter((name) => name.startsWith("multipart-")),
      [],
      "the parts are removed once joined",
    );
    const download = await fetch(`${hub.url}/alice/weights/resolve/main/model.safetensors`);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(weights));
  });

  it("refuses a multipart completion with a wrong part, and one whose parts do not add up", async () => {
    const weights = randomBytes(1024 * 1024 + 7);
    const object = await uploadAction(weights);
    const header = object.actions!.upload.header!;
    const chunk = Number(header.chunk_size);
    const parts: Array<{ partNumber: number; etag: string }> = [];
    for (let part = 1; header[String(part)]; part++) {
      const slice = weights.subarray((part - 1) * chunk, part * chunk);
      const response = await fetch(header[String(part)]!, { method: "PUT", body: slice });
      assert.equal(response.status, 200);
      parts.push({ partNumber: part, etag: response.headers.get("etag")! });
    }
    const tooLong = await fetch(header["1"]!, { method: "PUT", body: weights.subarray(0, chunk + 1) });
    assert.equal(tooLong.status, 400);

    const complete = (body: unknown) =>
      fetch(object.actions!.upload.href, {
        method: "POST",
        headers: LFS_HEADERS,
        body: JSON.stringify(body),
      });
    const missing = await complete({ oid: object.oid, parts: parts.slice(1) });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: string }).error, /Part 1 of 5 is missing/);

    // Part 2 replaced by other bytes of the right length: the whole object no longer has its sha256.
    const forged = randomBytes(chunk);
    const forgedPut = await fetch(header["2"]!, { method: "PUT", body: forged });
    const forgedParts = parts.map((part) =>
      part.partNumber === 2 ? { partNumber: 2, etag: forgedPut.headers.get("etag")! } : part,
    );
    const mismatch = await complete({ oid: object.oid, parts: forgedParts });
    assert.equal(mismatch.status, 400);
    assert.equal(await hub.hangar.blobs.sizeOf(object.oid), null);
  });
});
