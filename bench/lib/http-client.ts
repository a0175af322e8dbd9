import { createReadStream } from "node:fs";
import http, { type Agent, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { CLIENT_CHUNK } from "./data-file.ts";
import { secondsSince } from "./stats.ts";

export interface DownloadResult {
  status: number;
  bytes: number;
  seconds: number;
  /** Redirects followed before the body (Hangar may answer LFS files with a 302). */
  redirects: number;
}

function get(url: string, agent?: Agent): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: agent ?? false }, resolve).once("error", reject);
  });
}

/**
 * Downloads a URL with a plain `http.get`, following redirects, and drains the body counting bytes. Both
 * sides of a comparison go through this same function.
 */
export async function download(url: string): Promise<DownloadResult> {
  const start = process.hrtime.bigint();
  let current = url;
  for (let redirects = 0; redirects <= 5; redirects++) {
    const response = await get(current);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      current = new URL(response.headers.location, current).toString();
      continue;
    }
    let bytes = 0;
    response.on("data", (chunk: Buffer) => {
      bytes += chunk.byteLength;
    });
    await new Promise<void>((resolve, reject) => {
      response.once("end", resolve);
      response.once("error", reject);
    });
    return { status, bytes, seconds: secondsSince(start), redirects };
  }
  throw new Error(`Too many redirects from ${url}`);
}

export interface TextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  seconds: number;
}

/** Reads a whole response as text, timed from `start`. */
function readText(response: IncomingMessage, start: bigint): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.once("error", reject);
    response.once("end", () =>
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        seconds: secondsSince(start),
      }),
    );
  });
}

/** Sends a request with an optional small body and reads the whole answer as text. */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<TextResponse> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method: options.method ?? "GET",
        headers: {
          ...options.headers,
          ...(options.body !== undefined
            ? { "Content-Length": String(Buffer.byteLength(options.body)) }
            : {}),
        },
        agent: options.agent ?? false,
      },
      (response) => readText(response, start).then(resolve, reject),
    );
    outgoing.once("error", reject);
    outgoing.end(options.body);
  });
}

/**
 * PUTs a byte range of a file (inclusive `end`), streamed from disk in 1 MB reads, with no Authorization
 * header: the URL authorises itself, as LFS upload URLs do.
 */
export function putFileRange(
  url: string,
  path: string,
  range: { start: number; end: number },
): Promise<TextResponse> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method: "PUT",
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(range.end - range.start + 1),
        },
        agent: false,
      },
      (response) => readText(response, start).then(resolve, reject),
    );
    outgoing.once("error", reject);
    pipeline(
      createReadStream(path, { start: range.start, end: range.end, highWaterMark: CLIENT_CHUNK }),
      outgoing,
    ).catch(reject);
  });
}
