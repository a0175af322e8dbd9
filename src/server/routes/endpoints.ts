import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Hangar } from "../../hangar.ts";
import { endpointModelName } from "../../inference/endpoints/endpoint-fleet.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import { clientBaseUrl } from "../http.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, TOKEN } from "../native/schemas.ts";
import { toApiEndpoint } from "../wire/api-endpoint.ts";
import { registerEndpointServingRoutes } from "./endpoint-serving.ts";

/** The routes of the endpoints API (Inference Endpoints v2) and of the endpoints' own URLs. */
export const ENDPOINT_ROUTES: ReadonlyArray<{ method: string; url: string }> = [
  { method: "GET", url: "/api/endpoints/v2/endpoint/:namespace" },
  { method: "POST", url: "/api/endpoints/v2/endpoint/:namespace" },
  { method: "GET", url: "/api/endpoints/v2/endpoint/:namespace/:name" },
  { method: "PUT", url: "/api/endpoints/v2/endpoint/:namespace/:name" },
  { method: "DELETE", url: "/api/endpoints/v2/endpoint/:namespace/:name" },
  { method: "POST", url: "/api/endpoints/v2/endpoint/:namespace/:name/pause" },
  { method: "POST", url: "/api/endpoints/v2/endpoint/:namespace/:name/resume" },
  { method: "POST", url: "/api/endpoints/v2/endpoint/:namespace/:name/scale-to-zero" },
  { method: "GET", url: "/api/endpoints/v2/endpoint/:namespace/:name/metrics" },
  { method: "POST", url: "/endpoints/:namespace/:name" },
  { method: "GET", url: "/endpoints/:namespace/:name/health" },
  { method: "POST", url: "/endpoints/:namespace/:name/v1/chat/completions" },
  { method: "POST", url: "/endpoints/:namespace/:name/v1/completions" },
  { method: "POST", url: "/endpoints/:namespace/:name/v1/embeddings" },
  { method: "GET", url: "/endpoints/:namespace/:name/v1/models" },
];

const ENDPOINT = openObject(
  {
    name: Type.String(),
    type: Type.String({ description: "public, authenticated or private: who may call its URL" }),
    provider: openObject({ vendor: Type.String(), region: Type.String() }),
    compute: openObject({
      accelerator: Type.String(),
      instanceType: Type.String(),
      instanceSize: Type.String({ description: "x1...x8: onnxruntime threads per replica" }),
      scaling: openObject({ minReplica: Type.Integer(), maxReplica: Type.Integer() }),
    }),
    model: openObject({ repository: Type.String(), framework: Type.String() }),
    healthRoute: Type.String(),
    status: openObject({
      state: Type.String({
        description: "pending, initializing, running, scaledToZero, paused, failed, updating, updateFailed",
      }),
      url: Type.Union([Type.String(), Type.Null()]),
      readyReplica: Type.Integer(),
      targetReplica: Type.Integer(),
    }),
  },
  "An inference endpoint, in the shape of Hugging Face Inference Endpoints v2",
);

const BODY_RULE = { maxBytes: 256 * 1024, schema: { type: "object" } } as const;
const NAMESPACE = Type.Object({ namespace: Type.String({ minLength: 1 }) });
const ONE = Type.Object({ namespace: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }) });

/** The base URL an endpoint's `status.url` starts with, as the client reached this server. */
export function baseUrlOf(hangar: Hangar, request: FastifyRequest): string {
  return clientBaseUrl(request.raw, hangar.config);
}

/** The inference request a call to an endpoint's URL makes: the model name that reaches that endpoint. */
export function endpointRequest(
  params: { namespace: string; name: string },
  fields: Omit<InferenceRequest, "model">,
): InferenceRequest {
  return { ...fields, model: endpointModelName(params.namespace, params.name) };
}

