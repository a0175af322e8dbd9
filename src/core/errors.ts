/**
 * One error base class with stable codes. The server maps a code to an HTTP status, `X-Error-Code`
 * (the Hub's own code where the Hub has one, so the official clients raise their typed exceptions) and a
 * JSON body; the CLI maps it to one readable line and a non-zero exit.
 */
export const ERROR_CODES = {
  HANGAR_ERR_BAD_REQUEST: { status: 400, hubCode: "BadRequest" },
  HANGAR_ERR_INVALID_PATH: { status: 400, hubCode: "InvalidPath" },
  HANGAR_ERR_INVALID_REPO_ID: { status: 400, hubCode: "InvalidRepoId" },
  /** A URL the server would send requests to names a private, loopback or link-local address (SSRF guard). */
  HANGAR_ERR_URL_NOT_ALLOWED: { status: 400, hubCode: "UrlNotAllowed" },
  HANGAR_ERR_UNAUTHORIZED: { status: 401, hubCode: "Unauthorized" },
  HANGAR_ERR_FORBIDDEN: { status: 403, hubCode: "Forbidden" },
  HANGAR_ERR_GATED_REPO: { status: 403, hubCode: "GatedRepo" },
  // 403, not 451: the Hub answers no licence refusal with 451, and its clients read 403 as "not allowed".
  HANGAR_ERR_LICENCE_DENIED: { status: 403, hubCode: "LicenceDenied" },
  HANGAR_ERR_REPO_NOT_FOUND: { status: 404, hubCode: "RepoNotFound" },
  HANGAR_ERR_REVISION_NOT_FOUND: { status: 404, hubCode: "RevisionNotFound" },
  HANGAR_ERR_ENTRY_NOT_FOUND: { status: 404, hubCode: "EntryNotFound" },
  HANGAR_ERR_NOT_FOUND: { status: 404, hubCode: "NotFound" },
  HANGAR_ERR_MODEL_NOT_PULLED: { status: 404, hubCode: "ModelNotPulled" },
  /** A budget (src/governance/budgets) has too little left for the request's worst-case cost. */
  HANGAR_ERR_BUDGET_EXCEEDED: { status: 402, hubCode: "BudgetExceeded" },
  HANGAR_ERR_METHOD_NOT_ALLOWED: { status: 405, hubCode: "MethodNotAllowed" },
  HANGAR_ERR_REQUEST_TIMEOUT: { status: 408, hubCode: "RequestTimeout" },
  HANGAR_ERR_CONFLICT: { status: 409, hubCode: "Conflict" },
  HANGAR_ERR_PROMOTION_BLOCKED: { status: 409, hubCode: "PromotionBlocked" },
  HANGAR_ERR_PRECONDITION_FAILED: { status: 412, hubCode: "PreconditionFailed" },
  HANGAR_ERR_PAYLOAD_TOO_LARGE: { status: 413, hubCode: "PayloadTooLarge" },
  HANGAR_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, hubCode: "UnsupportedMediaType" },
  HANGAR_ERR_RANGE_NOT_SATISFIABLE: { status: 416, hubCode: "RangeNotSatisfiable" },
  HANGAR_ERR_SCAN_BLOCKED: { status: 422, hubCode: "ScanBlocked" },
  HANGAR_ERR_RATE_LIMITED: { status: 429, hubCode: "RateLimited" },
  HANGAR_ERR_BLOB_CORRUPT: { status: 500, hubCode: "BlobCorrupt" },
  HANGAR_ERR_BLOB_MISSING: { status: 500, hubCode: "BlobMissing" },
  HANGAR_ERR_INTERNAL: { status: 500, hubCode: "InternalError" },
  HANGAR_ERR_NOT_IMPLEMENTED: { status: 501, hubCode: "NotImplemented" },
  /** A route the Hub's clients call that Hangar does not serve (data/hub-client-routes.json). */
  HANGAR_ERR_ROUTE_NOT_IMPLEMENTED: { status: 501, hubCode: "NotImplemented" },
  HANGAR_ERR_UPSTREAM: { status: 502, hubCode: "UpstreamError" },
  HANGAR_ERR_UNAVAILABLE: { status: 503, hubCode: "ServiceUnavailable" },
  HANGAR_ERR_MODEL_LOAD_FAILED: { status: 500, hubCode: "ModelLoadError" },
  HANGAR_ERR_TIMEOUT: { status: 504, hubCode: "Timeout" },
} as const satisfies Record<string, { status: number; hubCode: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface HangarErrorOptions {
  /** Overrides the code's default status, e.g. 401 instead of 404 for an anonymous RepoNotFound. */
  status?: number;
  /** Extra JSON fields for the error body (e.g. `url` on a 409 from repo creation). */
  details?: Record<string, unknown>;
  /** Extra response headers (e.g. `X-Repo-Commit` on an EntryNotFound, `Retry-After`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

const HANGAR_ERROR_MARKER = Symbol.for("hangar.error");

export class HangarError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly [HANGAR_ERROR_MARKER] = true;

  constructor(code: ErrorCode, message: string, options: HangarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HangarError";
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }

  /** The code the Hub's clients understand (`RepoNotFound`, `EntryNotFound`, ...). */
  get hubCode(): string {
    return ERROR_CODES[this.code].hubCode;
  }

  static isInstance(value: unknown): value is HangarError {
    return typeof value === "object" && value !== null && HANGAR_ERROR_MARKER in value;
  }
}

export function badRequest(message: string, options?: HangarErrorOptions): HangarError {
  return new HangarError("HANGAR_ERR_BAD_REQUEST", message, options);
}

/** The first code with this HTTP status: for errors that arrive as a status only (the HTTP framework's). */
export function codeForStatus(status: number): ErrorCode | undefined {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).find((code) => ERROR_CODES[code].status === status);
}
