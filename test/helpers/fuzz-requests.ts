import { request as httpRequest } from "node:http";
import fc from "fast-check";
import type { JsonSchema, JsonTypeName } from "../../src/core/json-schema.ts";
import * as requestBodies from "../../src/server/wire/request-bodies.ts";

/**
 * Requests for fuzzing Hangar's routes: paths that fill a route pattern with names that exist here or odd
 * encodings, query strings, bodies (shaped after the declared body schemas, or not), content types and
 * ranges; and `send`, which sends one request as written.
 */

const OID = "a".repeat(64);

/** Path segments: names that exist here, and odd encodings. */
const SEGMENTS = [
  "alice",
  "fuzzed",
  "tests",
  "tiny-sentiment",
  "main",
  "dev",
  "refs%2Fpr%2F1",
  "README.md",
  "config.json",
  "model",
  "models",
  "datasets",
  "spaces",
  OID,
  "fuzzed.git",
  "text-classification",
  "pipeline",
  "v1",
  "%2F",
  "%00",
  "%",
  "%zz",
  "%E0%A4%A",
  "%C3%A9",
  "..",
  "%2e%2e",
  ".",
  "~",
  "%20",
  "0",
  "-1",
  "null",
  "a".repeat(2000),
];

const QUERY_NAMES = [
  "limit",
  "cursor",
  "expand",
  "full",
  "recursive",
  "revision",
  "search",
  "filter",
  "sort",
  "direction",
  "blobs",
  "create_pr",
  "q",
  "task",
  "part",
  "size",
  "expires",
  "signature",
  "chunk",
  "include_prs",
  "params_min",
];
const QUERY_VALUES = ["1", "-1", "0", "true", "abc", "%", "%zz", "99999999999999999999", "", "main", "1e400"];

/** Field names routes read: from every declared body shape, plus NDJSON, inference and Hangar API fields. */
export function fieldNames(): string[] {
  const names = new Set([
    "key",
    "value",
    "path",
    "content",
    "encoding",
    "oid",
    "size",
    "summary",
    "parentCommit",
    "inputs",
    "parameters",
    "candidate_labels",
    "question",
    "context",
    "role",
    "models",
    "criteria",
    "description",
    "dataset",
    "limit",
    "partNumber",
    "etag",
  ]);
  const visit = (schema: unknown) => {
    if (!schema || typeof schema !== "object") return;
    const { properties, items } = schema as { properties?: Record<string, unknown>; items?: unknown };
    for (const [name, property] of Object.entries(properties ?? {})) {
      names.add(name);
      visit(property);
    }
    visit(items);
  };
  for (const rule of Object.values(requestBodies)) {
    if (typeof rule === "object") visit("schema" in rule ? rule.schema : rule);
  }
  return [...names];
}

/** Values that reach past the lookups, by parameter name: the repos, revisions and tasks that exist here. */
const EXISTING: Record<string, string[]> = {
  namespace: ["alice", "tests"],
  name: ["fuzzed", "tiny-sentiment"],
  repo: ["fuzzed.git"],
  type: ["model", "models"],
  oid: [OID],
  task: ["text-classification", "token-classification"],
  revision: ["main", "refs%2Fpr%2F1"],
  branch: ["dev", "main"],
  tag: ["v1"],
  rest: ["main/README.md", "main/config.json", "main"],
  model: ["tests/tiny-sentiment", "tests/tiny-sentiment/pipeline/text-classification", "alice/fuzzed"],
};

/** A pattern's segments filled in: from EXISTING or SEGMENTS, and `:name(a|b)` from its choices or not. */
export function pathFor(pattern: string): fc.Arbitrary<string> {
  const parts = pattern.split("/").filter(Boolean);
  const odd = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
  );
  const segmentFor = (name: string) => {
    const existing = EXISTING[name];
    return existing ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...existing) }, odd) : odd;
  };
  return fc
    .tuple(
      ...parts.map((part) => {
        const choice = /^:\w+\(([^)]+)\)$/.exec(part);
        if (choice) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...choice[1]!.split("|")) }, odd);
        if (part.startsWith(":")) return segmentFor(part.slice(1));
        if (part.startsWith("*")) {
          return fc.oneof(
            segmentFor(part.slice(1)),
            fc.array(odd, { maxLength: 3 }).map((rest) => rest.join("/")),
          );
        }
        return fc.oneof({ weight: 9, arbitrary: fc.constant(part) }, odd);
      }),
    )
    .map((filled) => `/${filled.filter((part) => part !== "").join("/")}`);
}

