import { Type } from "typebox";
import type { Hangar } from "../../hangar.ts";
import {
  definitionFromBody,
  getPipeline,
  getPipelineRun,
  registerPipeline,
  runRegisteredPipeline,
} from "../../workflows/pipelines/pipelines-service.ts";
import { HANGAR_ERRORS, type NativeApp, openObject, TOKEN } from "./schemas.ts";

/** A run's body carries images and audio as base64. */
const RUN_BODY_BYTES = 64 * 1024 ** 2;

const PIPELINE = openObject(
  {
    name: Type.String(),
    object: Type.Literal("pipeline"),
    steps: Type.Array(Type.String()),
    definition: openObject({}),
  },
  "a pipeline: its definition and its steps in an order that respects their references",
);

const RUN = openObject(
  {
    id: Type.String(),
    object: Type.Literal("pipeline.run"),
    pipeline: Type.String(),
    status: Type.String({ description: "completed or failed" }),
    outputs: Type.Unsafe<object | null>({ type: ["object", "null"] }),
    steps: Type.Array(
      openObject(
        {},
        "per step: task, model, revision, status, start and finish (ms into the run), calls, cache hits, input and output bytes, error",
      ),
    ),
  },
  "a pipeline run with its trace",
);

/** Pipelines (src/workflows/pipelines): register, run, and read a run's trace back. Each user has their own. */
export function registerPipelineRoutes(app: NativeApp, hangar: Hangar): void {
  const name = Type.String({ minLength: 1, description: "the pipeline's name" });
  app.post(
    "/v1/pipelines",
    {
      schema: {
        summary:
          "Register (or replace) a pipeline: its JSON definition, or {yaml}; checked before it is stored",
        tags: ["pipelines"],
        security: TOKEN,
        body: openObject({}, "the definition (name, inputs, steps, outputs), or {yaml: text}"),
        response: { 200: PIPELINE, ...HANGAR_ERRORS },
      },
      config: { jsonBody: { maxBytes: 1024 ** 2, schema: { type: "object" } } },
    },
    async (request) =>
      registerPipeline(hangar, request.caller, definitionFromBody(request.body as Record<string, unknown>)),
  );
  app.get(
    "/v1/pipelines/:name",
    {
      schema: {
        summary: "A registered pipeline",
        tags: ["pipelines"],
        security: TOKEN,
        params: Type.Object({ name }),
        response: { 200: PIPELINE, ...HANGAR_ERRORS },
      },
    },
    async (request) => getPipeline(hangar, request.caller, request.params.name),
  );
  app.post(
    "/v1/pipelines/:name/run",
    {
      schema: {
        summary: "Run a registered pipeline on {inputs}; answers the run with its outputs and trace",
        tags: ["pipelines"],
        security: TOKEN,
        params: Type.Object({ name }),
        body: Type.Object({
          inputs: openObject({}, "the pipeline's inputs by name (images and audio as base64)"),
        }),
        response: { 200: RUN, ...HANGAR_ERRORS },
      },
      config: { jsonBody: { maxBytes: RUN_BODY_BYTES, schema: { type: "object" } } },
    },
    async (request) =>
      runRegisteredPipeline(
        hangar,
        request.caller,
        request.params.name,
        (request.body as { inputs?: unknown }).inputs,
      ),
  );
  app.get(
    "/v1/pipelines/:name/runs/:run_id",
    {
      schema: {
        summary: "A pipeline run, with its per-step trace",
        tags: ["pipelines"],
        security: TOKEN,
        params: Type.Object({ name, run_id: Type.String({ minLength: 1 }) }),
        response: { 200: RUN, ...HANGAR_ERRORS },
      },
    },
    async (request) => getPipelineRun(hangar, request.caller, request.params.name, request.params.run_id),
  );
}
