import { badRequest } from "../../core/errors.ts";
import { type CompareCriteria, compareModels } from "../../discovery/compare/compare-models.ts";
import { recommendModels } from "../../discovery/recommend/recommend-models.ts";
import { sendJson } from "../http.ts";
import { readJsonBody } from "../read-json-body.ts";
import type { Router } from "../router.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

const CRITERIA_FIELDS = [
  "task",
  "hardware",
  "dtype",
  "weights",
  "tokensPerRequest",
  "requestsPerMonth",
  "pricePerHour",
  "provider",
] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function unknownFields(where: string, value: Record<string, unknown>, valid: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !valid.includes(key));
  if (unknown.length > 0) {
    throw badRequest(
      `Unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((key) => `"${key}"`).join(", ")} in ${where}: valid fields are ${valid.join(", ")}`,
    );
  }
}

/** The wire body of `POST /v1/compare` as compare's params, with every type checked. */
function compareParams(body: unknown): { models: string[]; criteria: CompareCriteria } {
  if (!isObject(body)) throw badRequest("The request body must be a JSON object: {models, criteria}");
  unknownFields("the body", body, ["models", "criteria"]);
  const { models, criteria = {} } = body;
  if (!Array.isArray(models) || models.some((id) => typeof id !== "string")) {
    throw badRequest('"models" must be a list of model ids, e.g. ["org/model-a", "org/model-b"]');
  }
  if (!isObject(criteria)) throw badRequest('"criteria" must be an object');
  unknownFields("criteria", criteria, CRITERIA_FIELDS);
  for (const key of ["task", "hardware", "dtype"] as const) {
    if (criteria[key] !== undefined && typeof criteria[key] !== "string")
      throw badRequest(`criteria.${key} must be a string`);
  }
  if (criteria.weights !== undefined && !isObject(criteria.weights)) {
    throw badRequest('criteria.weights must be an object such as {"speed": 1, "quality": 2, "cost": 1}');
  }
  if (criteria.provider !== undefined && !isObject(criteria.provider)) {
    throw badRequest(
      'criteria.provider must be an object: {"name", "pricePer1kRequests" or "pricePerMillionTokens"}',
    );
  }
  return { models: models as string[], criteria: criteria as CompareCriteria };
}

/**
 * `POST /v1/compare` with `{models, criteria}`: the comparison matrix and decision support.
 * `POST /v1/recommend` with `{description, limit?}`: tasks, constraints, ranked candidates and alternatives.
 * Both see the caller's private models when the token allows.
 */
export function registerCompareRecommendRoutes(router: Router): void {
  router.add("POST", "/v1/compare", async (context) => {
    const params = compareParams(await readJsonBody(context, HANGAR_API_BODY));
    sendJson(context.response, 200, compareModels(context.hangar, context.caller, params));
  });
  router.add("POST", "/v1/recommend", async (context) => {
    const body = await readJsonBody(context, HANGAR_API_BODY);
    if (!isObject(body)) throw badRequest('The request body must be a JSON object: {"description": "..."}');
    unknownFields("the body", body, ["description", "limit"]);
    if (typeof body.description !== "string") {
      throw badRequest('"description" is required: a plain-language description of the job, as a string');
    }
    if (body.limit !== undefined && typeof body.limit !== "number")
      throw badRequest('"limit" must be a number');
    sendJson(
      context.response,
      200,
      recommendModels(context.hangar, context.caller, {
        description: body.description,
        ...(body.limit !== undefined ? { limit: body.limit as number } : {}),
      }),
    );
  });
}
