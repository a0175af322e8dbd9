import type { FastifySchemaValidationError } from "fastify/types/schema.js";
import { badRequest, type HangarError } from "../core/errors.ts";

const PARTS: Record<string, string> = {
  body: "the request body",
  querystring: "the query",
  params: "the path",
  headers: "the headers",
};

/**
 * Fastify's schema validation errors (Ajv's, on routes that use Fastify's validator) as Hangar's 400: one
 * readable message that names the field (`"limit" must be integer`), code HANGAR_ERR_BAD_REQUEST.
 */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): HangarError {
  const first = errors[0];
  const where = PARTS[dataVar] ?? dataVar;
  if (!first) return badRequest(`Invalid ${where}`);
  const missing = (first.params as { missingProperty?: unknown }).missingProperty;
  const extra = (first.params as { additionalProperty?: unknown }).additionalProperty;
  const path = (first.instancePath ?? "")
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (typeof missing === "string")
    return badRequest(`"${[...path, missing].join(".")}" is required in ${where}`);
  if (typeof extra === "string")
    return badRequest(`Unknown field "${[...path, extra].join(".")}" in ${where}`);
  const field = path.length > 0 ? `"${path.join(".")}"` : where.replace(/^t/, "T");
  return badRequest(`${field} ${first.message ?? "is invalid"}`);
}
