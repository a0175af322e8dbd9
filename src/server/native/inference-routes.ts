import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Hangar } from "../../hangar.ts";
import { taskInferenceRequest } from "../../inference/task-request.ts";
import { answerHijacked, clientGone, streamGeneration, taskRequestBytes } from "../routes/inference.ts";
import {
  chatCompletion,
  completion,
  embeddings,
  listModels,
  type OpenAiCall,
  STREAMED,
} from "../routes/openai.ts";
import {
  CHAT_COMPLETION_BODY,
  COMPLETION_BODY,
  EMBEDDINGS_BODY,
  TASK_INFERENCE_SCHEMA,
} from "../wire/request-bodies.ts";
import {
  fromJsonSchema,
  HANGAR_ERRORS,
  type NativeApp,
  OPENAI_ERRORS,
  OPTIONAL_TOKEN,
  openObject,
} from "./schemas.ts";

const TASK_BODY = fromJsonSchema(TASK_INFERENCE_SCHEMA);

/** Hangar's task API: `POST /v1/inference/{task}` with `{model, inputs, parameters, revision?, stream?}`. */
function registerTaskRoute(app: NativeApp, hangar: Hangar): void {
  app.post(
    "/v1/inference/:task",
    {
      schema: {
        summary: "Run a model on a task (text-classification, text-generation, feature-extraction...)",
        tags: ["inference"],
        security: OPTIONAL_TOKEN,
        params: Type.Object({ task: Type.String({ minLength: 1, description: "the task name" }) }),
        body: TASK_BODY,
        response: {
          200: openObject(
            {},
            "the task's outputs, usage and the model revision that ran; with `stream: true`, server-sent events",
          ),
          ...HANGAR_ERRORS,
        },
      },
      config: {
        jsonBody: (request) => ({
          schema: TASK_INFERENCE_SCHEMA,
          maxBytes: taskRequestBytes(hangar, (request.params as { task?: string }).task),
        }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const inference = taskInferenceRequest({
        caller: request.caller,
        task: request.params.task,
        body,
        signal: clientGone(reply.raw),
        api: "task",
      });
      if (body.stream === true) {
        return answerHijacked(request, reply, () => streamGeneration(hangar, reply.raw, inference), "hangar");
      }
      return hangar.inference.run(inference);
    },
  );
}

const COMPLETION_RESPONSE = openObject(
  {
    id: Type.String(),
    object: Type.String(),
    created: Type.Integer(),
    model: Type.String(),
    choices: Type.Array(openObject({})),
    usage: openObject({}),
  },
  "the completion; with `stream: true`, server-sent events of chunks ending with `data: [DONE]`",
);

/**
 * OpenAI's API. Its clients need some API key: a placeholder that is not a Hangar token means anonymous
 * here (`openAi` in the route config), and errors have OpenAI's shape.
 */
function registerOpenAiRoutes(app: NativeApp, hangar: Hangar): void {
  const call = (request: FastifyRequest, reply: FastifyReply): OpenAiCall => ({
    hangar,
    caller: request.caller,
    body: request.body as Record<string, unknown>,
    response: reply.raw,
    log: request.log,
  });
  const generation = (
    url: string,
    summary: string,
    rule: typeof CHAT_COMPLETION_BODY | typeof COMPLETION_BODY,
    run: typeof chatCompletion,
  ) =>
    app.post(
      url,
      {
        schema: {
          summary,
          tags: ["openai"],
          security: OPTIONAL_TOKEN,
          body: fromJsonSchema(rule.schema),
          response: { 200: COMPLETION_RESPONSE, ...OPENAI_ERRORS },
        },
        config: { jsonBody: rule, openAi: true },
      },
      async (request, reply) => {
        const body = request.body as Record<string, unknown>;
        if (body.stream === true) {
          return answerHijacked(request, reply, () => run(call(request, reply)), "openai");
        }
        const answer = await run(call(request, reply));
        return answer === STREAMED ? reply : answer;
      },
    );
  generation(
    "/v1/chat/completions",
    "Chat completion (OpenAI-compatible)",
    CHAT_COMPLETION_BODY,
    chatCompletion,
  );
  generation("/v1/completions", "Text completion (OpenAI-compatible)", COMPLETION_BODY, completion);
  app.post(
    "/v1/embeddings",
    {
      schema: {
        summary: "Embeddings (OpenAI-compatible)",
        tags: ["openai"],
        security: OPTIONAL_TOKEN,
        body: fromJsonSchema(EMBEDDINGS_BODY.schema),
        response: {
          200: openObject({
            object: Type.Literal("list"),
            data: Type.Array(openObject({})),
            model: Type.String(),
          }),
          ...OPENAI_ERRORS,
        },
      },
      config: { jsonBody: EMBEDDINGS_BODY, openAi: true },
    },
    async (request, reply) => embeddings(call(request, reply)),
  );
  app.get(
    "/v1/models",
    {
      schema: {
        summary: "The models this server can run (OpenAI-compatible)",
        tags: ["openai"],
        security: OPTIONAL_TOKEN,
        response: {
          200: Type.Object({
            object: Type.Literal("list"),
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                object: Type.Literal("model"),
                created: Type.Integer(),
                owned_by: Type.String(),
                tasks: Type.Array(Type.String()),
                revision: Type.String(),
              }),
            ),
          }),
          ...OPENAI_ERRORS,
        },
      },
      config: { openAi: true },
    },
    async (request) => listModels(hangar, request.caller),
  );
}

export function registerInferenceRoutes(app: NativeApp, hangar: Hangar): void {
  registerTaskRoute(app, hangar);
  registerOpenAiRoutes(app, hangar);
}
