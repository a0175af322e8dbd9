import type { IncomingMessage, ServerResponse } from "node:http";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from "fastify";
import { type TSchema, Type } from "typebox";
import type { JsonOf, JsonSchema } from "../../core/json-schema.ts";

/** The Fastify scope native routes are registered on: TypeBox schemas type their requests. */
export type NativeApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * A body shape declared as plain JSON Schema (`src/server/wire/request-bodies.ts`, checked by
 * `src/core/json-schema.ts` as the body is parsed) as a TypeBox schema: one declaration serves the check,
 * the route's types and the OpenAPI document.
 */
export function fromJsonSchema<const S extends JsonSchema>(schema: S) {
  return Type.Unsafe<JsonOf<S>>(structuredClone(schema) as Record<string, unknown>);
}

/**
 * A loose object: documented fields, others allowed (responses are sent as built, never filtered). Typed as
 * any record: the handlers' own types are the precise ones.
 */
export function openObject<P extends Record<string, TSchema>>(properties: P, description?: string) {
  return Type.Unsafe<object>(
    Type.Object(properties, { additionalProperties: true, ...(description ? { description } : {}) }),
  );
}

/** A query parameter: given once it is a string, given several times a list (`filter=a&filter=b`). */
export function queryValue(description: string) {
  return Type.Unsafe<string | string[]>({
    type: ["string", "array"],
    items: { type: "string" },
    description,
  });
}

/** Hangar's error shape, as every Hangar route answers an error (with `X-Error-Code` / `X-Error-Message`). */
export const HANGAR_ERROR = Type.Object(
  {
    error: Type.String({ description: "One readable message, naming the field that is wrong" }),
    code: Type.String({ description: "A stable code, e.g. HANGAR_ERR_BAD_REQUEST" }),
  },
  { additionalProperties: true, description: "An error" },
);

/** OpenAI's error shape, on the OpenAI-compatible routes. */
export const OPENAI_ERROR = Type.Object(
  {
    error: Type.Object({
      message: Type.String(),
      type: Type.String({ description: "invalid_request_error, authentication_error, server_error..." }),
      code: Type.String(),
      param: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { description: "An error, in OpenAI's shape" },
);

export const HANGAR_ERRORS = { "4xx": HANGAR_ERROR, "5xx": HANGAR_ERROR } as const;
export const OPENAI_ERRORS = { "4xx": OPENAI_ERROR, "5xx": OPENAI_ERROR } as const;

/** Security requirement of routes that take a token and also answer anonymous callers. */
export const OPTIONAL_TOKEN: Array<Record<string, string[]>> = [{}, { bearer: [] }];
export const TOKEN: Array<Record<string, string[]>> = [{ bearer: [] }];
