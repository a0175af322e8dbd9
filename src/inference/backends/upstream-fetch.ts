import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

/**
 * Connections to upstreams are kept open and reused. Node's global `fetch` (undici) cost 1.2-4.5 ms more
 * per call than `node:http` on a keep-alive agent against the same upstream on 127.0.0.1 (bench:router's
 * overhead), so routed calls go through this instead.
 */
/**
 * Idle connections are dropped after 4 s, before a server with Node's default keep-alive timeout (5 s) drops
 * them: a request sent on a connection the server is closing fails with a reset, which would count against
 * the deployment's circuit.
 */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 256, scheduling: "lifo" as const, timeout: 4_000 };
const AGENTS = {
  "http:": new http.Agent(AGENT_OPTIONS),
  "https:": new https.Agent(AGENT_OPTIONS),
};

export interface UpstreamRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/**
 * Sends one request and calls `onResponse` with Node's response once its headers are in; rejects when the
 * connection fails or `signal` fires (with the signal's reason). `onResponse` settles the promise.
 */
function send<T>(
  url: string | URL,
  init: UpstreamRequestInit,
  onResponse: (
    response: IncomingMessage,
    method: string,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) => void,
): Promise<T> {
  const target = typeof url === "string" ? new URL(url) : url;
  const signal = init.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const https_ = target.protocol === "https:";
    // Sent as the string it is: no copy into a Buffer first.
    const body = init.body;
    const method = init.method ?? "GET";
    const request = (https_ ? https.request : http.request)(
      target,
      {
        method,
        agent: https_ ? AGENTS["https:"] : AGENTS["http:"],
        headers:
          body === undefined
            ? init.headers
            : { ...init.headers, "Content-Length": String(Buffer.byteLength(body)) },
      },
      (response) => onResponse(response, method, resolve, reject),
    );
    const onAbort = () =>
      request.destroy(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason)));
    signal?.addEventListener("abort", onAbort, { once: true });
    request.once("close", () => signal?.removeEventListener("abort", onAbort));
    request.once("error", (error) => reject(signal?.aborted ? signal.reason : error));
    request.end(body);
  });
}

/**
 * A `fetch` for calls to upstream servers, on `node:http(s)` with keep-alive: resolves with a standard
 * `Response` (status, headers, a streamed body) once the headers are in; rejects when the connection
 * fails or `signal` fires (with the signal's reason), as `fetch` does. For answers read whole, `upstreamText`
 * costs less (no `Response`, `Headers` or web stream per call).
 */
export function upstreamFetch(url: string | URL, init: UpstreamRequestInit = {}): Promise<Response> {
  return send<Response>(url, init, (response, method, resolve) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      else headers.set(name, value);
    }
    const status = response.statusCode ?? 502;
    const empty = status === 204 || status === 205 || status === 304 || method === "HEAD";
    if (empty) response.resume();
    resolve(
      new Response(empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>), {
        status,
        statusText: response.statusMessage ?? "",
        headers,
      }),
    );
  });
}

/** An upstream's whole answer: status, Node's headers (names in lower case) and the body as text. */
export interface UpstreamText {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Like `upstreamFetch`, for answers read whole (non-streamed completions, embeddings, errors): resolves
 * once the body is in, as UTF-8 text; rejects when the connection fails or breaks before the body ends, or
 * `signal` fires (with the signal's reason), also while the body is being read.
 */
export function upstreamText(url: string | URL, init: UpstreamRequestInit = {}): Promise<UpstreamText> {
  return send<UpstreamText>(url, init, (response, _method, resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.once("end", () => {
      const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
      resolve({ status: response.statusCode ?? 502, headers: response.headers, text });
    });
    response.once("error", (error) => reject(init.signal?.aborted ? init.signal.reason : error));
    response.once("close", () => {
      if (!response.complete)
        reject(init.signal?.aborted ? init.signal.reason : new Error("the answer ended early"));
    });
  });
}
