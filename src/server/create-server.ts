import "./fastify-types.ts";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Writable } from "node:stream";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  LogController,
} from "fastify";
import { HangarError } from "../core/errors.ts";
import { serverTimeouts } from "../core/server-config.ts";
import type { Hangar } from "../hangar.ts";
import { MemoryWindowCounter, type WindowCounter } from "../store/window-counter.ts";
import { errorResponse, sendError } from "./http.ts";
import { createRouter, hubNotFoundHandler, registerHubRoutes } from "./hub-routes.ts";
import { registerNativeRoutes } from "./native/native-routes.ts";
import type { NativeApp } from "./native/schemas.ts";
import { registerOpenApi } from "./openapi.ts";
import { type OperationsOptions, registerOperations } from "./operations/register-operations.ts";
import { registerRequestHooks, usesOpenAiErrors } from "./request-hooks.ts";
import { type LogLevel, loggerOptions, logRequest, requestIdOf, stampResponse } from "./request-log.ts";
import { openAiErrorResponse } from "./routes/openai.ts";
import { formatValidationErrors } from "./validation-errors.ts";
import { watchRequestBody } from "./watch-request-body.ts";

export { createRouter } from "./hub-routes.ts";

export interface CreateAppOptions {
  /**
   * Plugins registered after Hangar's `onRequest` hook (so `request.caller` and `request.hangarRoute` are
   * set when theirs run) and before any route: metrics, rate limits, audit. Registered in this order. A
   * plugin's hooks reach the routes only if it is not encapsulated (wrap it with `fastify-plugin`, or set
   * `Symbol.for("skip-override")` on it). The Hub's routes run in their route's `preParsing` hook on a
   * hijacked reply, so for them only `onRequest` and `preParsing` hooks run, never `onSend` or
   * `onResponse`: to act when any answer is over, use `whenResponseDone` (`request-log.ts`), as the request
   * log does.
   */
  plugins?: FastifyPluginAsync[];
  /**
   * Where rate-limit and authentication-throttle counts live (see `createWindowCounter`: Redis when
   * HANGAR_REDIS_URL is set); one in this process's memory when unset.
   */
  counter?: WindowCounter & { check?(): Promise<void> };
  /** Health, readiness, metrics and rate limits (`registerOperations`); `app.hangarOperations` holds them. */
  operations?: Omit<OperationsOptions, "counter">;
  /** Overrides `config.logLevel`. */
  logLevel?: LogLevel;
  /** Where log lines go (JSON lines); stdout when unset. */
  logStream?: Writable;
  /** Where the built web UI is; `web/dist` in Hangar's folder when unset (see `registerWebUiRoutes`). */
  webRoot?: string;
}

/**
 * The node HTTP server the app runs on, with Hangar's timeouts: Node's whole-request limit would cut off a
 * large upload on a slow link, so `requestTimeout` is off and `watchRequestBody` closes the connections
 * whose bodies stall or trickle instead. Every response gets CORS headers and `X-Request-Id` here, before
 * Fastify sees the request, so errors Fastify answers itself and hijacked replies carry them too.
 */
function serverFactory(hangar: Hangar, gate: () => Promise<void> | undefined) {
  const timeouts = serverTimeouts(hangar.config);
  return (handler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    const server = createHttpServer(
      {
        headersTimeout: timeouts.headersMs,
        requestTimeout: 0,
        // How often Node looks for connections past `headersTimeout` (its default, 30 s, would let one run 50 % over).
        connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.round(timeouts.headersMs / 4))),
      },
      (request, response) => {
        watchRequestBody({ request, response, timeouts });
        stampResponse(request, response);
        const waiting = gate();
        if (!waiting) handler(request, response);
        else {
          void waiting.then(
            () => handler(request, response),
            (error: unknown) => sendError(response, error),
          );
        }
      },
    );
    server.keepAliveTimeout = 65_000;
    return server;
  };
}

/**
 * Builds the Fastify app for an instance, ready to serve; listening is up to the caller
 * (`listen(app.server, host, port)`, or `startServer`). Order: Hangar's request hooks (`onRequest`: log line,
 * CORS preflight, route name, caller), the OpenAPI document and `/docs` (which list every route registered
 * after them), the operations (metrics, rate limits, `/health`, `/ready`, `/metrics`), `options.plugins`,
 * the native routes
 * (`/v1/...`, whoami), then the catch-all that hands the Hub's routes to `Router`.
 */
