import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { HangarError } from "../../core/errors.ts";
import { type RateLimits, rateLimitSettings } from "../../core/operations-config.ts";
import { NO_TELEMETRY } from "../../core/telemetry.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { MemoryWindowCounter, type WindowCounter } from "../../store/window-counter.ts";
import { sendError } from "../http.ts";
import { requestBytes } from "../request-log.ts";
import { registerEndpointMetrics } from "./endpoint-metrics.ts";
import { HangarMetrics } from "./metrics.ts";
import { RateLimiter, rateLimitedError, setRateLimitHeaders, setTokenLimitHeaders } from "./rate-limit.ts";
import { checkReadiness, instanceChecks, type ReadinessCheck } from "./readiness.ts";

export interface OperationsOptions {
  /**
   * Where rate-limit counts live: pass the counter the authentication throttle uses (see
   * `createWindowCounter`). When it has a `check`, `/ready` asks it too. Default: a new one in memory.
   */
  counter?: WindowCounter & { check?(): Promise<void> };
  /** The metrics to record into and serve; a new `HangarMetrics` by default. */
  metrics?: HangarMetrics;
  /** Rate limits per route group; default `hangar.config.rateLimits` over `DEFAULT_RATE_LIMITS`. */
  rateLimits?: Partial<RateLimits>;
  /** How long each `/ready` check may take before it counts as failed (default 2 s). */
  readyTimeoutMs?: number;
  /**
   * Who may read `GET /metrics` on this app: `admin` (default: an admin token; 401 without a token, 403
   * with another), `public` (anyone), or `off` (no route here: a separate port serves it, see
   * `startMetricsListener`).
   */
  metricsAccess?: "admin" | "public" | "off";
}

/** What `registerOperations` gives back to the server that registered it. */
export interface Operations {
  metrics: HangarMetrics;
  /** From now on `/ready` answers 503 (the instance is shutting down: load balancers stop sending). */
  drain(): void;
}

/** OpenAPI facts of the operations routes. */
function docs(summary: string) {
  return { summary, tags: ["operations"], security: [{}] };
}

/** The route pattern the Hangar server names for a request (see the contract with `create-server`). */
export function routeOf(request: FastifyRequest): string {
  return (request as { hangarRoute?: string }).hangarRoute ?? request.routeOptions.url ?? "unmatched";
}

function callerOf(request: FastifyRequest): Caller {
  return (request as { caller?: Caller }).caller ?? null;
}

/** Answers with Hangar's error shape on the raw response and ends Fastify's handling of the request. */
function replyError(reply: FastifyReply, error: HangarError): void {
  reply.hijack();
  sendError(reply.raw, error);
}

const WATCHED = Symbol("hangar.operations.watched");

/**
 * Records every request in the metrics once its response ends or its connection closes. Watching the raw
 * response works for routes that take it over (`reply.hijack()`), for which Fastify's `onResponse` never
 * fires.
 */
function watchRequest(metrics: HangarMetrics, request: FastifyRequest, reply: FastifyReply): void {
  (request as unknown as Record<symbol, boolean>)[WATCHED] = true;
  const started = process.hrtime.bigint();
  const response = reply.raw;
  metrics.inFlight.inc();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    metrics.inFlight.dec();
    const bytes = requestBytes(request.raw);
    metrics.observeRequest({
      method: request.method,
      route: routeOf(request),
      status: response.writableFinished ? response.statusCode : 499,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      receivedBytes: bytes?.read ?? (Number(request.headers["content-length"]) || 0),
      sentBytes: bytes?.written ?? (Number(response.getHeader("content-length")) || 0),
    });
  };
  response.once("finish", end);
  response.once("close", end);
}

/**
 * Adds the operations surface to a Fastify app: `GET /health`, `GET /ready`, `GET /metrics`, request
 * metrics and rate limits for every request, and the domain's telemetry into the metrics. Call it on the
 * root instance, after the hook that sets `request.hangarRoute` and `request.caller`; hooks added here then
 * apply to every route, registered before or after.
 */
