import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";
import type { HangarConfig } from "../core/config.ts";
import type { LogLevel } from "../core/server-config.ts";
import type { RequestContext } from "../hub/accounts/principal.ts";
import { clientAddress, setCorsHeaders } from "./http.ts";

export type { LogLevel } from "../core/server-config.ts";

/** A request id a client may choose: bounded, and of characters safe in a header and a log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

const requestIds = new WeakMap<IncomingMessage, string>();

/**
 * The request's id: the client's `X-Request-Id` when it is safe (so a proxy's id carries through), else a
 * new UUID. Decided once, as the request arrives, so every answer carries it, errors and hijacked ones too.
 */
export function requestIdOf(request: IncomingMessage): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    const given = request.headers["x-request-id"];
    const value = Array.isArray(given) ? given[0] : given;
    id = value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** The request's id and client address, as the caller carries them to whatever records the request. */
export function requestContextOf(
  request: IncomingMessage,
  config: Pick<HangarConfig, "trustProxy">,
): RequestContext {
  return { id: requestIdOf(request), address: clientAddress(request, config) };
}

/**
 * Stamps the headers every answer carries, before any handler runs: `X-Request-Id` and CORS. Done by the
 * server as a request arrives, and again by the `onRequest` hook for requests that come without a socket
 * (`app.inject()`); setting them twice is harmless.
 */
export function stampResponse(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader("X-Request-Id", requestIdOf(request));
  setCorsHeaders(response, request.headers.origin);
}

/** Query parameters whose values are secrets: signatures of presigned URLs, tokens, keys. */
const SECRET_PARAMETER = /^(x-amz-.*|x-goog-.*|signature|sig|token|access_token|api_key|apikey|key|policy)$/i;

/** The URL as it may be logged: secret query values replaced by `[redacted]`. */
export function loggableUrl(url: string | undefined): string {
  const target = url ?? "/";
  const queryAt = target.indexOf("?");
  if (queryAt === -1) return target;
  const query = target
    .slice(queryAt + 1)
    .split("&")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {}
      return SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join("&");
  return `${target.slice(0, queryAt)}?${query}`;
}

export interface LoggerSettings {
  level: LogLevel;
  /** Where log lines go (one JSON object a line); stdout when unset, readable via pino-pretty on a terminal. */
  stream?: Writable;
}

/**
 * Fastify's logger (pino): JSON lines with the request id as `requestId`. Headers that carry credentials are
 * redacted wherever they would be logged, and URLs are logged without secret query values.
 */
export function loggerOptions(settings: LoggerSettings): FastifyServerOptions["logger"] {
  const pretty =
    settings.stream === undefined && process.stdout.isTTY === true && settings.level !== "silent";
  return {
    level: settings.level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "req.headers['proxy-authorization']",
        "headers.authorization",
        "headers.cookie",
        "res.headers['set-cookie']",
        "authorization",
        "token",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req: (request: { method?: string; url?: string; id?: string }) => ({
        method: request.method,
        url: loggableUrl(request.url),
      }),
    },
    ...(settings.stream ? { stream: settings.stream } : {}),
    ...(pretty
      ? {
          transport: {
            target: "pino-pretty",
            options: { translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
          },
        }
      : {}),
  };
}

/**
 * Calls `done` once the response is over (sent, failed, or the client went away). Fastify does not run
 * `onResponse` for hijacked replies (the Hub's routes, streams), so this watches the raw response: it covers
 * every request the same way.
 */
export function whenResponseDone(reply: FastifyReply, done: () => void): void {
  reply.raw.once("close", done);
}

/** Byte counts of a socket already attributed to earlier requests on it (keep-alive connections). */
const counted = new WeakMap<Socket, { read: number; written: number }>();
/** Each request's bytes, measured once when its response is over, for every reader (log, metrics). */
const measured = new WeakMap<IncomingMessage, { read: number; written: number } | undefined>();

/**
 * The bytes a request moved on its connection since the previous request on it ended: headers and body
 * both ways, whatever wrote them (Fastify, or a route that took the raw response). Measured at the first
 * call once the response is over, the same for every caller. Undefined when the socket keeps no counts (an
 * injected request).
 */
export function requestBytes(request: IncomingMessage): { read: number; written: number } | undefined {
  if (measured.has(request)) return measured.get(request);
  const socket = request.socket as Socket | undefined;
  let bytes: { read: number; written: number } | undefined;
  if (socket && typeof socket.bytesRead === "number" && typeof socket.bytesWritten === "number") {
    const before = counted.get(socket) ?? { read: 0, written: 0 };
    const now = { read: socket.bytesRead, written: socket.bytesWritten };
    counted.set(socket, now);
    bytes = { read: Math.max(0, now.read - before.read), written: Math.max(0, now.written - before.written) };
  }
  measured.set(request, bytes);
  return bytes;
}

/**
 * Logs one line per request when its response is over: method, route, status, duration, bytes in and out,
 * caller and request id (a binding of `request.log`). Never the token or the query's secrets.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  // pino's loggers have isLevelEnabled; nothing to measure when neither info nor error lines are written.
  const enabled = (request.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  if (enabled && !enabled.call(request.log, "error")) return;
  const started = process.hrtime.bigint();
  whenResponseDone(reply, () => {
    const response = reply.raw;
    // Counted on the socket (an injected request has none that counts): headers and bodies as sent.
    const bytes = requestBytes(request.raw);
    const line = {
      method: request.method,
      route: request.hangarRoute,
      url: loggableUrl(request.raw.url),
      status: response.statusCode,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      bytesIn: bytes?.read ?? 0,
      bytesOut: bytes?.written ?? 0,
      caller: request.caller?.user ?? null,
      ...(response.writableFinished ? {} : { aborted: true }),
    };
    if (response.statusCode >= 500) request.log.error(line, "request failed");
    else request.log.info(line, "request");
  });
}
