import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { type ChunkSource, feedChunks } from "../core/feed-chunks.ts";
import {
  assertPutMatches,
  assertWithinPutSize,
  type BlobPutOptions,
  type StoredBlob,
} from "./blob-store-types.ts";

/**
 * Receiving a stream into an S3-compatible bucket while hashing it. Bytes are gathered into parts; a body
 * that fits in one part is hashed whole before a single PutObject, so its key is chosen from the checked
 * hash. A longer body becomes a multipart upload whose parts go out while the next ones arrive, and which is
 * completed only once the size and sha256 are found right: an upload never completed is no object, so a
 * mismatch leaves nothing visible (the parts are aborted). When the sha256 is not known in advance, a long
 * body goes to a staging key (its final name is not known yet), and the caller copies it into place.
 */

/** Parts uploaded at once while the next part arrives. */
const PARTS_IN_FLIGHT = 2;

export interface ReceiveTarget {
  client: S3Client;
  bucket: string;
  partSize: number;
  /** The final key of a sha256. */
  keyOf(sha256: string): string;
  /** A fresh staging key, for long bodies of unknown sha256. */
  stagingKey(): string;
}

export interface Received extends StoredBlob {
  /** Where the bytes are: the final key, or a staging key the caller must copy into place and delete. */
  key: string;
}

export async function receiveIntoBucket(
  target: ReceiveTarget,
  source: ChunkSource | Uint8Array,
  options: BlobPutOptions,
): Promise<Received> {
  const { client, bucket } = target;
  const sha256 = createHash("sha256");
  const wantsGitOid = options.gitOid ?? options.expectedSha256 === undefined;
  const gitHash = wantsGitOid && options.expectedSize !== undefined ? createHash("sha1") : undefined;
  gitHash?.update(`blob ${options.expectedSize}\0`);
  let size = 0;
  let gathered: Uint8Array[] = [];
  let gatheredBytes = 0;
  let multipart: { key: string; uploadId: string } | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  const inFlight: Promise<void>[] = [];
  let failure: unknown;

  const startMultipart = async (): Promise<{ key: string; uploadId: string }> => {
    const key =
      options.expectedSha256 !== undefined ? target.keyOf(options.expectedSha256) : target.stagingKey();
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    if (!created.UploadId) throw new Error(`The store started no multipart upload for ${key}`);
    return { key, uploadId: created.UploadId };
  };
  const sendPart = (body: Buffer): Promise<void> => {
    const session = multipart!;
    const PartNumber = parts.length + 1;
    const entry = { PartNumber, ETag: "" };
    parts.push(entry);
    const sent = client
      .send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: session.key,
          UploadId: session.uploadId,
          PartNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      )
      .then((answer) => {
        entry.ETag = answer.ETag ?? "";
      });
    const tracked = sent.finally(() => inFlight.splice(inFlight.indexOf(tracked), 1));
    tracked.catch((error: unknown) => {
      failure ??= error;
    });
    inFlight.push(tracked);
    return tracked;
  };
  const flushParts = async (): Promise<void> => {
    multipart ??= await startMultipart();
    let whole = Buffer.concat(gathered, gatheredBytes);
    while (whole.byteLength >= target.partSize) {
      sendPart(whole.subarray(0, target.partSize));
      whole = whole.subarray(target.partSize);
      while (inFlight.length >= PARTS_IN_FLIGHT) await inFlight[0]!.catch(() => {});
      if (failure !== undefined) throw failure;
    }
    gathered = whole.byteLength > 0 ? [whole] : [];
    gatheredBytes = whole.byteLength;
  };

  try {
    await feedChunks(source instanceof Uint8Array ? [source] : source, (chunk) => {
      size += chunk.byteLength;
      assertWithinPutSize(size, options);
      sha256.update(chunk);
      gitHash?.update(chunk);
      // The chunk may be reused by its producer once handled: keep a copy.
      gathered.push(Buffer.from(chunk));
      gatheredBytes += chunk.byteLength;
      return gatheredBytes >= target.partSize ? flushParts() : undefined;
    });
    const digest = sha256.digest("hex");
    assertPutMatches(size, digest, options);
    const blob: StoredBlob = { sha256: digest, size, ...(gitHash ? { gitOid: gitHash.digest("hex") } : {}) };
    if (!multipart) {
      const key = target.keyOf(digest);
      const body = Buffer.concat(gathered, gatheredBytes);
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.byteLength }),
      );
      return { ...blob, key };
    }
    if (gatheredBytes > 0) sendPart(Buffer.concat(gathered, gatheredBytes));
    await Promise.allSettled([...inFlight]);
    if (failure !== undefined) throw failure;
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: multipart.key,
        UploadId: multipart.uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { ...blob, key: multipart.key };
  } catch (error) {
    await Promise.allSettled([...inFlight]);
    if (multipart) await abortQuietly(client, bucket, multipart.key, multipart.uploadId);
    throw error;
  }
}

/**
 * Aborts a multipart upload, as cleanup after a failure: it may be gone already, and some S3-compatible
 * stores cannot abort (their leftover parts are for the bucket's lifecycle rule), so nothing is thrown.
 */
export async function abortQuietly(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  await client
    .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
    .catch(() => {});
}