export const query = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.constantFrom(...QUERY_VALUES)), { maxLength: 3 })
  .map((pairs) =>
    pairs.length === 0 ? "" : `?${pairs.map(([name, value]) => `${name}=${value}`).join("&")}`,
  );

/** Strings that name things of this instance, or are almost right. */
const STRINGS = [
  OID,
  "alice/fuzzed",
  "tests/tiny-sentiment",
  "alice",
  "fuzzed",
  "main",
  "upload",
  "sha256",
  "README.md",
  "",
  "a/../b",
  "%00",
];

/** Values of a declared body shape (each field present or not), so bodies get past the shape check. */
function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const types =
    schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : [...schema.type];
  if (types.length === 0 || depth > 3) return fc.jsonValue({ maxDepth: 2 });
  const byType: Record<JsonTypeName, () => fc.Arbitrary<unknown>> = {
    object: () => {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0)
        return fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }));
      const fields = properties.map(([name, field]) => [name, fromSchema(field, depth + 1)] as const);
      return fc.record(Object.fromEntries(fields), { requiredKeys: [] });
    },
    array: () =>
      fc.array(schema.items ? fromSchema(schema.items, depth + 1) : fc.jsonValue({ maxDepth: 2 }), {
        maxLength: 4,
      }),
    string: () =>
      schema.enum
        ? fc.constantFrom(...schema.enum)
        : fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 20 })),
    integer: () => fc.oneof(fc.integer({ min: -2, max: 100 }), fc.constantFrom(2 ** 53, 1e300, -1)),
    number: () => fc.oneof(fc.integer({ min: -2, max: 100 }), fc.constantFrom(2 ** 53, 1e300, 0.5, -1)),
    boolean: () => fc.boolean(),
    null: () => fc.constant(null),
  };
  return fc.oneof(...types.map((type) => byType[type]()));
}

/** Every declared body shape. */
function declaredSchemas(): JsonSchema[] {
  return Object.values(requestBodies).flatMap((rule) =>
    typeof rule !== "object" ? [] : ["schema" in rule ? (rule.schema as JsonSchema) : (rule as JsonSchema)],
  );
}

export function bodies(fields: string[]): fc.Arbitrary<Uint8Array | string> {
  const shaped = fc
    .oneof(...declaredSchemas().map((schema) => fromSchema(schema)))
    .map((value) => JSON.stringify(value));
  const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
  const fieldsObject = fc
    .dictionary(
      fc.constantFrom(...fields),
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.constantFrom(
          OID,
          "alice/fuzzed",
          "tests/tiny-sentiment",
          "main",
          "upload",
          "header",
          "file",
          "lfsFile",
        ),
        fc.dictionary(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      ),
      { maxKeys: 6 },
    )
    .map((value) => JSON.stringify(value));
  return fc.oneof(
    { weight: 4, arbitrary: shaped },
    // JSON that is not an object, where routes take one.
    { weight: 3, arbitrary: fc.constantFrom("null", "true", "false", '"str"', "1", "0", "[]", "[{}]") },
    fc.constantFrom(
      "{}",
      "",
      "1e400",
      "-0",
      "123456789012345678901234567890",
      '{"a":',
      "[".repeat(5000),
      `${"[".repeat(3000)}${"]".repeat(3000)}`,
      '{"__proto__": {"x": 1}, "constructor": 1}',
    ),
    json,
    fieldsObject,
    fieldsObject.chain((text) => fc.nat(text.length).map((cut) => text.slice(0, cut))),
    fc.array(fieldsObject, { maxLength: 4 }).map((lines) => lines.join("\n")),
    fc.uint8Array({ maxLength: 300 }),
    fc.constant(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
  );
}

export const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant("application/json") },
  fc.constantFrom(
    undefined,
    "application/json; charset=latin1",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "application/x-ndjson",
    "application/vnd.git-lfs+json",
    "application/octet-stream",
    "image/png",
    "multipart/form-data; boundary=x",
    "nonsense",
  ),
);

export const range = fc.constantFrom(
  undefined,
  "bytes=0-0",
  "bytes=5-1",
  "bytes=-",
  "bytes=-5",
  "bytes=0-",
  "bytes=99999999999999999999-",
  "bytes=0-1,2-3",
  "items=0-1",
  "garbage",
);

export const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

interface Answer {
  status: number;
  body: string;
}

/** One raw HTTP request: the path is sent as written, odd encodings included. */
export function send(
  base: URL,
  options: { method: string; path: string; headers: Record<string, string>; body?: Uint8Array | string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        timeout: 20_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8").slice(0, 500),
          }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 20 s")));
    request.on("error", reject);
    request.end(options.body);
  });
}
