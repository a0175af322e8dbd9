import { S3Client } from "@aws-sdk/client-s3";
import { HangarError } from "../core/errors.ts";
import type { S3Access } from "../core/storage-config.ts";

/** Where and how to reach an S3-compatible bucket (AWS S3, MinIO, R2, Ceph RGW, Garage, ...). */
export interface S3Settings {
  bucket: string;
  /** Key prefix every object of this store goes under ("" or ending with "/"). */
  prefix: string;
  /** For stores other than AWS: `http(s)://host:port` (HANGAR_S3_ENDPOINT). */
  endpoint?: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (HANGAR_S3_FORCE_PATH_STYLE). */
  forcePathStyle?: boolean;
  region: string;
  /** Explicit credentials; without them the SDK's default chain (profiles, instance roles...) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Bytes per part when a streamed put becomes a multipart upload (8 MiB to 64 MiB; default 16 MiB). */
  partSize?: number;
}

/** Parses `s3://BUCKET/PREFIX` (the prefix is optional). */
export function parseS3Location(location: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  const bucket = match?.[1];
  if (!match || !bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new HangarError(
      "HANGAR_ERR_BAD_REQUEST",
      `Invalid blob store location "${location}": expected s3://BUCKET or s3://BUCKET/PREFIX`,
    );
  }
  const trimmed = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  return { bucket, prefix: trimmed === "" ? "" : `${trimmed}/` };
}

/** Settings for the bucket at `location` (`s3://BUCKET/PREFIX`), reached as the config says (`config.s3`). */
export function s3Settings(location: string, access: S3Access): S3Settings {
  const { endpoint, forcePathStyle, region, credentials } = access;
  return {
    ...parseS3Location(location),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle,
    region,
    ...(credentials ? { credentials } : {}),
  };
}

/** Where the store is, for messages. */
export function describeS3(settings: S3Settings): string {
  const where = settings.endpoint ?? `AWS S3 (${settings.region})`;
  return `bucket "${settings.bucket}" at ${where}`;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle ?? false,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // Content is checked by its sha256 here; the SDK's default extra checksums (CRC32 trailers in
    // aws-chunked bodies) are sent only where an operation requires them, which every S3-compatible
    // store understands.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
