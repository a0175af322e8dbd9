import { badRequest } from "../../core/errors.ts";
import { type EvaluateModelParams, evaluateModel } from "../../evaluation/evaluate-model.ts";
import { type ListEvaluationsParams, listEvaluations } from "../../evaluation/list-evaluations.ts";
import { sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { Router } from "../router.ts";
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

/**
 * `POST /v1/evaluations` with `{model, dataset, file?, task?, textColumn?, labelColumn?, limit?, revision?,
 * datasetRevision?}`: runs one evaluation with the local runtime and answers the recorded run (201).
 * `GET /v1/evaluations?model=&dataset=&task=&limit=`: the runs of models and datasets the caller may read.
 */
export function registerEvaluationRoutes(router: Router): void {
  router.add("POST", "/v1/evaluations", async (context) => {
    const params = evaluateParams(await readJsonBody(context, HANGAR_API_BODY));
    const evaluation = await evaluateModel(context.hangar, context.caller, {
      ...params,
      signal: clientGone(context.response),
    });
    sendJson(context.response, 201, evaluation);
  });
  router.add("GET", "/v1/evaluations", async ({ hangar, caller, url, response }) => {
    const query = url.searchParams;
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
    sendJson(response, 200, await listEvaluations(hangar, caller, params));
  });
}
