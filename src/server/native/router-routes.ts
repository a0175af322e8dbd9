import { Type } from "typebox";
import { HangarError } from "../../core/errors.ts";
import type { JsonSchema } from "../../core/json-schema.ts";
import type { Hangar } from "../../hangar.ts";
import type { Caller } from "../../hub/accounts/principal.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject, TOKEN } from "./schemas.ts";

/** A route file as JSON: checked field by field by the router (`checkRoutesJson`), with the field named. */
const ROUTES_BODY = {
  maxBytes: 1024 ** 2,
  schema: {
    type: "object",
    required: ["routes"],
    properties: {
      routes: { type: "array", description: "Routes: {name, policy, retries, timeout_ms, deployments[]}" },
      health_interval_ms: { type: "integer", minimum: 0 },
      cache: { type: "object" },
    },
  },
} as const satisfies { maxBytes: number; schema: JsonSchema };

const ROUTES_RESPONSE = openObject(
  {
    routes: Type.Array(openObject({ name: Type.String(), policy: Type.String() })),
    health_interval_ms: Type.Integer(),
  },
  "The routes in force, defaults filled in (API keys are named by api_key_env, never shown)",
);

const DEPLOYMENT_HEALTH = openObject({
  id: Type.String(),
  backend: Type.String(),
  model: Type.String(),
  state: Type.String({ description: "healthy (circuit closed), unhealthy (open) or probing (half-open)" }),
  circuit: Type.String(),
  last_check: Type.Union([Type.String(), Type.Null()]),
  latency_ms: Type.Union([Type.Number(), Type.Null()]),
  error_rate: Type.Number(),
});

function requireAdmin(caller: Caller, what: string): void {
  if (!caller) throw new HangarError("HANGAR_ERR_UNAUTHORIZED", `${what} needs an admin token`);
  if (!caller.isAdmin)
    throw new HangarError("HANGAR_ERR_FORBIDDEN", `${what} is for admins; ${caller.user} is not one`);
}

/** The router's admin API (`/v1/routes`) and health (`/v1/health`). */
export function registerRouterRoutes(app: NativeApp, hangar: Hangar): void {
  app.get(
    "/v1/routes",
    {
      schema: {
        summary: "The inference routes in force (admins)",
        tags: ["router"],
        security: TOKEN,
        response: { 200: ROUTES_RESPONSE, ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      requireAdmin(request.caller, "GET /v1/routes");
      return hangar.inference.router.current();
    },
  );
  app.put(
    "/v1/routes",
    {
      schema: {
        summary: "Replace the inference routes (admins); with a route file, the file is rewritten",
        tags: ["router"],
        security: TOKEN,
        body: Type.Unsafe<Record<string, unknown>>(
          structuredClone(ROUTES_BODY.schema) as Record<string, unknown>,
        ),
        response: { 200: ROUTES_RESPONSE, ...HANGAR_ERRORS },
      },
      config: { jsonBody: ROUTES_BODY },
    },
    async (request) => {
      requireAdmin(request.caller, "PUT /v1/routes");
      return hangar.inference.router.replace(request.body, request.caller);
    },
  );
  app.get(
    "/v1/health",
    {
      schema: {
        summary: "Every route and deployment: state, last check, latency, error rate (URLs for admins only)",
        tags: ["router"],
        security: OPTIONAL_TOKEN,
        response: {
          200: openObject({
            status: Type.String({ description: "healthy, degraded (some deployments down) or unhealthy" }),
            routes: Type.Array(
              openObject({
                name: Type.String(),
                state: Type.String(),
                deployments: Type.Array(DEPLOYMENT_HEALTH),
              }),
            ),
          }),
          ...HANGAR_ERRORS,
        },
      },
    },
    async (request) => {
      if (hangar.inference.settings.requireToken && !request.caller) {
        throw new HangarError("HANGAR_ERR_UNAUTHORIZED", "This Hangar requires a token for inference");
      }
      const report = hangar.inference.router.health();
      const admin = request.caller?.isAdmin === true;
      const states = report.routes.map((route) => route.state);
      const status = states.every((state) => state === "healthy")
        ? "healthy"
        : states.some((state) => state !== "unhealthy")
          ? "degraded"
          : "unhealthy";
      return {
        status,
        ...(admin ? { source: report.source } : {}),
        routes: report.routes.map((route) => ({
          ...route,
          deployments: route.deployments.map((deployment) =>
            admin
              ? deployment
              : { ...deployment, url: null, last_error: deployment.last_error ? "hidden" : null },
          ),
        })),
        cache: report.cache,
      };
    },
  );
}
