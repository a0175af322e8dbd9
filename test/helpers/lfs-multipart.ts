import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { type ClientRequest, request as httpRequest } from "node:http";
import { createRepo } from "@huggingface/hub";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { takesDirectIo } from "./direct-io.ts";
import { fsBlobs, startTestHangar, type TestHangar } from "./test-hangar.ts";

/**
 * Multipart LFS uploads driven over raw HTTP exactly as the clients do it: batch, a PUT of each part to its
 * signed URL without auth, the completion POST `{oid, parts: [{partNumber, etag}]}`, then an NDJSON commit
 * naming the object, and a download through /resolve/.
 */

const LFS_HEADERS = {
  accept: "application/vnd.git-lfs+json",
  "content-type": "application/vnd.git-lfs+json",
};

/** Parts just over the server's 1 MiB write batch, so a part reaches the disk before it is whole. */
export const CHUNK = 1024 * 1024 + 64 * 1024;
/** Four parts, the last one short. */
export const OBJECT_SIZE = 3 * CHUNK + 5000;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

export interface Upload {
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

export interface Completed {
  partNumber: number;
  etag: string;
}

export function partBytes(upload: Upload, part: number): Buffer {
  return upload.bytes.subarray((part - 1) * CHUNK, part * CHUNK);
}

export async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

/** The status, ETag and error message a part PUT is answered with. */
export function answerOf(request: ClientRequest): Promise<PartResult> {
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
export function startPartPut(url: string, length: number) {
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

/** A hub whose multipart threshold and part size are set for CHUNK, with alice (write) and alice/parts. */
export async function startMultipartHub(directIo: boolean): Promise<{ hub: TestHangar; token: string }> {
  const hub = await startTestHangar({
    directIo,
    limits: { ...DEFAULT_LIMITS, lfsMultipartThreshold: 2 * CHUNK, lfsMultipartChunkSize: CHUNK },
  });
  const token = await hub.addUser("alice", "write");
  await createRepo({ repo: "alice/parts", accessToken: token, hubUrl: hub.url });
  return { hub, token };
}

/** The client steps against the hub and token `context` returns (read at each call). */
export function multipartClient(context: () => { hub: TestHangar; token: string; directIo: boolean }) {
  async function startUpload(bytes: Buffer = randomBytes(OBJECT_SIZE)): Promise<Upload> {
    const oid = sha256(bytes);
    const response = await fetch(`${context().hub.url}/alice/parts.git/info/lfs/objects/batch`, {
      method: "POST",
      headers: { ...LFS_HEADERS, authorization: `Bearer ${context().token}` },
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
    assert.equal(await context().hub.hangar.blobs.has(upload.oid), true);
    assert.equal(
      fsBlobs(context().hub.hangar).direct.active,
      context().directIo && (await takesDirectIo(fsBlobs(context().hub.hangar).tempDir)),
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
    const committed = await fetch(`${context().hub.url}/api/models/alice/parts/commit/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${context().token}`, "content-type": "application/x-ndjson" },
      body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
    });
    assert.equal(committed.status, 200, committed.ok ? "" : await errorOf(committed));
    const download = await fetch(`${context().hub.url}/alice/parts/resolve/main/${path}`);
    assert.equal(download.status, 200);
    const downloaded = Buffer.from(await download.arrayBuffer());
    assert.equal(downloaded.byteLength, upload.bytes.byteLength);
    assert.ok(downloaded.equals(upload.bytes), `${path} downloads byte-identical`);
  }

  async function multipartFolders(): Promise<string[]> {
    return (await readdir(fsBlobs(context().hub.hangar).tempDir)).filter((name) =>
      name.startsWith("multipart-"),
    );
  }

  return { startUpload, putPart, putParts, complete, completeOk, commitAndDownload, multipartFolders };
}
