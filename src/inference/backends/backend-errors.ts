import { HangarError } from "../../core/errors.ts";

/** Statuses worth another attempt: rate limits, gateway errors, an upstream's own timeout. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * An upstream's refusal or failure as the caller sees it: the upstream's status and message, with whether
 * the router may try again (`details.retryable`) and how long the upstream asked it to wait.
 */
export function upstreamError(
  where: string,
  status: number,
  message: string,
  retryAfterMs?: number,
): HangarError {
  const retryable = RETRYABLE_STATUSES.has(status);
  const headers: Record<string, string> = {};
  if (retryAfterMs !== undefined)
    headers["Retry-After"] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  return new HangarError("HANGAR_ERR_UPSTREAM", `${where} answered ${status}: ${message}`, {
    status: status >= 400 && status <= 599 ? status : 502,
    details: {
      upstream_status: status,
      retryable,
      ...(retryAfterMs !== undefined ? { retry_after_ms: retryAfterMs } : {}),
    },
    headers,
  });
}

/** A connection that failed or broke: always worth trying elsewhere. */
export function unreachable(where: string, error: unknown): HangarError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new HangarError("HANGAR_ERR_UPSTREAM", `${where} could not be reached: ${reason}`, {
    status: 502,
    details: { upstream_status: null, retryable: true },
    cause: error,
  });
}

/** An attempt that ran out of its time: worth trying elsewhere. */
export function attemptTimedOut(where: string, ms: number): HangarError {
  return new HangarError("HANGAR_ERR_TIMEOUT", `${where} did not answer within ${ms} ms`, {
    details: { upstream_status: null, retryable: true },
  });
}

/** Whether another attempt (on this deployment or another) may succeed where this one failed. */
export function isRetryable(error: unknown): boolean {
  if (!HangarError.isInstance(error)) return true;
  if (error.details.retryable === true) return true;
  if (error.details.retryable === false) return false;
  // Hangar's own errors (a local deployment): overload and unavailability pass, a bad request does not.
  return (
    error.code === "HANGAR_ERR_RATE_LIMITED" || error.code === "HANGAR_ERR_UNAVAILABLE" || error.status >= 500
  );
}

/** How long the upstream asked to wait, in ms: `Retry-After` as seconds or an HTTP date. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait the error asked for, if any. */
export function requestedWait(error: unknown): number | undefined {
  if (!HangarError.isInstance(error)) return undefined;
  const asked = error.details.retry_after_ms;
  if (typeof asked === "number") return asked;
  return retryAfterMs(error.headers["Retry-After"]);
}

/** The message of an error body: `{error: "..."}`, `{error: {message}}`, `{message}`, `{detail}` or the text. */
export function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const error = parsed.error;
    if (typeof error === "string") return error;
    if (typeof error === "object" && error && typeof (error as { message?: unknown }).message === "string") {
      return (error as { message: string }).message;
    }
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    // Not JSON: the text itself.
  }
  return body.slice(0, 300) || "no message";
}
