import { HubApiError } from "@huggingface/hub";
import { ERROR_CODES, type ErrorCode, HangarError } from "../core/errors.ts";

/** A failed command as the CLI reports it: one line of text, or one JSON object under `--json`. */
export interface CommandFailure {
  code: ErrorCode;
  message: string;
  /** Extra fields of the error (as the HTTP API adds them to its error body). */
  details: Record<string, unknown>;
  /** 2 for bad usage, 1 for a failed operation. */
  exitCode: number;
}

/** The generic code for an HTTP status a hub answered without one of Hangar's codes in its body. */
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: "HANGAR_ERR_BAD_REQUEST",
  401: "HANGAR_ERR_UNAUTHORIZED",
  403: "HANGAR_ERR_FORBIDDEN",
  404: "HANGAR_ERR_NOT_FOUND",
  405: "HANGAR_ERR_METHOD_NOT_ALLOWED",
  409: "HANGAR_ERR_CONFLICT",
  412: "HANGAR_ERR_PRECONDITION_FAILED",
  413: "HANGAR_ERR_PAYLOAD_TOO_LARGE",
  416: "HANGAR_ERR_RANGE_NOT_SATISFIABLE",
  429: "HANGAR_ERR_RATE_LIMITED",
};

const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === "string" && Object.hasOwn(ERROR_CODES, value);

/** The code of a failure from a hub the CLI called (`@huggingface/hub`'s error, or fetch's own). */
function clientErrorCode(error: unknown): ErrorCode | undefined {
  if (error instanceof HubApiError) {
    const code = (error.data as { code?: unknown } | undefined)?.code;
    if (isErrorCode(code)) return code;
    return CODE_OF_STATUS[error.statusCode] ?? "HANGAR_ERR_UPSTREAM";
  }
  if (error instanceof Error && error.message === "fetch failed") return "HANGAR_ERR_UPSTREAM";
  return undefined;
}

/** What went wrong, whatever was thrown: Hangar's own errors keep their code; the rest get the nearest one. */
export function commandFailure(error: unknown): CommandFailure {
  if (HangarError.isInstance(error)) {
    return {
      code: error.code,
      message: firstLine(error.message),
      details: error.details,
      exitCode: error.status === 400 ? 2 : 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Client commands wrap a hub's error into one readable line and keep it as the cause.
  const code =
    clientErrorCode(error) ??
    clientErrorCode(error instanceof Error ? error.cause : undefined) ??
    "HANGAR_ERR_INTERNAL";
  return { code, message: firstLine(message), details: {}, exitCode: 1 };
}

/** A usage error found before the command ran (unknown command or option): exit 2. */
export function usageFailure(message: string): CommandFailure {
  return { code: "HANGAR_ERR_BAD_REQUEST", message: firstLine(message), details: {}, exitCode: 2 };
}

/**
 * Writes the failure to stderr: `hangar <command>: <message>`, or under `--json` one JSON object in the shape
 * of the HTTP API's error bodies, `{"error": message, "code": "HANGAR_ERR_…", …details}`.
 */
export function reportFailure(params: {
  failure: CommandFailure;
  json: boolean;
  prefix: string;
  stderr: NodeJS.WritableStream;
}): number {
  const { failure, json, prefix, stderr } = params;
  if (json) {
    stderr.write(`${JSON.stringify({ error: failure.message, code: failure.code, ...failure.details })}\n`);
  } else {
    stderr.write(`${prefix}: ${failure.message}\n`);
  }
  return failure.exitCode;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!;
}