export async function createApp(hangar: Hangar, options: CreateAppOptions = {}): Promise<FastifyInstance> {
  const app = buildApp(hangar, options, () => undefined);
  await app.ready();
  return app;
}

function buildApp(
  hangar: Hangar,
  options: CreateAppOptions,
  gate: () => Promise<void> | undefined,
): FastifyInstance {
  const router = createRouter(options.webRoot ? { webRoot: options.webRoot } : {});
  const app = Fastify({
    serverFactory: serverFactory(hangar, gate),
    logger: loggerOptions({
      level: options.logLevel ?? hangar.config.logLevel ?? "info",
      ...(options.logStream ? { stream: options.logStream } : {}),
    }),
    genReqId: (request) => requestIdOf(request),
    // One line per request, from `logRequest`, which also covers hijacked replies; the id as `requestId`.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true, maxParamLength: 1000 },
    schemaErrorFormatter: formatValidationErrors,
    // Errors Fastify's router answers before any hook (a malformed URL): the Hub's shape too.
    frameworkErrors: (error, request, reply) => {
      stampResponse(request.raw, reply.raw);
      logRequest(request, reply);
      const answer = errorResponse(error, request.log);
      void (reply as FastifyReply).code(answer.status).headers(answer.headers).send(answer.body);
    },
  });
  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const answer = usesOpenAiErrors(request)
      ? openAiErrorResponse(error, request.log)
      : errorResponse(error, request.log);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  app.setNotFoundHandler(hubNotFoundHandler(hangar, router));
  const counter = options.counter ?? new MemoryWindowCounter();
  registerRequestHooks(app, hangar, router, counter);
  registerOpenApi(app, router);
  app.decorate("hangarOperations", registerOperations(app, hangar, { ...options.operations, counter }));
  for (const plugin of options.plugins ?? []) app.register(plugin);
  app.register(async (scope) => registerNativeRoutes(scope as unknown as NativeApp, hangar));
  app.register(async (scope) => registerHubRoutes(scope, hangar, router));
  return app;
}

/**
 * The app's node server, for callers that want a `Server` at once (tests, embedding): requests that arrive
 * before the app is ready wait for it. Prefer `createApp` (or `startServer`), which also gives the app.
 */
export function createServer(hangar: Hangar, options: CreateAppOptions = {}): Server {
  let ready: Promise<void> | undefined;
  const app = buildApp(hangar, options, () => ready);
  ready = Promise.resolve(app.ready()).then(
    () => {
      ready = undefined;
    },
    (error: unknown) => {
      app.log.error({ err: error }, "the server failed to start");
      // Requests answer 503 from now on; nothing else awaits this promise, so it does not reject.
      const failed = Promise.reject(
        new HangarError("HANGAR_ERR_UNAVAILABLE", "The server failed to start", { cause: error }),
      );
      failed.catch(() => {});
      ready = failed;
    },
  );
  return app.server;
}

/** Starts listening; resolves with the URL the server answers on. */
export function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      const actualPort = typeof address === "object" && address ? address.port : port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve(`http://${shownHost === "0.0.0.0" ? "127.0.0.1" : shownHost}:${actualPort}`);
    });
  });
}

export interface RunningServer {
  app: FastifyInstance;
  /** The node server the app listens on. */
  server: Server;
  /** The URL the server answers on, without a trailing slash. */
  url: string;
  /** Stops listening, cuts open connections and closes the app (its `onClose` hooks run). */
  close(): Promise<void>;
}

/** `createApp` and `listen` in one: the app, listening on `host` and `port`. */
export async function startServer(
  hangar: Hangar,
  address: { host: string; port: number },
  options: CreateAppOptions = {},
): Promise<RunningServer> {
  const app = await createApp(hangar, options);
  const url = await listen(app.server, address.host, address.port);
  return {
    app,
    server: app.server,
    url,
    async close() {
      const closed = new Promise<void>((resolve) => app.server.close(() => resolve()));
      app.server.closeAllConnections();
      await closed;
      await app.close();
    },
  };
}
