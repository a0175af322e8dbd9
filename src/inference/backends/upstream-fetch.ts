import http from "node:http";
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
 * A `fetch` for calls to upstream servers, on `node:http(s)` with keep-alive: resolves with a standard
 * `Response` (status, headers, a streamed body) once the headers are in; rejects when the connection
 * fails or `signal` fires (with the signal's reason), as `fetch` does.
 */
export function upstreamFetch(url: string | URL, init: UpstreamRequestInit = {}): Promise<Response> {
  const target = typeof url === "string" ? new URL(url) : url;
  const signal = init.signal;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const agent = target.protocol === "https:" ? AGENTS["https:"] : AGENTS["http:"];
    const send = target.protocol === "https:" ? https.request : http.request;
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const method = init.method ?? "GET";
    const request = send(
      target,
      {
        method,
        agent,
        headers: { ...init.headers, ...(body ? { "Content-Length": String(body.byteLength) } : {}) },
      },
      (response) => {
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
      },
    );
    const onAbort = () =>
      request.destroy(signal!.reason instanceof Error ? signal!.reason : new Error(String(signal!.reason)));
    signal?.addEventListener("abort", onAbort, { once: true });
    request.once("close", () => signal?.removeEventListener("abort", onAbort));
    request.once("error", (error) => reject(signal?.aborted ? signal.reason : error));
    request.end(body);
  });
}
