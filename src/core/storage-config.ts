import { badRequest } from "./errors.ts";

/** Where an instance keeps its catalog and blobs: a PostgreSQL database, an S3-compatible store. */

export interface S3Access {
  /** For stores other than AWS (MinIO, R2, Ceph RGW, Garage...): `http(s)://host:port`. */
  endpoint?: string;
  /** `endpoint/bucket/key` URLs instead of `bucket.endpoint/key` (most non-AWS stores want this). */
  forcePathStyle: boolean;
  region: string;
  /** Explicit credentials; without them the AWS SDK's default chain (profiles, instance roles) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Downloads of LFS files: `redirect` answers 302 to a presigned URL of the store, as the Hub does with its
   * CDN (bytes skip Hangar); `proxy` streams them through Hangar (clients that cannot reach the store).
   */
  downloads: "redirect" | "proxy";
}

/** The S3 access of `HANGAR_S3_*` and the standard `AWS_*` variables. */
export function s3AccessFromEnv(env: Record<string, string | undefined>): S3Access {
  const endpoint = env.HANGAR_S3_ENDPOINT?.trim();
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  const downloads = env.HANGAR_S3_DOWNLOADS?.trim() || "redirect";
  if (downloads !== "redirect" && downloads !== "proxy") {
    throw badRequest(`HANGAR_S3_DOWNLOADS must be "redirect" or "proxy", got "${downloads}"`);
  }
  return {
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: ["1", "true", "yes"].includes(
      (env.HANGAR_S3_FORCE_PATH_STYLE ?? "").trim().toLowerCase(),
    ),
    region: env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || "us-east-1",
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    downloads,
  };
}

/** A catalog location: a PostgreSQL URL. (The SQLite default needs no setting.) */
export function parseDatabase(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^postgres(ql)?:\/\/[^/]/i.test(value.trim())) {
    throw badRequest(`${source} must be a postgres:// URL, got "${value.replace(/:[^:@/]*@/, ":***@")}"`);
  }
  return value.trim();
}

/** A blob store location: `s3://BUCKET/PREFIX`. (The filesystem default needs no setting.) */
export function parseBlobStore(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value.trim())) {
    throw badRequest(`${source} must be s3://BUCKET or s3://BUCKET/PREFIX, got "${value}"`);
  }
  return value.trim();
}
