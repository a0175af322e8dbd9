import type { IncomingMessage, ServerResponse } from "node:http";
import type { HangarConfig } from "../../core/config.ts";
import { HangarError } from "../../core/errors.ts";
import type { RateLimitGroup, RateLimits } from "../../core/operations-config.ts";
import { tokenHeaders } from "../../governance/budgets/token-rate-limits.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import type { WindowCounter } from "../../store/window-counter.ts";
import { addressKey } from "../auth-throttle.ts";
import { clientAddress } from "../http.ts";

/** Routes no limit applies to: probes and scrapes must work however busy a caller is. */
export const UNLIMITED_ROUTES = new Set(["/health", "/ready", "/metrics"]);

/** The route group of a request, from its method and route pattern (`unmatched` when none matched). */
export function routeGroup(method: string, route: string): RateLimitGroup {
  if (route.includes("/info/lfs/") || route.startsWith("/api/lfs-upload")) return "lfs";
  if (
    route.startsWith("/v1/inference") ||
    route.startsWith("/models/") ||
    route === "/v1/chat/completions" ||
    route === "/v1/completions" ||
    route === "/v1/embeddings"
  ) {
    return "inference";
  }
  if (route.startsWith("/v1/") || route === "/v1" || route.startsWith("/api/admin")) return "api";
  return method === "GET" || method === "HEAD" || method === "OPTIONS" ? "hub-read" : "hub-write";
}

export interface RateLimitDecision {
  group: RateLimitGroup;
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
  allowed: boolean;
}

/**
 * Fixed-window rate limits per caller: a token counts for itself, anonymous requests count per client
 * address (an IPv6 /64 as one, see `addressKey`). Each route group has its own limit and windows.
 */
export class RateLimiter {
  constructor(
    private readonly counter: WindowCounter,
    private readonly limits: RateLimits,
    private readonly config: Pick<HangarConfig, "trustProxy">,
  ) {}

  /** Counts the request; undefined when no limit applies to it. */
  async take(params: {
    method: string;
    route: string;
    caller: Caller;
    request: IncomingMessage;
  }): Promise<RateLimitDecision | undefined> {
    if (UNLIMITED_ROUTES.has(params.route)) return undefined;
    const group = routeGroup(params.method, params.route);
    const limit = this.limits[group];
    if (!limit) return undefined;
    const who = params.caller
      ? `token:${params.caller.token.id}`
      : `ip:${addressKey(clientAddress(params.request, this.config))}`;
    const window = await this.counter.increment(`ratelimit:${group}:${who}`, limit.windowMs);
    return {
      group,
      limit: limit.limit,
      remaining: Math.max(0, limit.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.resetAt - Date.now()) / 1000)),
      allowed: window.count <= limit.limit,
    };
  }
}

/**
 * The standard headers (IETF draft `RateLimit-*`, and `Retry-After` on a refusal), set on the raw response
 * so they reach the client whether Fastify sends the reply or a route writes the raw response itself.
 */
export function setRateLimitHeaders(response: ServerResponse, decision: RateLimitDecision): void {
  response.setHeader("RateLimit-Limit", String(decision.limit));
  response.setHeader("RateLimit-Remaining", String(decision.remaining));
  response.setHeader("RateLimit-Reset", String(decision.resetSeconds));
  if (decision.group === "inference") {
    // OpenAI's names too, which its clients and LiteLLM-style tooling read.
    response.setHeader("x-ratelimit-limit-requests", String(decision.limit));
    response.setHeader("x-ratelimit-remaining-requests", String(decision.remaining));
    response.setHeader("x-ratelimit-reset-requests", `${decision.resetSeconds}s`);
  }
}

/**
 * OpenAI's `x-ratelimit-*-tokens` headers of the caller's tokens-per-minute window as it is when the request
 * arrives (src/governance/budgets/token-rate-limits.ts), besides the request headers above; a refusal for
 * tokens carries them as they are after the refusal.
 */
export async function setTokenLimitHeaders(
  hangar: Hangar,
  caller: Caller,
  response: ServerResponse,
): Promise<void> {
  const window = await hangar.spend.tokenLimits.windowOf(caller);
  if (!window) return;
  for (const [name, value] of Object.entries(tokenHeaders(window))) response.setHeader(name, value);
}

export function rateLimitedError(decision: RateLimitDecision, anonymous: boolean): HangarError {
  return new HangarError(
    "HANGAR_ERR_RATE_LIMITED",
    `Too many ${decision.group} requests from your ${anonymous ? "address" : "token"}: the limit is ${decision.limit} per window. Try again in ${decision.resetSeconds} s`,
    { headers: { "Retry-After": String(decision.resetSeconds) }, details: { group: decision.group } },
  );
}
