import { badRequest } from "./errors.ts";

/** JSON Schema type names. */
export type JsonTypeName = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

/**
 * The subset of JSON Schema (draft-07 keywords) that request bodies are declared with. Declarations are
 * plain data, so the HTTP layer can hand the same objects to a schema validator (Fastify's) later. Fields
 * not declared are allowed unless `additionalProperties` is false: the Hub's clients send more than Hangar
 * reads.
 */
export interface JsonSchema {
  type?: JsonTypeName | readonly JsonTypeName[];
  description?: string;
  properties?: { readonly [name: string]: JsonSchema };
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: readonly (string | number | boolean | null)[];
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type TypeNamesOf<S> = S extends { type: infer T } ? (T extends readonly (infer U)[] ? U : T) : never;
type ObjectOf<P, R> = Simplify<
  { [K in keyof P & R]: JsonOf<P[K]> } & { [K in Exclude<keyof P, R>]?: JsonOf<P[K]> } & {
    [other: string]: unknown;
  }
>;
type OfType<U, S> = U extends "string"
  ? S extends { enum: readonly (infer E)[] }
    ? E
    : string
  : U extends "number" | "integer"
    ? number
    : U extends "boolean"
      ? boolean
      : U extends "null"
        ? null
        : U extends "array"
          ? S extends { items: infer I }
            ? JsonOf<I>[]
            : unknown[]
          : U extends "object"
            ? S extends { properties: infer P }
              ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
              : Record<string, unknown>
            : unknown;

/** The TypeScript type of the values a schema (declared `as const`) accepts. */
export type JsonOf<S> = S extends { type: unknown } ? OfType<TypeNamesOf<S>, S> : unknown;

const ARTICLES: Record<JsonTypeName, string> = {
  object: "an object",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  null: "null",
};

function isType(value: unknown, type: JsonTypeName): boolean {
  switch (type) {
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
  }
}

/** How a field is named in messages: `"files[2].path"`, or the request body itself. */
function named(path: string): string {
  return path === "" ? "The request body" : `"${path}"`;
}

function fail(path: string, problem: string, schema: JsonSchema): never {
  throw badRequest(`${named(path)} ${problem}${schema.description ? `: ${schema.description}` : ""}`);
}

/** Checks `value` against `schema`; throws a 400 that names the first field found wrong. */
export function checkJson(value: unknown, schema: JsonSchema, path = ""): void {
  const types =
    schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
  if (types.length > 0 && !types.some((type) => isType(value, type))) {
    const kinds = types.map((type) => (path === "" && type === "object" ? "a JSON object" : ARTICLES[type]));
    fail(path, `must be ${kinds.join(" or ")}`, schema);
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    fail(path, `must be one of ${schema.enum.map((choice) => JSON.stringify(choice)).join(", ")}`, schema);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      fail(
        path,
        schema.minLength === 1 ? "must not be empty" : `must be at least ${schema.minLength} characters`,
        schema,
      );
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      fail(path, `must be at most ${schema.maxLength} characters`, schema);
    }
  } else if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum)
      fail(path, `must be at least ${schema.minimum}`, schema);
    if (schema.maximum !== undefined && value > schema.maximum)
      fail(path, `must be at most ${schema.maximum}`, schema);
  } else if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      fail(
        path,
        schema.minItems === 1 ? "must not be empty" : `must hold at least ${schema.minItems} items`,
        schema,
      );
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      fail(path, `may hold at most ${schema.maxItems} items`, schema);
    }
    if (schema.items) {
      const items = schema.items;
      value.forEach((item, index) => {
        checkJson(item, items, `${path}[${index}]`);
      });
    }
  } else if (typeof value === "object" && value !== null) {
    const fields = value as Record<string, unknown>;
    const prefix = path === "" ? "" : `${path}.`;
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(fields, name) || fields[name] === undefined) {
        const field = schema.properties?.[name];
        throw badRequest(
          `"${prefix}${name}" is required${field?.description ? `: ${field.description}` : ""}`,
        );
      }
    }
    const properties = schema.properties ?? {};
    for (const name of Object.keys(fields)) {
      if (Object.hasOwn(properties, name)) checkJson(fields[name], properties[name]!, `${prefix}${name}`);
      else if (schema.additionalProperties === false) {
        const known = Object.keys(properties).join(", ");
        throw badRequest(`Unknown field "${prefix}${name}"${known ? `: the fields are ${known}` : ""}`);
      }
    }
  }
}

/**
 * A request body as JSON checked against `schema`: bytes that are not UTF-8 or not JSON are a 400, and so
 * is a value of the wrong shape. An empty body is an empty object.
 */
export function parseJsonBody(input: { bytes: Uint8Array; schema: JsonSchema }): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input.bytes);
  } catch {
    throw badRequest("The request body is not valid UTF-8");
  }
  let value: unknown = {};
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  checkJson(value, input.schema);
  return value;
}
