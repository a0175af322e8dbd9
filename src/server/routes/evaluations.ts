import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { type EvaluateModelParams, evaluateModel } from "../../evaluation/evaluate-model.ts";
import { type ListEvaluationsParams, listEvaluations } from "../../evaluation/list-evaluations.ts";
import type { Hangar } from "../../hangar.ts";
import { requestUrl } from "../native/request-url.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject, queryValue } from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";
import { clientGone } from "./inference.ts";

const STRING_FIELDS = [
  "model",
  "dataset",
  "revision",
  "datasetRevision",
  "file",
  "task",
  "textColumn",
  "labelColumn",
] as const;
const BODY_FIELDS = [...STRING_FIELDS, "limit"];
const QUERY_FIELDS = ["model", "dataset", "task", "limit"];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function rejectUnknown(where: string, names: Iterable<string>, valid: readonly string[]): void {
  const unknown = [...names].filter((name) => !valid.includes(name));
  if (unknown.length > 0) {
    throw badRequest(
      `Unknown ${where} ${unknown.map((name) => `"${name}"`).join(", ")}: valid ones are ${valid.join(", ")}`,
    );
  }
}

/** The body of `POST /v1/evaluations` as evaluate's params, every type checked. */
function evaluateParams(body: unknown): EvaluateModelParams {
  if (!isObject(body)) {
    throw badRequest('The request body must be a JSON object: {"model": "...", "dataset": "...", ...}');
  }
  rejectUnknown("field", Object.keys(body), BODY_FIELDS);
  for (const field of STRING_FIELDS) {
    if (body[field] !== undefined && typeof body[field] !== "string")
      throw badRequest(`"${field}" must be a string`);
  }
  if (typeof body.model !== "string" || body.model === "") {
    throw badRequest('"model" is required: a model repo id such as "namespace/name"');
  }
  if (typeof body.dataset !== "string" || body.dataset === "") {
    throw badRequest('"dataset" is required: a dataset repo id such as "namespace/name"');
  }
  if (body.limit !== undefined && typeof body.limit !== "number")
    throw badRequest('"limit" must be a number');
  return body as unknown as EvaluateModelParams;
}

const EVALUATE_BODY = Type.Object({
  model: Type.String({ description: 'a model repo id such as "namespace/name"' }),
  dataset: Type.String({ description: 'a dataset repo id such as "namespace/name"' }),
  revision: Type.Optional(Type.String()),
  datasetRevision: Type.Optional(Type.String()),
  file: Type.Optional(Type.String({ description: "the labelled file of the dataset repo" })),
  task: Type.Optional(Type.String()),
  textColumn: Type.Optional(Type.String()),
  labelColumn: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Number({ description: "evaluate at most this many examples" })),
});

const EVALUATIONS_QUERY = Type.Object({
  model: Type.Optional(queryValue("only runs of this model")),
  dataset: Type.Optional(queryValue("only runs on this dataset")),
  task: Type.Optional(queryValue("only runs of this task")),
  limit: Type.Optional(queryValue("at most this many runs (a whole number)")),
});

const EVALUATION = openObject(
  {
    id: Type.Integer(),
    model: Type.String(),
    modelCommit: Type.String(),
    dataset: Type.String(),
    datasetCommit: Type.String(),
    task: Type.String(),
    examples: Type.Integer(),
  },
  "one recorded evaluation run with its metrics",
);

/**
 * `POST /v1/evaluations` with `{model, dataset, file?, task?, textColumn?, labelColumn?, limit?, revision?,
 * datasetRevision?}`: runs one evaluation with the local runtime and answers the recorded run (201).
 * `GET /v1/evaluations?model=&dataset=&task=&limit=`: the runs of models and datasets the caller may read.
 * Bodies and queries are checked here with the CLI's messages; the schemas document them.
 */
export function registerEvaluationRoutes(app: NativeApp, hangar: Hangar): void {
  app.post(
    "/v1/evaluations",
    {
      schema: {
        summary: "Evaluate a model on a labelled dataset with the local runtime",
        tags: ["evaluations"],
        security: OPTIONAL_TOKEN,
        body: EVALUATE_BODY,
        response: { 201: EVALUATION, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request, reply) => {
      const params = evaluateParams(request.body);
      const evaluation = await evaluateModel(hangar, request.caller, {
        ...params,
        signal: clientGone(reply.raw),
      });
      return reply.code(201).send(evaluation);
    },
  );
  app.get(
    "/v1/evaluations",
    {
      schema: {
        summary: "List evaluation runs",
        tags: ["evaluations"],
        security: OPTIONAL_TOKEN,
        querystring: EVALUATIONS_QUERY,
        response: { 200: Type.Object({ evaluations: Type.Array(EVALUATION) }), ...HANGAR_ERRORS },
      },
    },
    async (request) => {
      const query = requestUrl(request).searchParams;
      rejectUnknown("parameter", new Set(query.keys()), QUERY_FIELDS);
      const params: ListEvaluationsParams = {};
      for (const name of ["model", "dataset", "task"] as const) {
        const value = query.get(name);
        if (value !== null) params[name] = value;
      }
      const limit = query.get("limit");
      if (limit !== null) {
        if (!/^\d+$/.test(limit)) throw badRequest(`limit must be a whole number, got "${limit}"`);
        params.limit = Number(limit);
      }
      return listEvaluations(hangar, request.caller, params);
    },
  );
}
