import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import type { HangarConfig } from "../core/config.ts";
import { codeForStatus, HangarError } from "../core/errors.ts";

/** Headers browser clients (huggingface.js in a page) must be able to read. */
export const EXPOSED_HEADERS = [
  "ETag",
  "Link",
  "Content-Range",
  "Content-Length",
  "Accept-Ranges",
  "X-Repo-Commit",
  "X-Linked-Etag",
  "X-Linked-Size",
  "X-Error-Code",
  "X-Error-Message",
  "X-Request-Id",
  "X-Total-Count",
  "X-Hangar-Warning",
].join(", ");

export function setCorsHeaders(response: ServerResponse, origin: string | undefined): void {
  response.setHeader("Access-Control-Allow-Origin", origin ?? "*");
  response.setHeader("Vary", "Origin");
  response.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(response.req.method === "HEAD" ? undefined : text);
}

/** Where unexpected errors (not HangarErrors) are reported: the request's logger. */
export interface ErrorLog {
  error(object: unknown, message?: string): void;
}

/** An error as the response the Hub's clients expect: status, headers and the JSON body text. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  error: HangarError;
}

/**
 * Any thrown value as a HangarError. The HTTP framework's own client errors (a body too large, a media type
 * it cannot read, a malformed URL; they carry a 4xx `statusCode`) keep their status and message under the
 * code of that status; anything else is an internal error, reported to `log`.
 */
export function asHangarError(error: unknown, log?: ErrorLog): HangarError {
  if (HangarError.isInstance(error)) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500 && error instanceof Error) {
    const code = codeForStatus(status) ?? "HANGAR_ERR_BAD_REQUEST";
    return new HangarError(code, error.message, { status, cause: error });
  }
  log?.error({ err: error }, "unexpected error");
  return new HangarError("HANGAR_ERR_INTERNAL", "Internal server error", { cause: error });
}

/** Header values must be one line of Latin-1; messages can hold user input. */
export function headerSafe(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000);
}

/**
 * The one mapping from an error to the Hub's error shape: status, X-Error-Code, X-Error-Message and a JSON
 * `{error, code, ...details}` body. Every route's errors go through it (`sendError` for raw responses, the
 * Fastify error handler for the others).
 */
export function errorResponse(error: unknown, log?: ErrorLog): ErrorResponse {
  const known = asHangarError(error, log);
  return {
    status: known.status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "X-Error-Code": known.hubCode,
      "X-Error-Message": headerSafe(known.message),
      ...known.headers,
    },
    body: JSON.stringify({ error: known.message, code: known.code, ...known.details }),
    error: known,
  };
}

/** Sends `errorResponse(error)` on a raw response (or cuts the connection when an answer was under way). */
export function sendError(response: ServerResponse, error: unknown, log?: ErrorLog): void {
  const answer = errorResponse(error, log);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(answer.status, {
    ...answer.headers,
    "Content-Length": Buffer.byteLength(answer.body),
  });
  response.end(response.req.method === "HEAD" ? undefined : answer.body);
}

/** Decodes one percent-encoded path segment; malformed escapes are a client error, not a crash. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Malformed percent-encoding in the path: "${segment}"`);
  }
}

function bodyTooLarge(limit: number): HangarError {
  return new HangarError(
    "HANGAR_ERR_PAYLOAD_TOO_LARGE",
    `The request body is over the limit of ${limit} bytes`,
  );
}

/**
 * Reads a whole request body, refusing more than `limit` bytes. `body` is where the bytes come from when
 * not straight from the request (a Fastify content-type parser gets the stream its hooks left).
 */
export async function readBody(
  request: IncomingMessage,
  limit: number,
  body: AsyncIterable<unknown> = request,
): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `The request body is ${declared} bytes, over the limit of ${limit} bytes`,
    );
  }
  if (body instanceof Readable) return readStream(body, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * `readBody` of a Node stream, on its events: as `for await` over it behaves (the stream's error, a premature
 * close, the stream destroyed when the body is too large), without an async iterator, its end-of-stream
 * watch and a promise per chunk on every request.
 */
function readStream(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (stream.readableEnded) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: unknown) => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("error", settle);
      stream.off("close", onClose);
      if (error === undefined) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) return void chunks.push(chunk);
      settle(bodyTooLarge(limit));
      stream.destroy();
    };
    const onEnd = () => settle();
    const onClose = () =>
      settle(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    if (stream.destroyed) return onClose();
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("error", settle);
    stream.once("close", onClose);
  });
}

/**
 * The base URL the client used: the configured public URL, else the proxy's forwarding headers when the
 * proxy is trusted, else the Host header. Believed from anyone, X-Forwarded-Host would let a caller choose
 * the host of the upload and commit URLs the server hands out.
 */
export function clientBaseUrl(
  request: IncomingMessage,
  config: Pick<HangarConfig, "publicUrl" | "trustProxy">,
): string {
  if (config.publicUrl) return config.publicUrl;
  const first = (value: string | string[] | undefined): string | undefined =>
    (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim() || undefined;
  const forwarded = (name: string): string | undefined =>
    config.trustProxy ? first(request.headers[name]) : undefined;
  const proto = forwarded("x-forwarded-proto")?.toLowerCase() === "https" ? "https" : "http";
  const host = forwarded("x-forwarded-host") ?? request.headers.host ?? "127.0.0.1";
  return `${proto}://${host}`;
}

/**
 * The address of the client: the last entry of X-Forwarded-For (the one the trusted proxy added; earlier ones
 * come from the client and can be anything) when the proxy is trusted, else the peer of the connection.
 */
export function clientAddress(request: IncomingMessage, config: Pick<HangarConfig, "trustProxy">): string {
  const peer = request.socket.remoteAddress ?? "unknown";
  if (!config.trustProxy) return peer;
  const header = request.headers["x-forwarded-for"];
  const last = (Array.isArray(header) ? header.join(",") : header)?.split(",").at(-1)?.trim();
  return last && isIP(last) ? last : peer;
}
