import { HangarError } from "../core/errors.ts";
import { jsonBodyWorker } from "../core/json-body-worker.ts";
import { type JsonOf, type JsonSchema, parseJsonBody } from "../core/json-schema.ts";
import { readBody } from "./http.ts";
import type { RequestContext } from "./router.ts";

/** What a route takes as its JSON body: a shape, and at most so many bytes. */
export interface JsonBodyRule<S extends JsonSchema = JsonSchema> {
  schema: S;
  maxBytes: number;
}

/**
 * Bodies up to this size are parsed on the event loop (a few milliseconds at worst); larger ones on the
 * JSON body worker, which hands back only a value of the route's shape.
 */
export const MAIN_THREAD_JSON_BYTES = 256 * 1024;

/**
 * Content types a JSON body may come with. Clients send `application/json` or a `+json` type (Git LFS);
 * `fetch` labels a string body `text/plain` and `curl -d` labels it a form, so those are read as JSON too,
 * as is a body with no type. Anything else (files, multipart forms, NDJSON) is not what the route takes.
 */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return (
    type === "" ||
    type === "text/plain" ||
    type === "application/x-www-form-urlencoded" ||
    /^[a-z0-9.+-]+\/(?:[a-z0-9.-]+\+)?json$/.test(type)
  );
}

/** 415 for a body that is not JSON by its content type. */
export function assertJsonContentType(header: string | undefined): void {
  if (isJsonContentType(header)) return;
  throw new HangarError(
    "HANGAR_ERR_UNSUPPORTED_MEDIA_TYPE",
    `Unsupported Content-Type "${header}": this route takes a JSON body (application/json)`,
  );
}

/** Parses and checks body bytes already read, on the event loop when small, on the worker otherwise. */
export async function parseJsonBytes<const S extends JsonSchema>(
  bytes: Buffer,
  schema: S,
): Promise<JsonOf<S>> {
  const value =
    bytes.byteLength <= MAIN_THREAD_JSON_BYTES
      ? parseJsonBody({ bytes, schema })
      : await jsonBodyWorker.run("parseJsonBody", { bytes, schema });
  return value as JsonOf<S>;
}

/**
 * The request body as JSON of the route's shape: 415 for a content type that is not JSON, 413 over the
 * route's size (or the instance's `maxRequestBodySize`, if smaller), 400 naming the field that is wrong.
 */
export async function readJsonBody<const S extends JsonSchema>(
  context: RequestContext,
  rule: JsonBodyRule<S>,
): Promise<JsonOf<S>> {
  assertJsonContentType(context.request.headers["content-type"]);
  const limit = Math.min(rule.maxBytes, context.hangar.config.limits.maxRequestBodySize);
  return parseJsonBytes(await readBody(context.request, limit), rule.schema);
}

/**
 * As readJsonBody, for routes whose body is optional: a request without one (Python's `json=None` sends
 * `Content-Length: 0`) reads as `{}`, checked against the shape like any other body.
 */
export async function readOptionalJsonBody<const S extends JsonSchema>(
  context: RequestContext,
  rule: JsonBodyRule<S>,
): Promise<JsonOf<S>> {
  const headers = context.request.headers;
  const empty =
    headers["content-length"] === "0" ||
    (headers["content-length"] === undefined && headers["transfer-encoding"] === undefined);
  if (empty) return parseJsonBytes(Buffer.from("{}"), rule.schema);
  return readJsonBody(context, rule);
}