export function registerOperations(
  app: FastifyInstance,
  hangar: Hangar,
  options: OperationsOptions = {},
): Operations {
  const metrics = options.metrics ?? new HangarMetrics();
  const detach = hangar.telemetry.attach(metrics.telemetry);
  registerEndpointMetrics(metrics.registry, hangar);
  // Circuits opening and closing and route files refused go to the log as they happen.
  const detachLog = hangar.telemetry.attach({
    ...NO_TELEMETRY,
    routerEvent: (event) => {
      if (event.kind === "deployment-state")
        app.log.warn({ router: event }, event.message ?? "deployment state changed");
      else if (event.kind === "routes-refused")
        app.log.error({ router: event }, event.message ?? "route file refused");
      else if (event.kind === "routes-loaded")
        app.log.info({ router: event }, event.message ?? "route file loaded");
    },
  });
  app.addHook("onClose", async () => {
    detach();
    detachLog();
  });
  const counter: NonNullable<OperationsOptions["counter"]> = options.counter ?? new MemoryWindowCounter();
  const limiter = new RateLimiter(
    counter,
    rateLimitSettings({ rateLimits: options.rateLimits ?? hangar.config.rateLimits }),
    hangar.config,
  );
  // Token rate limits count in the same counters (Redis across nodes); budget alerts go to this log.
  hangar.spend.useCounter(counter);
  hangar.spend.alerts.log = (fields, message) => app.log.warn({ budget: fields }, message);
  const checks: Record<string, ReadinessCheck> = instanceChecks(hangar);
  const { check } = counter;
  if (check) checks.counters = () => check.call(counter);
  let draining = false;

  app.addHook("onRequest", (request, reply, done) => {
    watchRequest(metrics, request, reply);
    done();
  });
  // A request refused by an earlier hook (an unknown token) never reached the watcher above.
  app.addHook("onResponse", (request, reply, done) => {
    if (!(request as unknown as Record<symbol, boolean>)[WATCHED]) {
      const bytes = requestBytes(request.raw);
      metrics.observeRequest({
        method: request.method,
        route: routeOf(request),
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
        receivedBytes: bytes?.read ?? 0,
        sentBytes: bytes?.written ?? 0,
      });
    }
    done();
  });
  app.addHook("onRequest", async (request, reply) => {
    const caller = callerOf(request);
    let decision: Awaited<ReturnType<RateLimiter["take"]>>;
    try {
      decision = await limiter.take({
        method: request.method,
        route: routeOf(request),
        caller,
        request: request.raw,
      });
    } catch (error) {
      // Counters out of reach must not take the service down with them: the request goes on, unlimited.
      request.log.warn({ err: error }, "rate limits not applied: the counters cannot be reached");
      return;
    }
    if (!decision) return;
    setRateLimitHeaders(reply.raw, decision);
    if (decision.group === "inference") await setTokenLimitHeaders(hangar, caller, reply.raw);
    if (decision.allowed) return;
    metrics.rateLimited.inc({ group: decision.group });
    replyError(reply, rateLimitedError(decision, caller === null));
  });

  // In a plugin, so that the OpenAPI document (registered before it, see createApp) lists these routes.
  app.register(async (scope) => {
    scope.get("/health", { schema: docs("The process answers (no authentication)") }, async () => ({
      status: "ok",
    }));

    scope.get(
      "/ready",
      { schema: docs("The catalog, the blob store and the counters answer; 503 with the reason otherwise") },
      async (_request, reply) => {
        if (draining) {
          return replyError(
            reply,
            new HangarError("HANGAR_ERR_UNAVAILABLE", "Not ready: the server is shutting down", {
              details: { checks: {} },
            }),
          );
        }
        const report = await checkReadiness(checks, options.readyTimeoutMs ?? 2_000);
        if (report.ready) return { status: "ready", checks: report.checks };
        return replyError(
          reply,
          new HangarError("HANGAR_ERR_UNAVAILABLE", `Not ready: ${report.reason}`, {
            details: { checks: report.checks },
          }),
        );
      },
    );

    const access = options.metricsAccess ?? "admin";
    if (access !== "off") {
      scope.get(
        "/metrics",
        { schema: docs("Prometheus metrics (admins only unless served on --metrics-port)") },
        async (request, reply) => {
          if (access === "admin") {
            const caller = callerOf(request);
            if (!caller) {
              return replyError(
                reply,
                new HangarError("HANGAR_ERR_UNAUTHORIZED", "GET /metrics needs an admin token"),
              );
            }
            if (!caller.isAdmin) {
              return replyError(
                reply,
                new HangarError(
                  "HANGAR_ERR_FORBIDDEN",
                  `GET /metrics is for admins; ${caller.user} is not one`,
                ),
              );
            }
          }
          const text = await metrics.render();
          return reply
            .header("Content-Type", metrics.contentType)
            .header("Cache-Control", "no-store")
            .send(text);
        },
      );
    }
  });

  return {
    metrics,
    drain() {
      draining = true;
    },
  };
}

/**
 * `registerOperations` as a Fastify plugin that is not encapsulated (its hooks reach every route, as
 * `fastify-plugin` would arrange): `app.register(operationsPlugin, { hangar, ...options })`.
 */
export const operationsPlugin: FastifyPluginAsync<OperationsOptions & { hangar: Hangar }> = Object.assign(
  async (app: FastifyInstance, options: OperationsOptions & { hangar: Hangar }) => {
    registerOperations(app, options.hangar, options);
  },
  { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "hangar-operations" },
);
