import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import type { HangarConfig } from "../core/config.ts";
import { HangarError } from "../core/errors.ts";

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

/** Maps an error to the Hub's error shape: status, X-Error-Code, X-Error-Message and a JSON `{error}` body. */
export function sendError(response: ServerResponse, error: unknown): void {
  const known = HangarError.isInstance(error)
    ? error
    : new HangarError("HANGAR_ERR_INTERNAL", "Internal server error", { cause: error });
  if (!HangarError.isInstance(error)) console.error(error);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  // Header values must be one line of Latin-1; messages can hold user input.
  const headerMessage = known.message.replace(/[^\x20-\x7e]/g, "?").slice(0, 1000);
  sendJson(
    response,
    known.status,
    { error: known.message, code: known.code, ...known.details },
    { "X-Error-Code": known.hubCode, "X-Error-Message": headerMessage, ...known.headers },
  );
}

/** Decodes one percent-encoded path segment; malformed escapes are a client error, not a crash. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HangarError("HANGAR_ERR_BAD_REQUEST", `Malformed percent-encoding in the path: "${segment}"`);
  }
}

/** Reads a whole request body, refusing more than `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > limit) {
    throw new HangarError(
      "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      `The request body is ${declared} bytes, over the limit of ${limit} bytes`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) {
      throw new HangarError(
        "HANGAR_ERR_PAYLOAD_TOO_LARGE",
        `The request body is over the limit of ${limit} bytes`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