/**
 * The Inference Endpoints v2 API at `/api/endpoints/v2/endpoint/{namespace}[/{name}[/pause|/resume|
 * /scale-to-zero]]`, as `huggingface_hub` calls it once `constants.INFERENCE_ENDPOINTS_ENDPOINT` is
 * `{hangar}/api/endpoints/v2`; and `/metrics` under an endpoint (Hangar's: latency, tokens, replicas, cost).
 */
export function registerEndpointRoutes(app: NativeApp, hangar: Hangar): void {
  const base = "/api/endpoints/v2/endpoint";
  const schema = <P extends typeof NAMESPACE | typeof ONE>(
    summary: string,
    params: P,
    response: unknown = ENDPOINT,
  ) => ({
    summary,
    tags: ["endpoints"],
    security: TOKEN,
    params,
    response: { 200: response as typeof ENDPOINT, ...HANGAR_ERRORS },
  });
  app.get(
    `${base}/:namespace`,
    {
      schema: schema(
        "List a namespace's inference endpoints",
        NAMESPACE,
        openObject({ items: Type.Array(ENDPOINT) }),
      ),
    },
    async (request) => {
      const views = await hangar.endpoints.list(request.caller, request.params.namespace);
      const url = baseUrlOf(hangar, request);
      return { items: views.map((view) => toApiEndpoint(view, url)) };
    },
  );
  app.post(
    `${base}/:namespace`,
    {
      schema: {
        ...schema("Create an inference endpoint (vendor hangar, region local, cpu x1-x8)", NAMESPACE),
        body: openObject({}, "name, type, provider, compute, model (as huggingface_hub sends them)"),
      },
      config: { jsonBody: BODY_RULE },
    },
    async (request) => {
      const view = await hangar.endpoints.create(
        request.caller,
        request.params.namespace,
        request.body as Record<string, unknown>,
      );
      return toApiEndpoint(view, baseUrlOf(hangar, request));
    },
  );
  app.get(`${base}/:namespace/:name`, { schema: schema("An inference endpoint", ONE) }, async (request) => {
    const { namespace, name } = request.params;
    return toApiEndpoint(
      await hangar.endpoints.get(request.caller, namespace, name),
      baseUrlOf(hangar, request),
    );
  });
  app.put(
    `${base}/:namespace/:name`,
    {
      schema: {
        ...schema("Update an inference endpoint (only the fields sent change)", ONE),
        body: openObject({}, "compute, model, type, tags: the fields to change"),
      },
      config: { jsonBody: BODY_RULE },
    },
    async (request) => {
      const { namespace, name } = request.params;
      const body = request.body as Record<string, unknown>;
      const view = await hangar.endpoints.update(request.caller, namespace, name, body);
      return toApiEndpoint(view, baseUrlOf(hangar, request));
    },
  );
  app.delete(
    `${base}/:namespace/:name`,
    { schema: schema("Delete an inference endpoint", ONE, openObject({})) },
    async (request) => {
      await hangar.endpoints.delete(request.caller, request.params.namespace, request.params.name);
      return {};
    },
  );
  for (const action of ["pause", "resume", "scale-to-zero"] as const) {
    app.post(
      `${base}/:namespace/:name/${action}`,
      {
        schema: schema(
          `${action[0]!.toUpperCase()}${action.slice(1).replaceAll("-", " ")} an inference endpoint`,
          ONE,
        ),
      },
      async (request) => {
        const { namespace, name } = request.params;
        const view = await hangar.endpoints.lifecycle(request.caller, namespace, name, action);
        return toApiEndpoint(view, baseUrlOf(hangar, request));
      },
    );
  }
  app.get(
    `${base}/:namespace/:name/metrics`,
    {
      schema: schema(
        "An endpoint's numbers (Hangar): latency p50/p95/p99, time to first token, tokens/s, requests/s, error rate, availability, replicas over time, cost",
        ONE,
        openObject({ requests: Type.Integer(), latency_ms: openObject({}), cost: openObject({}) }),
      ),
    },
    async (request) =>
      hangar.endpoints.metrics(request.caller, request.params.namespace, request.params.name),
  );
  registerEndpointServingRoutes(app, hangar);
}
