import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { badRequest, HangarError } from "../core/errors.ts";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import {
  type BeginMultipartOptions,
  type BlobPutOptions,
  type BlobStorage,
  type ByteRange,
  type DownloadUrlOptions,
  type MultipartSession,
  SHA256_PATTERN,
  type StoredBlob,
  type UploadedPart,
} from "./blob-store-types.ts";
import { checkMultipartShape, partCountOf } from "./fs-multipart.ts";
import { checkFailure, errorName, isHarmlessAbortFailure, isMissing, statusOf } from "./s3-errors.ts";
import { createS3Client, describeS3, type S3Settings } from "./s3-settings.ts";
import { receiveIntoBucket } from "./s3-upload.ts";

/** S3's limits: a single CopyObject copies up to 5 GiB; parts are 5 MiB or more (but the last), 10,000 at most. */
const COPY_LIMIT_BYTES = 5 * 1024 ** 3;
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
const DEFAULT_PART_URL_SECONDS = 24 * 60 * 60;

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

  constructor(settings: S3Settings, client: S3Client = createS3Client(settings)) {
    this.settings = settings;
    this.client = client;
    this.partSize = settings.partSize ?? DEFAULT_PART_BYTES;
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

  private async getBody(key: string, range?: string): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: range } : {}) }),
    );
    return answer.Body as Readable;
  }

  private async hashKey(key: string): Promise<string> {
    const hash = createHash("sha256");
    await feedChunks(await this.getBody(key), (chunk) => {
      hash.update(chunk);
    });
    return hash.digest("hex");
  }

  async stat(sha256: string): Promise<{ size: number } | undefined> {
    const key = this.keyOf(sha256);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0 };
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

  async openRead(sha256: string, range?: ByteRange): Promise<Readable> {
    const key = this.keyOf(sha256);
    try {
      return await this.getBody(key, range ? `bytes=${range.start}-${range.end}` : undefined);
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

  async *list(): AsyncGenerator<string> {
    const prefix = `${this.settings.prefix}blobs/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(object.Key.lastIndexOf("/") + 1) ?? "";
        if (SHA256_PATTERN.test(name) && object.Key === this.keyOf(name)) yield name;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async downloadUrl(sha256: string, options: DownloadUrlOptions): Promise<string | undefined> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.keyOf(sha256),
      ...(options.filename ? { ResponseContentDisposition: contentDisposition(options.filename) } : {}),
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  /**
   * Multipart uploads go to a staging key named by a random token; the upload id handed out is
   * `<token>.<S3 upload id, base64url>`, so any node can find the S3 upload from it alone.
   */
  private parseUploadId(uploadId: string): { key: string; s3UploadId: string } {
    const match = /^([0-9a-f]{32})\.([A-Za-z0-9_-]+)$/.exec(uploadId);
    if (!match) throw badRequest(`Invalid multipart upload id "${uploadId}"`);
    return {
      key: this.stagingKey(`mpu-${match[1]}`),
      s3UploadId: Buffer.from(match[2]!, "base64url").toString("utf8"),
    };
  }

  async beginMultipart(
    sha256: string,
    size: number,
    partSize: number,
    options: BeginMultipartOptions = {},
  ): Promise<MultipartSession> {
    checkMultipartShape(sha256, size, partSize);
    const count = partCountOf(size, partSize);
    if (count > MAX_PARTS)
      throw badRequest(`${count} parts is more than S3's ${MAX_PARTS}: use larger parts`);
    if (count > 1 && partSize < MIN_PART_BYTES) {
      throw badRequest(`Parts of ${partSize} bytes are smaller than S3's minimum of ${MIN_PART_BYTES}`);
    }
    const token = randomBytes(16).toString("hex");
    const key = this.stagingKey(`mpu-${token}`);
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        Metadata: { sha256, size: String(size) },
      }),
    );
    if (!created.UploadId) throw new Error(`The store started no multipart upload for ${key}`);
    const uploadId = `${token}.${Buffer.from(created.UploadId, "utf8").toString("base64url")}`;
    const expiresIn = options.expiresInSeconds ?? DEFAULT_PART_URL_SECONDS;
    const partUrls: string[] = [];
    for (let PartNumber = 1; PartNumber <= count; PartNumber++) {
      const command = new UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: created.UploadId,
        PartNumber,
      });
      partUrls.push(await getSignedUrl(this.client, command, { expiresIn }));
    }
    return { uploadId, partUrls };
  }

  async putPart(
    uploadId: string,
    partNumber: number,
    source: ChunkSource | Uint8Array,
  ): Promise<UploadedPart> {
    const { key, s3UploadId } = this.parseUploadId(uploadId);
    const chunks: Uint8Array[] = [];
    await feedChunks(source instanceof Uint8Array ? [source] : source, (chunk) => {
      chunks.push(Buffer.from(chunk));
    });
    const body = Buffer.concat(chunks);
    try {
      const answer = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: s3UploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      );
      return { partNumber, etag: answer.ETag ?? "" };
    } catch (error) {
      if (errorName(error) === "NoSuchUpload") throw this.uploadGone(uploadId, error);
      throw error;
    }
  }

  private uploadGone(uploadId: string, cause: unknown): HangarError {
    return new HangarError(
      "HANGAR_ERR_NOT_FOUND",
      `Multipart upload ${uploadId} does not exist (completed, aborted or never begun)`,
      { cause },
    );
  }

  async completeMultipart(
    uploadId: string,
    sha256: string,
    size: number,
    parts: UploadedPart[],
  ): Promise<StoredBlob> {
    const { key, s3UploadId } = this.parseUploadId(uploadId);
    this.keyOf(sha256);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: s3UploadId,
          MultipartUpload: {
            Parts: sorted.map((part) => ({
              PartNumber: part.partNumber,
              ETag: part.etag.startsWith('"') ? part.etag : `"${part.etag}"`,
            })),
          },
        }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name === "NoSuchUpload") {
        // Completed already, maybe by another node answering a retry.
        if ((await this.sizeOf(sha256)) === size) return { sha256, size };
        throw this.uploadGone(uploadId, error);
      }
      if (name === "InvalidPart" || name === "InvalidPartOrder" || name === "EntityTooSmall") {
        throw badRequest(`The parts of upload ${uploadId} cannot be assembled: ${(error as Error).message}`, {
          cause: error,
        });
      }
      throw error;
    }
    const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    const assembled = head.ContentLength ?? 0;
    if (assembled !== size) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => {});
      throw badRequest(`The uploaded parts are ${assembled} bytes, but ${size} were announced`);
    }
    await this.promote(key, sha256, size, true);
    return { sha256, size };
  }

  async abortMultipart(uploadId: string): Promise<void> {
    const { key, s3UploadId } = this.parseUploadId(uploadId);
    await this.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: s3UploadId }))
      .catch((error: unknown) => {
        // Gone already, or a store that cannot abort (its parts are left to the bucket's lifecycle rule).
        if (!isHarmlessAbortFailure(error)) throw error;
      });
    // A completion that stopped between assembling and checking leaves the staged object.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => {});
  }
}
