import { parsePositive } from "./config-values.ts";
import { badRequest } from "./errors.ts";

/** What the hub accepts: sizes of files, bodies and commits, and the scan verdicts that refuse a commit. */
export interface HangarLimits {
  /** Largest single file accepted, in bytes. */
  maxFileSize: number;
  /** Largest request body for JSON and NDJSON requests (regular files travel base64 inside commits). */
  maxRequestBodySize: number;
  /** Most operations in one commit. */
  maxFilesPerCommit: number;
  /** Files from this size on are stored as LFS objects. */
  lfsThreshold: number;
  /** Largest page a listing returns; larger `limit` values are capped, as the Hub does. */
  maxPageSize: number;
  /** LFS objects from this size on are uploaded in parts (default 64 MiB). */
  lfsMultipartThreshold?: number;
  /** Size of each part of a multipart LFS upload (default 32 MiB). */
  lfsMultipartChunkSize?: number;
}

export const DEFAULT_LIMITS: HangarLimits = {
  maxFileSize: 50 * 1024 ** 3,
  maxRequestBodySize: 256 * 1024 ** 2,
  maxFilesPerCommit: 25_000,
  lfsThreshold: 10 * 1024 ** 2,
  maxPageSize: 1000,
};

/** The limits of `HANGAR_MAX_FILE_SIZE`, `HANGAR_MAX_REQUEST_BODY_SIZE`, `HANGAR_MAX_FILES_PER_COMMIT`, `HANGAR_LFS_THRESHOLD`. */
export function limitsFromEnv(env: Record<string, string | undefined>): HangarLimits {
  const size = (name: string, fallback: number) => parsePositive(env[name], name) ?? fallback;
  return {
    maxFileSize: size("HANGAR_MAX_FILE_SIZE", DEFAULT_LIMITS.maxFileSize),
    maxRequestBodySize: size("HANGAR_MAX_REQUEST_BODY_SIZE", DEFAULT_LIMITS.maxRequestBodySize),
    maxFilesPerCommit: size("HANGAR_MAX_FILES_PER_COMMIT", DEFAULT_LIMITS.maxFilesPerCommit),
    lfsThreshold: size("HANGAR_LFS_THRESHOLD", DEFAULT_LIMITS.lfsThreshold),
    maxPageSize: DEFAULT_LIMITS.maxPageSize,
  };
}

/** A scan verdict an instance may refuse commits for. */
export type BlockableVerdict = "suspicious" | "invalid" | "unsafe";
const BLOCKABLE: readonly string[] = ["suspicious", "invalid", "unsafe"];

/** `unsafe`, `unsafe,invalid`...: the verdicts that refuse a commit; `off`, `flag` or empty: none. */
export function parseScanBlock(value: string | undefined, source: string): BlockableVerdict[] | undefined {
  if (value === undefined) return undefined;
  const verdicts = value
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== "" && part !== "off" && part !== "flag");
  for (const verdict of verdicts) {
    if (!BLOCKABLE.includes(verdict)) {
      throw badRequest(
        `${source} must list verdicts among ${BLOCKABLE.join(", ")} (or be off); got ${JSON.stringify(value)}`,
      );
    }
  }
  return [...new Set(verdicts)] as BlockableVerdict[];
}
