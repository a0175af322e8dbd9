import { Type } from "typebox";
import { badRequest } from "../../core/errors.ts";
import { type CompareParams, compareModels } from "../../discovery/compare/compare-models.ts";
import {
  type CompareOption,
  CRITERIA_FIELDS,
  criteriaFromOptions,
  subFields,
} from "../../discovery/compare/compare-options.ts";
import { recommendModels } from "../../discovery/recommend/recommend-models.ts";
import type { Hangar } from "../../hangar.ts";
import { HANGAR_ERRORS, type NativeApp, OPTIONAL_TOKEN, openObject } from "../native/schemas.ts";
import { HANGAR_API_BODY } from "../wire/request-bodies.ts";

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

/** The value at a dotted path of an object (`provider.name`), or undefined. */
function valueAt(object: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), object);
}

/**
 * The wire body of `POST /v1/compare` as compare's params: `{models, ...criteria}` with the options of
 * `hangar compare` under the same names (`weights`, `hardware`, `tokensPerRequest`...), or the same options in
 * `criteria`; every type checked.
 */
function compareParams(body: unknown): CompareParams {
  if (!isObject(body)) throw badRequest("The request body must be a JSON object: {models, criteria}");
  unknownFields("the body", body, ["models", "criteria", ...CRITERIA_FIELDS]);
  const { models, criteria = {} } = body;
  if (!Array.isArray(models) || models.some((id) => typeof id !== "string")) {
    throw badRequest('"models" must be a list of model ids, e.g. ["org/model-a", "org/model-b"]');
  }
  if (!isObject(criteria)) throw badRequest('"criteria" must be an object');
  unknownFields("criteria", criteria, CRITERIA_FIELDS);
  for (const field of CRITERIA_FIELDS) {
    if (body[field] !== undefined && criteria[field] !== undefined) {
      throw badRequest(`"${field}" is given twice, in the body and in criteria: give it once`);
    }
    const fields = subFields(field);
    for (const [where, value] of [
      [field, body[field]],
      [`criteria.${field}`, criteria[field]],
    ] as const) {
      if (fields.length === 0 || value === undefined) continue;
      if (!isObject(value)) throw badRequest(`${where} must be an object: {${fields.join(", ")}}`);
      unknownFields(where, value, fields);
    }
  }
  const inCriteria = (option: CompareOption) => valueAt(criteria, option.field) !== undefined;
  return {
    models: models as string[],
    criteria: criteriaFromOptions(
      (option) => valueAt(body, option.field) ?? valueAt(criteria, option.field),
      (option) => (inCriteria(option) ? `criteria.${option.field}` : option.field),
    ),
  };
}

const COMPARE_BODY = Type.Object(
  {
    models: Type.Array(Type.String(), { description: 'model ids, e.g. ["org/model-a", "org/model-b"]' }),
    criteria: Type.Optional(
      openObject(
        {},
        `the options of hangar compare: ${CRITERIA_FIELDS.join(", ")} (also accepted at the top level)`,
      ),
    ),
  },
  { additionalProperties: true },
);

const RECOMMEND_BODY = Type.Object({
  description: Type.String({ description: "a plain-language description of the job" }),
  limit: Type.Optional(Type.Number({ description: "how many candidates" })),
});

const COMPARISON = openObject(
  { criteria: openObject({}), models: Type.Array(openObject({})) },
  "the comparison matrix, the best model per goal and the reasons",
);

const RECOMMENDATION = openObject(
  {
    description: Type.String(),
    tasks: Type.Array(Type.String()),
    lowConfidence: Type.Boolean(),
    candidates: Type.Array(openObject({})),
    alternatives: Type.Array(openObject({})),
  },
  "tasks, constraints, ranked candidates and alternatives",
);

/**
 * `POST /v1/compare` with `{models, criteria}`: the comparison matrix and decision support.
 * `POST /v1/recommend` with `{description, limit?}`: tasks, constraints, ranked candidates and alternatives.
 * Both see the caller's private models when the token allows. Their bodies are checked field by field here
 * (with messages that name the option as `hangar compare` does); the schemas document them.
 */
export function registerCompareRecommendRoutes(app: NativeApp, hangar: Hangar): void {
  app.post(
    "/v1/compare",
    {
      schema: {
        summary: "Compare models side by side on speed, quality and cost",
        tags: ["discovery"],
        security: OPTIONAL_TOKEN,
        body: COMPARE_BODY,
        response: { 200: COMPARISON, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => compareModels(hangar, request.caller, compareParams(request.body)),
  );
  app.post(
    "/v1/recommend",
    {
      schema: {
        summary: "Recommend models for a job described in plain language",
        tags: ["discovery"],
        security: OPTIONAL_TOKEN,
        body: RECOMMEND_BODY,
        response: { 200: RECOMMENDATION, ...HANGAR_ERRORS },
      },
      config: { jsonBody: HANGAR_API_BODY },
    },
    async (request) => {
      const body: unknown = request.body;
      if (!isObject(body)) throw badRequest('The request body must be a JSON object: {"description": "..."}');
      unknownFields("the body", body, ["description", "limit"]);
      if (typeof body.description !== "string") {
        throw badRequest('"description" is required: a plain-language description of the job, as a string');
      }
      if (body.limit !== undefined && typeof body.limit !== "number")
        throw badRequest('"limit" must be a number');
      return recommendModels(hangar, request.caller, {
        description: body.description,
        ...(body.limit !== undefined ? { limit: body.limit as number } : {}),
      });
    },
  );
}
