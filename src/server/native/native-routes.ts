import type { FastifyRequest } from "fastify";
import { HangarError } from "../../core/errors.ts";
import { checkJson, type JsonSchema } from "../../core/json-schema.ts";
import type { Hangar } from "../../hangar.ts";
import { readBody } from "../http.ts";
import { registerMcpRoute } from "../mcp/mcp-route.ts";
import { assertJsonContentType, type JsonBodyRule, parseJsonBytes } from "../read-json-body.ts";
import { registerAccountRoutes } from "../routes/accounts.ts";
import { registerAuditRoutes } from "../routes/audit.ts";
import { registerBudgetRoutes } from "../routes/budgets.ts";
import { registerCompareRecommendRoutes } from "../routes/compare-recommend.ts";
import { registerDiscoverRoutes } from "../routes/discover.ts";
import { ENDPOINT_ROUTES, registerEndpointRoutes } from "../routes/endpoints.ts";
import { registerEvaluationRoutes } from "../routes/evaluations.ts";
import { registerPolicyRoutes } from "../routes/policy.ts";
import { registerRegistryRoutes } from "../routes/registry.ts";
import { registerUsageRoutes } from "../routes/usage.ts";
import { registerBatchRoutes } from "./batch-routes.ts";
import { registerInferenceRoutes } from "./inference-routes.ts";
import { registerPipelineRoutes } from "./pipeline-routes.ts";
import { registerRouterRoutes } from "./router-routes.ts";
import type { NativeApp } from "./schemas.ts";

/**
 * The routes served by Fastify's own router, by method and url (Fastify's syntax, which for these is also
 * `Router`'s). `createRouter` lists them too, so a path of theirs with another method gets 405 with `Allow`
 * as before; `registerNativeRoutes` refuses to start if a route is missing here.
 */
export const NATIVE_ROUTES: ReadonlyArray<{ method: string; url: string }> = [
  { method: "GET", url: "/api/whoami-v2" },
  { method: "POST", url: "/v1/inference/:task" },
  { method: "POST", url: "/v1/chat/completions" },
  { method: "POST", url: "/v1/completions" },
  { method: "POST", url: "/v1/embeddings" },
  { method: "GET", url: "/v1/models" },
  { method: "GET", url: "/v1/discover" },
  { method: "POST", url: "/v1/compare" },
  { method: "POST", url: "/v1/recommend" },
  { method: "POST", url: "/v1/evaluations" },
  { method: "GET", url: "/v1/evaluations" },
  { method: "POST", url: "/mcp" },
  { method: "GET", url: "/v1/routes" },
  { method: "PUT", url: "/v1/routes" },
  { method: "GET", url: "/v1/health" },
  { method: "GET", url: "/v1/audit" },
  { method: "GET", url: "/v1/registry/models/:namespace/:name" },
  { method: "PUT", url: "/v1/registry/models/:namespace/:name" },
  { method: "POST", url: "/v1/registry/models/:namespace/:name/versions" },
  { method: "POST", url: "/v1/registry/models/:namespace/:name/versions/:version/approvals" },
  { method: "POST", url: "/v1/registry/models/:namespace/:name/aliases/:alias" },
  { method: "POST", url: "/v1/registry/models/:namespace/:name/aliases/:alias/rollback" },
  { method: "GET", url: "/v1/registry/models/:namespace/:name/history" },
  { method: "GET", url: "/v1/registry/repos/:namespace/:name/versions" },
  { method: "GET", url: "/v1/policy" },
  { method: "PUT", url: "/v1/policy" },
  { method: "GET", url: "/v1/licenses" },
  { method: "GET", url: "/v1/licenses/:namespace/:name" },
  { method: "POST", url: "/v1/files" },
  { method: "GET", url: "/v1/files" },
  { method: "GET", url: "/v1/files/:file_id" },
  { method: "GET", url: "/v1/files/:file_id/content" },
  { method: "DELETE", url: "/v1/files/:file_id" },
  { method: "POST", url: "/v1/batches" },
  { method: "GET", url: "/v1/batches" },
  { method: "GET", url: "/v1/batches/:batch_id" },
  { method: "POST", url: "/v1/batches/:batch_id/cancel" },
  { method: "POST", url: "/v1/pipelines" },
  { method: "GET", url: "/v1/pipelines/:name" },
  { method: "POST", url: "/v1/pipelines/:name/run" },
  { method: "GET", url: "/v1/usage" },
  { method: "POST", url: "/v1/usage/estimate" },
  { method: "GET", url: "/v1/budgets" },
  { method: "POST", url: "/v1/budgets" },
  { method: "DELETE", url: "/v1/budgets/:id" },
  { method: "GET", url: "/v1/prices" },
  { method: "PUT", url: "/v1/prices" },
  { method: "PUT", url: "/v1/rate-limits/tokens" },
  { method: "GET", url: "/v1/pipelines/:name/runs/:run_id" },
  ...ENDPOINT_ROUTES,
];

