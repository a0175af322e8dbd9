import { HangarError } from "../core/errors.ts";
import type { S3Settings } from "./s3-settings.ts";

/** What the SDK's errors carry: a name (the S3 error code) and the HTTP status of the answer, if any. */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as SdkError).name : undefined;
}

export function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null
    ? (error as SdkError).$metadata?.httpStatusCode
    : undefined;
}

/** An object (or upload) that is not there. */
export function isMissing(error: unknown): boolean {
  const name = errorName(error);
  return name === "NotFound" || name === "NoSuchKey" || statusOf(error) === 404;
}

/** Errors a store answers when it cannot abort multipart uploads (s3rver), or has none to abort. */
export function isHarmlessAbortFailure(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === "NoSuchUpload" ||
    name === "MethodNotAllowed" ||
    name === "NotImplemented" ||
    statusOf(error) === 404 ||
    statusOf(error) === 405 ||
    statusOf(error) === 501
  );
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const { code, name } = current as SdkError;
    if (code && NETWORK_CODES.has(code)) return code;
    if (name && NETWORK_CODES.has(name)) return name;
    const nested = (current as { cause?: unknown; errors?: unknown[] }).errors?.[0];
    current = (current as { cause?: unknown }).cause ?? nested;
  }
  return undefined;
}

/** One clear sentence for a failed HeadBucket: missing bucket, refused credentials, or no store there. */
export function checkFailure(error: unknown, settings: S3Settings, where: string): HangarError {
  const options = { cause: error };
  const name = errorName(error);
  const status = statusOf(error);
  const network = networkCode(error);
  if (network !== undefined || (status === undefined && name !== "CredentialsProviderError")) {
    const endpoint = settings.endpoint ?? `AWS S3 in ${settings.region}`;
    const reason = network ?? (error as Error).message;
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `Cannot reach the S3 endpoint ${endpoint} (${reason}): check HANGAR_S3_ENDPOINT and that the store is running`,
      options,
    );
  }
  if (name === "CredentialsProviderError") {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `No S3 credentials found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      options,
    );
  }
  if (status === 404 || name === "NotFound" || name === "NoSuchBucket") {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `The blob store's ${where} does not exist: create the bucket first`,
      options,
    );
  }
  if (status === 301 || name === "PermanentRedirect") {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `The blob store's ${where} is in another region: set AWS_REGION to the bucket's region`,
      options,
    );
  }
  if (status === 403 || status === 401 || name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch") {
    return new HangarError(
      "HANGAR_ERR_UNAVAILABLE",
      `Access to the blob store's ${where} was refused: check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy`,
      options,
    );
  }
  return new HangarError(
    "HANGAR_ERR_UNAVAILABLE",
    `The blob store's ${where} cannot be used: ${name ?? "error"} (HTTP ${status})`,
    options,
  );
}
