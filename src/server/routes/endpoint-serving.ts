import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { HangarError } from "../../core/errors.ts";
import type { Hangar } from "../../hangar.ts";
import { endpointModelName } from "../../inference/endpoints/endpoint-fleet.ts";
import type { InferenceRequest } from "../../inference/inference-runtime.ts";
import { TEXT_REQUEST_BYTES } from "../../inference/tasks/task-definition.ts";
import {
  fromJsonSchema,
  HANGAR_ERRORS,
  type NativeApp,
  OPENAI_ERRORS,
  OPTIONAL_TOKEN,
  openObject,
} from "../native/schemas.ts";
import { isJsonContentType, parseJsonBytes } from "../read-json-body.ts";
import {
  CHAT_COMPLETION_BODY,
  COMPLETION_BODY,
  EMBEDDINGS_BODY,
  SERVERLESS_INFERENCE_SCHEMA,
} from "../wire/request-bodies.ts";
import { answerHijacked, clientGone, streamGeneration, taskRequestBytes } from "./inference.ts";
import { chatCompletion, completion, embeddings, STREAMED } from "./openai.ts";

type Params = { namespace: string; name: string };
const PARAMS = Type.Object({ namespace: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }) });

/**
 * What an endpoint's URL (`{hangar}/endpoints/{namespace}/{name}`) answers, like a dedicated Inference
 * Endpoint: `POST {url}` with `{inputs, parameters}` (the Hub's route, which `@huggingface/inference` with
 * `endpointUrl` and `huggingface_hub`'s `InferenceClient(model=url)` call), the OpenAI routes under
 * `{url}/v1/` (chat, completions, embeddings, models), and `GET {url}/health` (200 once running). A request
 * to an endpoint scaled to zero waits while a replica starts.
 */
export function registerEndpointServingRoutes(app: NativeApp, hangar: Hangar): void {
  app.post(
    "/endpoints/:namespace/:name",
    {
      schema: {
        summary:
          "Run an endpoint's model on {inputs, parameters} (the Hub's inference route; stream: true streams)",
        tags: ["endpoints"],
        security: OPTIONAL_TOKEN,
        params: PARAMS,
        response: { 200: openObject({}, "the task's output in the Hub's shape"), ...HANGAR_ERRORS },
      },
      config: { rawBody: { maxBytes: taskRequestBytes(hangar, undefined) } },
    },
    async (request, reply) => {
      const bytes = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const type = request.headers["content-type"];
      const json =
        type?.toLowerCase().includes("json") ||
        (isJsonContentType(type) && bytes.subarray(0, 64).toString("latin1").trimStart().startsWith("{"));
      if (json && bytes.length > TEXT_REQUEST_BYTES * 64) {
        throw new HangarError("HANGAR_ERR_PAYLOAD_TOO_LARGE", "The request body is too large");
      }
      const body: Record<string, unknown> = json
        ? await parseJsonBytes(bytes, SERVERLESS_INFERENCE_SCHEMA)
        : { inputs: bytes };
      const inference: InferenceRequest = {
        caller: request.caller,
        model: endpointModelName(request.params.namespace, request.params.name),
        inputs: body.inputs,
        parameters: body.parameters ?? {},
        body,
        signal: clientGone(reply.raw),
        api: "hub",
      };
      if (body.stream === true) {
        return answerHijacked(
          request,
          reply,
          () => streamGeneration(hangar, reply.raw, { ...inference, task: "text-generation" }),
          "hangar",
        );
      }
      const result = await hangar.inference.run(inference);
      const definition = hangar.inference.registry.task(result.task);
      const output = definition?.toHubOutput ? definition.toHubOutput(result.outputs) : result.outputs;
      void reply.header("X-Repo-Commit", result.revision).header("X-Hangar-Task", result.task);
      return output;
    },
  );
  app.get(
    "/endpoints/:namespace/:name/health",
    {
      schema: {
        summary: "200 once the endpoint is running; 503 with its state otherwise",
        tags: ["endpoints"],
        security: OPTIONAL_TOKEN,
        params: PARAMS,
        response: { 200: openObject({ state: Type.String() }), ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      const { namespace, name } = request.params;
      const state = await hangar.endpoints.state(request.caller, namespace, name);
      if (state !== "running") {
        throw new HangarError("HANGAR_ERR_UNAVAILABLE", `Endpoint ${namespace}/${name} is ${state}`, {
          headers: { "Retry-After": "1" },
        });
      }
      return { state };
    },
  );
  registerEndpointOpenAiRoutes(app, hangar);
}

function registerEndpointOpenAiRoutes(app: NativeApp, hangar: Hangar): void {
  const call = (request: FastifyRequest, reply: FastifyReply) => ({
    hangar,
    caller: request.caller,
    body: request.body as Record<string, unknown>,
    response: reply.raw,
    log: request.log,
  });
  const modelOf = (request: FastifyRequest) => {
    const { namespace, name } = request.params as Params;
    return endpointModelName(namespace, name);
  };
  const generation = (
    path: string,
    rule: typeof CHAT_COMPLETION_BODY | typeof COMPLETION_BODY,
    run: typeof chatCompletion,
  ) =>
    app.post(
      `/endpoints/:namespace/:name/v1/${path}`,
      {
        schema: {
          summary: `OpenAI-compatible ${path.replace("/", " ")} on an endpoint ("model" may be anything)`,
          tags: ["endpoints"],
          security: OPTIONAL_TOKEN,
          params: PARAMS,
          body: fromJsonSchema(rule.schema),
          response: { 200: openObject({}), ...OPENAI_ERRORS },
        },
        config: { jsonBody: rule, openAi: true },
      },
      async (request, reply) => {
        const body = request.body as Record<string, unknown>;
        if (body.stream === true) {
          return answerHijacked(request, reply, () => run(call(request, reply), modelOf(request)), "openai");
        }
        const answer = await run(call(request, reply), modelOf(request));
        return answer === STREAMED ? reply : answer;
      },
    );
  generation("chat/completions", CHAT_COMPLETION_BODY, chatCompletion);
  generation("completions", COMPLETION_BODY, completion);
  app.post(
    "/endpoints/:namespace/:name/v1/embeddings",
    {
      schema: {
        summary: "OpenAI-compatible embeddings on an endpoint",
        tags: ["endpoints"],
        security: OPTIONAL_TOKEN,
        params: PARAMS,
        body: fromJsonSchema(EMBEDDINGS_BODY.schema),
        response: { 200: openObject({}), ...OPENAI_ERRORS },
      },
      config: { jsonBody: EMBEDDINGS_BODY, openAi: true },
    },
    async (request, reply) => {
      const answer = call(request, reply);
      return embeddings({ ...answer, body: { ...answer.body, model: modelOf(request) } });
    },
  );
  app.get(
    "/endpoints/:namespace/:name/v1/models",
    {
      schema: {
        summary: "The one model an endpoint serves (OpenAI-compatible)",
        tags: ["endpoints"],
        security: OPTIONAL_TOKEN,
        params: PARAMS,
        response: { 200: openObject({ object: Type.Literal("list") }), ...OPENAI_ERRORS },
      },
      config: { openAi: true },
    },
    async (request) => {
      const { namespace, name } = request.params;
      // Anyone the endpoint answers may list its model (a public endpoint answers anyone).
      await hangar.endpoints.state(request.caller, namespace, name);
      return {
        object: "list",
        data: [{ id: modelOf(request), object: "model", created: 0, owned_by: namespace }],
      };
    },
  );
}