function bodyRule(request: FastifyRequest): JsonBodyRule | undefined {
  const rule = request.routeOptions.config.jsonBody;
  return typeof rule === "function" ? rule(request) : rule;
}

/**
 * Hangar's own API (`/v1/...`, `/api/whoami-v2`, `/mcp`) as native Fastify routes, in a scope of their own:
 * - JSON bodies are read by one content-type parser for every type: 415 for a type that is not JSON, 413
 *   over the route's size (`config.jsonBody.maxBytes`) or `maxRequestBodySize`, and the body checked
 *   against the route's shape as it is parsed, on the JSON body worker when large (`parseJsonBytes`), with
 *   messages that name the field. Fastify's own parsers (and their 1 MB `bodyLimit`) are not used.
 * - The body schema each route declares is that same shape (or, for the routes that check fields by hand
 *   with the CLI's messages, their documentation), so it is not checked a second time; query strings and
 *   path parameters are checked against their schemas by `checkJson`, with the same messages.
 * - Responses are sent as the handlers build them: the response schemas document them for `/openapi.json`,
 *   and are not used to filter them (fast-json-stringify would drop fields a schema leaves out).
 */
export async function registerNativeRoutes(app: NativeApp, hangar: Hangar): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", async (request: FastifyRequest, payload: AsyncIterable<unknown>) => {
    const raw = request.routeOptions.config.rawBody;
    if (raw) {
      const limit = Math.min(raw.maxBytes, hangar.config.limits.maxRequestBodySize);
      return readBody(request.raw, limit, payload);
    }
    const rule = bodyRule(request);
    if (!rule) {
      throw new HangarError(
        "HANGAR_ERR_UNSUPPORTED_MEDIA_TYPE",
        `${request.method} takes no request body here`,
      );
    }
    assertJsonContentType(request.headers["content-type"]);
    const limit = Math.min(rule.maxBytes, hangar.config.limits.maxRequestBodySize);
    return parseJsonBytes(await readBody(request.raw, limit, payload), rule.schema);
  });
  // A request without a body is an empty object, checked like any other (`"model" is required`).
  app.addHook("preValidation", async (request) => {
    const rule = bodyRule(request);
    if (rule && request.body === undefined) request.body = await parseJsonBytes(Buffer.alloc(0), rule.schema);
  });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart === "body") return () => true;
    return (value: unknown) => {
      try {
        checkJson(value, schema as JsonSchema);
        return true;
      } catch (error) {
        return { error: error as Error };
      }
    };
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const known = new Set(NATIVE_ROUTES.map(({ method, url }) => `${method} ${url}`));
  app.addHook("onRoute", (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== "HEAD");
    for (const method of methods) {
      if (!known.has(`${method} ${route.url}`)) {
        throw new Error(`Native route ${method} ${route.url} is missing from NATIVE_ROUTES`);
      }
    }
  });
  registerAccountRoutes(app, hangar);
  registerInferenceRoutes(app, hangar);
  registerDiscoverRoutes(app, hangar);
  registerCompareRecommendRoutes(app, hangar);
  registerEvaluationRoutes(app, hangar);
  registerMcpRoute(app, hangar, NATIVE_ROUTES);
  registerRouterRoutes(app, hangar);
  registerRegistryRoutes(app, hangar);
  registerAuditRoutes(app, hangar);
  registerPolicyRoutes(app, hangar);
  registerBatchRoutes(app, hangar);
  registerPipelineRoutes(app, hangar);
  registerUsageRoutes(app, hangar);
  registerBudgetRoutes(app, hangar);
  registerEndpointRoutes(app, hangar);
}
