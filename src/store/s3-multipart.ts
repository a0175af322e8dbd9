import { randomBytes } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { badRequest, HangarError } from "../core/errors.ts";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import type {
  BeginMultipartOptions,
  MultipartSession,
  StoredBlob,
  UploadedPart,
} from "./blob-store-types.ts";
import { checkMultipartShape, partCountOf } from "./fs-multipart.ts";
import { errorName, isHarmlessAbortFailure, isMissing } from "./s3-errors.ts";

/** S3's limits: parts are 5 MiB or more (but the last), 10,000 at most. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
const DEFAULT_PART_URL_SECONDS = 24 * 60 * 60;

/** What the multipart sessions need of the store they belong to. */
export interface S3MultipartHost {
  client: S3Client;
  bucket: string;
  keyOf(sha256: string): string;
  stagingKey(token: string): string;
  sizeOf(sha256: string): Promise<number | null>;
  /** Hashes a staged object, moves it to its final key if it matches, and deletes the staging key. */
  promote(staged: string, sha256: string, size: number): Promise<void>;
}

/**
 * Client multipart uploads of the S3 store: S3 multipart uploads of a staging key `PREFIX/tmp/mpu-<token>`,
 * with one presigned PUT URL per part so the bytes go straight to the store. All their state is the bucket's:
 * any node can receive a part or complete the upload. Completion assembles the staged object, hashes it, and
 * only a match is copied to the final key (see S3BlobStore.promote); the staged object is deleted either way.
 */
export class S3Multipart {
  constructor(private readonly host: S3MultipartHost) {}

  /**
   * The upload id handed out is `<token>.<S3 upload id, base64url>`: any node finds the S3 upload and
   * its staging key from it alone.
   */
  private parse(uploadId: string): { key: string; s3UploadId: string } {
    const match = /^([0-9a-f]{32})\.([A-Za-z0-9_-]+)$/.exec(uploadId);
    if (!match) throw badRequest(`Invalid multipart upload id "${uploadId}"`);
    return {
      key: this.host.stagingKey(`mpu-${match[1]}`),
      s3UploadId: Buffer.from(match[2]!, "base64url").toString("utf8"),
    };
  }

  async begin(
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
    const key = this.host.stagingKey(`mpu-${token}`);
    const created = await this.host.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.host.bucket,
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
        Bucket: this.host.bucket,
        Key: key,
        UploadId: created.UploadId,
        PartNumber,
      });
      partUrls.push(await getSignedUrl(this.host.client, command, { expiresIn }));
    }
    return { uploadId, partUrls };
  }

  async putPart(
    uploadId: string,
    partNumber: number,
    source: ChunkSource | Uint8Array,
  ): Promise<UploadedPart> {
    const { key, s3UploadId } = this.parse(uploadId);
    const chunks: Uint8Array[] = [];
    await feedChunks(source instanceof Uint8Array ? [source] : source, (chunk) => {
      chunks.push(Buffer.from(chunk));
    });
    const body = Buffer.concat(chunks);
    try {
      const answer = await this.host.client.send(
        new UploadPartCommand({
          Bucket: this.host.bucket,
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

  async complete(uploadId: string, sha256: string, size: number, parts: UploadedPart[]): Promise<StoredBlob> {
    const { key, s3UploadId } = this.parse(uploadId);
    this.host.keyOf(sha256);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.host.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.host.bucket,
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
        // Completed already, maybe by another node answering a retry...
        if ((await this.host.sizeOf(sha256)) === size) return { sha256, size };
        // ...or assembled by a completion that stopped before its check: the check is done now.
        if (!(await this.stagedExists(key))) throw this.uploadGone(uploadId, error);
      } else if (name === "InvalidPart" || name === "InvalidPartOrder" || name === "EntityTooSmall") {
        throw badRequest(`The parts of upload ${uploadId} cannot be assembled: ${(error as Error).message}`, {
          cause: error,
        });
      } else throw error;
    }
    const head = await this.host.client.send(new HeadObjectCommand({ Bucket: this.host.bucket, Key: key }));
    const assembled = head.ContentLength ?? 0;
    if (assembled !== size) {
      await this.host.client
        .send(new DeleteObjectCommand({ Bucket: this.host.bucket, Key: key }))
        .catch(() => {});
      throw badRequest(`The uploaded parts are ${assembled} bytes, but ${size} were announced`);
    }
    await this.host.promote(key, sha256, size);
    return { sha256, size };
  }

  async abort(uploadId: string): Promise<void> {
    const { key, s3UploadId } = this.parse(uploadId);
    await this.host.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.host.bucket, Key: key, UploadId: s3UploadId }))
      .catch((error: unknown) => {
        // Gone already, or a store that cannot abort (its parts are left to the bucket's lifecycle rule).
        if (!isHarmlessAbortFailure(error)) throw error;
      });
    // A completion that stopped between assembling and checking leaves the staged object.
    await this.host.client
      .send(new DeleteObjectCommand({ Bucket: this.host.bucket, Key: key }))
      .catch(() => {});
  }

  private async stagedExists(key: string): Promise<boolean> {
    try {
      await this.host.client.send(new HeadObjectCommand({ Bucket: this.host.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
