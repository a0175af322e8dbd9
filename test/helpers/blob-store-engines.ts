import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { HangarError } from "../../src/core/errors.ts";
import { BlobStore } from "../../src/store/blob-store.ts";
import type { BlobStorage, UploadedPart } from "../../src/store/blob-store-types.ts";
import { S3BlobStore } from "../../src/store/s3-blob-store.ts";
import { startTestS3 } from "./s3.ts";

/**
 * The engines the blob store contract runs on: the filesystem blob store and the S3-compatible one (against
 * s3rver started here); and helpers the contract's cases share.
 */

export const MiB = 1024 * 1024;
/** S3's smallest part (but the last); the S3 store streams puts in parts of this size here. */
export const PART = 5 * MiB;

/** One engine under the contract. */
export interface Engine {
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

export const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function inChunks(bytes: Buffer, size = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function listAll(store: BlobStorage): Promise<string[]> {
  const names: string[] = [];
  for await (const name of store.list()) names.push(name);
  return names.sort();
}

export async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

/** Sends every part, to its presigned URL when the store gives one, otherwise through `putPart`. */
export async function sendParts(
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

/** Every engine, by name, with how to open a fresh store of it. */
export const BLOB_STORE_ENGINES: Array<{ name: string; open: () => Promise<Engine> }> = [
  {
    name: "filesystem",
    open: async () => {
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
    },
  },
  {
    name: "S3 (s3rver)",
    open: async () => {
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
          await store.client.send(
            new PutObjectCommand({ Bucket: bucket, Key: `hub/tmp/${name}`, Body: bytes }),
          );
        },
        restoresDetached: false,
        unusable: async () => ({
          store: new S3BlobStore(server.settings("no-such-bucket")),
          message:
            /bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist: create the bucket first/,
        }),
        async close() {
          await store.close();
          await server.stop();
        },
      };
    },
  },
];
