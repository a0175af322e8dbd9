import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { HangarError } from "../core/errors.ts";
import { collectWarnings, warningHeaderValue } from "../core/response-warnings.ts";
import { authThrottleSettings } from "../core/server-config.ts";
import type { Hangar } from "../hangar.ts";
import { authenticateHash } from "../hub/accounts/authenticate.ts";
import type { Principal, RequestContext } from "../hub/accounts/principal.ts";
import { isTokenShaped } from "../hub/accounts/tokens.ts";
import { recordAudit } from "../hub/audit/record-audit.ts";
import type { WindowCounter } from "../store/window-counter.ts";
import { AuthThrottle } from "./auth-throttle.ts";
import { basicAuthToken, withChallenge } from "./basic-auth.ts";
import { logRequest, requestContextOf, stampResponse, whenResponseDone } from "./request-log.ts";
import type { Router } from "./router.ts";
import { wantsHtml } from "./routes/web-ui.ts";

type HubMatch = ReturnType<Router["match"]>;

/** The Router's match of a request handed to the Hub routes, made once in `onRequest`. */
const hubMatches = new WeakMap<FastifyRequest, HubMatch>();

/** Requests whose errors take OpenAI's shape: on OpenAI's routes, once the caller is known. */
const openAiShaped = new WeakSet<FastifyRequest>();

export function usesOpenAiErrors(request: FastifyRequest): boolean {
  return openAiShaped.has(request);
}

/** The raw path (still percent-encoded) and its segments, as `Router` matches them. */
export function rawPathOf(request: FastifyRequest): { rawPath: string; segments: string[] } {
  const rawPath = (request.raw.url ?? "/").split("?")[0] ?? "/";
  return { rawPath, segments: rawPath.split("/").filter(Boolean) };
}

export function hubMatchOf(request: FastifyRequest, router: Router): HubMatch {
  let match = hubMatches.get(request);
  if (!match) {
    match = router.match(request.method, rawPathOf(request).segments, wantsHtml(request.headers.accept));
    hubMatches.set(request, match);
  }
  return match;
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/**
 * The one `onRequest` hook every request passes, before any plugin registered later (metrics, rate limits,
 * audit) and before any route: it starts the request's log line, answers CORS preflights, names the route
 * (`request.hangarRoute`) and resolves the caller (`request.caller`) from the bearer token (or, on git's
 * routes, HTTP Basic credentials), throttling
 * token guessing per client address (`AuthThrottle`). CORS headers and `X-Request-Id` are already set on
 * the raw response by the server itself (see `createApp`), so they are on every answer; here only for
 * `app.inject()`, which has no server.
 */
export function registerRequestHooks(
  app: FastifyInstance,
  hangar: Hangar,
  router: Router,
  counter: WindowCounter,
): void {
  const authThrottle = new AuthThrottle({
    counter,
    settings: authThrottleSettings(hangar.config),
  });
  app.decorateRequest("caller", null);
  app.decorateRequest("hangarRoute", "unmatched");
  app.addHook("onRequest", async (request, reply) => {
    if (!reply.raw.hasHeader("X-Request-Id")) stampResponse(request.raw, reply.raw);
    logRequest(request, reply);
    const config = request.routeOptions.config ?? {};
    let acceptsPlaceholderKeys = false;
    let acceptsBasicAuth = false;
    if (config.hubRoutes || request.is404) {
      const match = hubMatchOf(request, router);
      if ("pattern" in match) {
        request.hangarRoute = match.pattern;
        acceptsPlaceholderKeys = match.options.acceptsPlaceholderKeys === true;
        acceptsBasicAuth = match.options.acceptsBasicAuth === true;
      }
    } else {
      request.hangarRoute = request.routeOptions.url ?? "unmatched";
      acceptsPlaceholderKeys = config.openAi === true;
    }
    if (request.method === "OPTIONS") {
      return reply
        .code(204)
        .headers({
          "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
          "Access-Control-Allow-Headers": "authorization, range, content-type, x-request-id",
          "Access-Control-Max-Age": "86400",
        })
        .send();
    }
    const bearer = bearerToken(request.headers.authorization);
    // On OpenAI's routes, a placeholder API key (not shaped like a Hangar token) is no key: see RouteOptions.
    // On git's routes, a token may come as HTTP Basic credentials: the same throttle and audit apply to it.
    const basic = !bearer && acceptsBasicAuth ? basicAuthToken(request.headers.authorization) : undefined;
    const scheme = basic ? "basic" : "bearer";
    const token = basic ?? (bearer && acceptsPlaceholderKeys && !isTokenShaped(bearer) ? undefined : bearer);
    if (token) {
      const context = requestContextOf(request.raw, hangar.config);
      try {
        const { principal, signedIn } = await authThrottle.authenticate({
          address: context.address,
          token,
          authenticate: (tokenHash) => authenticateHash(hangar, tokenHash),
        });
        request.caller = { ...principal, request: context };
        if (signedIn) await recordSignIn(hangar, request.caller, "success", scheme);
      } catch (error) {
        if (HangarError.isInstance(error) && error.code === "HANGAR_ERR_UNAUTHORIZED") {
          await recordSignIn(hangar, null, "failure", scheme, context);
        }
        // git asks for other credentials (or says authentication failed) on a 401 with a Basic challenge.
        throw basic ? withChallenge(error) : error;
      }
    }
    if (config.openAi) openAiShaped.add(request);
  });
  // Warnings the operation gives while succeeding (a licence under review) become `X-Hangar-Warning`
  // headers: set on the raw response, so answers Hangar writes itself (streams) carry them too. The rest
  // of the request runs inside `collectWarnings` because `done` is called in it. Whatever outlives the
  // request but was started in it (a timer, a pooled connection) keeps its async context, and with it this
  // listener: so the listener lets go of the response once that is over (no header can be added then
  // anyway), else the request's objects would live on with it (about 5 KB of each routed request).
  app.addHook("onRequest", (_request, reply, done) => {
    let response: ServerResponse | undefined = reply.raw;
    // Most responses carry no warning: the set of those given is made by the first.
    let given: Set<string> | undefined;
    whenResponseDone(reply, () => {
      response = undefined;
    });
    collectWarnings((warning) => {
      const value = warningHeaderValue(warning);
      if (!response || response.headersSent) return;
      given ??= new Set();
      if (given.has(value) || given.size >= MAX_WARNING_HEADERS) return;
      given.add(value);
      response.appendHeader("X-Hangar-Warning", value);
    }, done);
  });
}

/**
 * Audits a token's first authentication from an address (a sign-in: the throttle had not seen the token
 * there within its trust window) and every failed one, each in a transaction of its own. The same holds for
 * git's HTTP Basic credentials: one clone or push is several requests, but one sign-in, like a session of
 * API calls; `details.scheme` tells them apart (`bearer` or `basic`).
 */
async function recordSignIn(
  hangar: Hangar,
  caller: Principal | null,
  outcome: "success" | "failure",
  scheme: "bearer" | "basic",
  request?: RequestContext,
): Promise<void> {
  await hangar.catalog.transaction((tx) =>
    recordAudit(tx, {
      caller,
      action: outcome === "success" ? "auth.sign_in" : "auth.failed",
      target: caller ? `user:${caller.user}` : "auth:token",
      outcome,
      details: { scheme },
      ...(request ? { request } : {}),
    }),
  );
}
/** Warnings of one response beyond this are dropped (a listing could otherwise warn once per model). */
const MAX_WARNING_HEADERS = 5;
