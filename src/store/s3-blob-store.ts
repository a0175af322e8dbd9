import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { type Readable, Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type _Object,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { badRequest, HangarError } from "../core/errors.ts";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import {
  type BeginMultipartOptions,
  type BlobPutOptions,
  type BlobStat,
  type BlobStorage,
  type ByteRange,
  type DetachedBlob,
  type DownloadUrlOptions,
  type MultipartSession,
  SHA256_PATTERN,
  type StoredBlob,
  type TempLeftover,
  type UploadedPart,
} from "./blob-store-types.ts";
import { checkFailure, isMissing, statusOf } from "./s3-errors.ts";
import { MAX_PARTS, MIN_PART_BYTES, S3Multipart } from "./s3-multipart.ts";
import { createS3Client, describeS3, type S3Settings } from "./s3-settings.ts";
import { receiveIntoBucket } from "./s3-upload.ts";

/** A single CopyObject copies up to 5 GiB; larger objects are read back and uploaded again. */
const COPY_LIMIT_BYTES = 5 * 1024 ** 3;
const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

function missing(sha256: string, cause: unknown): HangarError {
  return new HangarError("HANGAR_ERR_BLOB_MISSING", `Blob ${sha256} is missing from the blob store`, {
    cause,
  });
}

/** `attachment; filename=...` with an ASCII fallback and the exact UTF-8 name (RFC 6266). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Blobs in an S3-compatible bucket, named `PREFIX/blobs/ab/cd/<sha256>`. Every object under that name was
 * hashed and found to match before it got there: streamed puts are checked before their single PutObject or
 * before their multipart upload is completed (see s3-upload.ts), and client multipart uploads land on a
 * staging key under `PREFIX/tmp/`, are hashed there, and only then copied into place.
 */
export class S3BlobStore implements BlobStorage {
  readonly settings: S3Settings;
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly multipart: S3Multipart;

  constructor(settings: S3Settings, client: S3Client = createS3Client(settings)) {
    this.settings = settings;
    this.client = client;
    this.partSize = settings.partSize ?? DEFAULT_PART_BYTES;
    if (this.partSize < MIN_PART_BYTES) {
      throw new Error(`S3 parts must be at least ${MIN_PART_BYTES} bytes, not ${this.partSize}`);
    }
    this.multipart = new S3Multipart({
      client,
      bucket: settings.bucket,
      keyOf: (sha256) => this.keyOf(sha256),
      stagingKey: (token) => this.stagingKey(token),
      sizeOf: (sha256) => this.sizeOf(sha256),
      promote: (staged, sha256, size) => this.promote(staged, sha256, size, true),
    });
  }

  private get bucket(): string {
    return this.settings.bucket;
  }

  keyOf(sha256: string): string {
    if (!SHA256_PATTERN.test(sha256)) throw badRequest(`Invalid sha256 "${sha256}"`);
    return `${this.settings.prefix}blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  private stagingKey(token = randomBytes(16).toString("hex")): string {
    return `${this.settings.prefix}tmp/${token}`;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw checkFailure(error, this.settings, describeS3(this.settings));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  async put(source: ChunkSource | Uint8Array, options: BlobPutOptions = {}): Promise<StoredBlob> {
    if (options.expectedSha256 !== undefined) this.keyOf(options.expectedSha256);
    const received = await receiveIntoBucket(
      {
        client: this.client,
        bucket: this.bucket,
        partSize: this.partSize,
        keyOf: (sha256) => this.keyOf(sha256),
        stagingKey: () => this.stagingKey(),
      },
      source,
      options,
    );
    const { key, ...blob } = received;
    if (key !== this.keyOf(blob.sha256)) await this.promote(key, blob.sha256, blob.size, false);
    return blob;
  }

  /**
   * Moves a staged object to its final key and deletes the staging key. With `check`, its bytes are hashed
   * first (they came from a client) and a mismatch deletes it. Up to 5 GiB the store copies it; beyond that
   * it is read back and uploaded again, checked on the way.
   */
  private async promote(staged: string, sha256: string, size: number, check: boolean): Promise<void> {
    try {
      if (size > COPY_LIMIT_BYTES) {
        const body = await this.getBody(staged);
        await receiveIntoBucket(
          {
            client: this.client,
            bucket: this.bucket,
            partSize: Math.max(this.partSize, Math.ceil(size / MAX_PARTS)),
            keyOf: (name) => this.keyOf(name),
            stagingKey: () => this.stagingKey(),
          },
          body,
          { expectedSha256: sha256, expectedSize: size, gitOid: false },
        );
        return;
      }
      if (check) {
        const digest = await this.hashKey(staged);
        if (digest !== sha256) {
          throw badRequest(`The uploaded parts hash to sha256 ${digest}, but ${sha256} was announced`);
        }
      }
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(sha256),
          CopySource: `${this.bucket}/${staged.split("/").map(encodeURIComponent).join("/")}`,
        }),
      );
    } finally {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: staged })).catch(() => {});
    }
  }

  private async getBody(key: string, range?: ByteRange): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    const body = answer.Body as Readable;
    // Some S3-compatible stores answer a range such as bytes=0-0 with the whole object (200, no
    // Content-Range, or a Content-Range wider than asked): cut the asked bytes out here, so a reader never gets more than it asked for.
    if (!range) return body;
    const delivered = /^bytes (\d+)-(\d+)\//.exec(answer.ContentRange ?? "");
    const first = delivered ? Number(delivered[1]) : 0;
    const last = delivered ? Number(delivered[2]) : Number.POSITIVE_INFINITY;
    if (first === range.start && last <= range.end) return body;
    return sliceStream(body, range.start - first, range.end - first);
  }

  private async hashKey(key: string): Promise<string> {
    const hash = createHash("sha256");
    await feedChunks(await this.getBody(key), (chunk) => {
      hash.update(chunk);
    });
    return hash.digest("hex");
  }

  async stat(sha256: string): Promise<BlobStat | undefined> {
    const key = this.keyOf(sha256);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, lastModified: head.LastModified?.getTime() ?? Date.now() };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async sizeOf(sha256: string): Promise<number | null> {
    return (await this.stat(sha256))?.size ?? null;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async sendTo(sha256: string, target: Writable, range: ByteRange): Promise<void> {
    await pipeline(await this.openRead(sha256, range), target);
  }

  async openRead(sha256: string, range?: ByteRange): Promise<Readable> {
    const key = this.keyOf(sha256);
    try {
      return await this.getBody(key, range);
    } catch (error) {
      if (isMissing(error)) throw missing(sha256, error);
      if (statusOf(error) === 416) {
        throw new HangarError(
          "HANGAR_ERR_RANGE_NOT_SATISFIABLE",
          `Bytes ${range?.start}-${range?.end} are outside blob ${sha256}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async read(sha256: string): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    await feedChunks(await this.openRead(sha256), (chunk) => {
      chunks.push(chunk);
    });
    return Buffer.concat(chunks);
  }

  async readRange(sha256: string, start: number, end: number): Promise<Buffer> {
    if (end <= start) {
      if (!(await this.has(sha256))) throw missing(sha256, undefined);
      return Buffer.alloc(0);
    }
    const chunks: Uint8Array[] = [];
    try {
      await feedChunks(await this.openRead(sha256, { start, end: end - 1 }), (chunk) => {
        chunks.push(chunk);
      });
    } catch (error) {
      // Starting at or past the end: nothing to read, as from a file.
      if (HangarError.isInstance(error) && error.code === "HANGAR_ERR_RANGE_NOT_SATISFIABLE") {
        return Buffer.alloc(0);
      }
      throw error;
    }
    return Buffer.concat(chunks);
  }

  async verify(sha256: string): Promise<boolean> {
    try {
      return (await this.hashKey(this.keyOf(sha256))) === sha256;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) }));
  }

  /** Every object under `prefix`, page by page. */
  private async *objectsUnder(prefix: string): AsyncGenerator<_Object> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      yield* page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async *list(): AsyncGenerator<string> {
    for await (const object of this.objectsUnder(`${this.settings.prefix}blobs/`)) {
      const name = object.Key?.slice(object.Key.lastIndexOf("/") + 1) ?? "";
      if (SHA256_PATTERN.test(name) && object.Key === this.keyOf(name)) yield name;
    }
  }

  async adoptFile(path: string, sha256: string, size: number): Promise<void> {
    await this.put(createReadStream(path), { expectedSha256: sha256, expectedSize: size, gitOid: false });
    await rm(path, { force: true });
  }

  localPath(_sha256: string): undefined {
    return undefined;
  }

  /** Staged objects under `PREFIX/tmp/` that no put or multipart completion removed (a process died). */
  async listLeftovers(now = Date.now()): Promise<TempLeftover[]> {
    const prefix = this.stagingKey("");
    const leftovers: TempLeftover[] = [];
    for await (const object of this.objectsUnder(prefix)) {
      const name = object.Key?.slice(prefix.length) ?? "";
      if (name === "" || name.includes("/")) continue;
      const modified = object.LastModified?.getTime() ?? now;
      leftovers.push({ name, size: object.Size ?? 0, ageMs: now - modified });
    }
    return leftovers;
  }

  async removeLeftover(name: string): Promise<void> {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw badRequest(`Invalid temp leftover name "${name}"`);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.stagingKey(name) }));
  }

  /** Objects cannot be touched without copying them: gc goes by the registry date and leases instead. */
  async touch(_sha256s: readonly string[]): Promise<void> {}

  /** Deletes the object: an S3 store cannot hide one and bring it back cheaply (see DetachedBlob). */
  async detach(sha256: string): Promise<DetachedBlob | undefined> {
    const info = await this.stat(sha256);
    if (!info) return undefined;
    await this.delete(sha256);
    return { ...info, restore: async () => {}, discard: async () => {} };
  }

  async downloadUrl(sha256: string, options: DownloadUrlOptions): Promise<string | undefined> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.keyOf(sha256),
      ...(options.filename ? { ResponseContentDisposition: contentDisposition(options.filename) } : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  beginMultipart(
    sha256: string,
    size: number,
    partSize: number,
    options: BeginMultipartOptions = {},
  ): Promise<MultipartSession> {
    return this.multipart.begin(sha256, size, partSize, options);
  }

  putPart(uploadId: string, partNumber: number, source: ChunkSource | Uint8Array): Promise<UploadedPart> {
    return this.multipart.putPart(uploadId, partNumber, source);
  }

  completeMultipart(
    uploadId: string,
    sha256: string,
    size: number,
    parts: UploadedPart[],
  ): Promise<StoredBlob> {
    return this.multipart.complete(uploadId, sha256, size, parts);
  }

  abortMultipart(uploadId: string): Promise<void> {
    return this.multipart.abort(uploadId);
  }
}

/** The bytes `start..end` (inclusive) of a stream of a whole object. */
function sliceStream(source: Readable, start: number, end: number): Readable {
  let offset = 0;
  return source.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const from = Math.max(0, start - offset);
        const to = Math.min(chunk.byteLength, end + 1 - offset);
        offset += chunk.byteLength;
        done(null, from < to ? chunk.subarray(from, to) : undefined);
      },
    }),
  );
}
