import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { type RunningServer, startServer } from "../../src/server/create-server.ts";
import { loggableUrl } from "../../src/server/request-log.ts";
import { formatValidationErrors } from "../../src/server/validation-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  method?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  bytesOut?: number;
  caller?: string | null;
  url?: string;
}

/** Log lines as pino writes them, one JSON object a line. */
function logCollector(): { stream: Writable; lines: () => LogLine[]; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return {
    stream,
    text: () => text,
    lines: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
  };
}

/** The request's log line is written when its response closes, just after the client has the answer. */
async function lineFor(log: ReturnType<typeof logCollector>, requestId: string): Promise<LogLine> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const line = log.lines().find((entry) => entry.requestId === requestId && entry.route !== undefined);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no log line for request ${requestId}`);
}

describe("request ids, request logs and the hooks plugins see", () => {
  let hub: TestHangar;
  let logged: RunningServer;
  const log = logCollector();
  const seenByPlugin: Array<{ route: string; caller: string | null }> = [];
  let token: string;

  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    // A plugin as the metrics or rate-limit plugin would be: its hooks run after Hangar's, on every route.
    const plugin = async (app: FastifyInstance) => {
      app.addHook("onRequest", async (request) => {
        seenByPlugin.push({ route: request.hangarRoute, caller: request.caller?.user ?? null });
      });
    };
    Object.assign(plugin, { [Symbol.for("skip-override")]: true });
    logged = await startServer(
      hub.hangar,
      { host: "127.0.0.1", port: 0 },
      { logLevel: "info", logStream: log.stream, plugins: [plugin] },
    );
  });
  after(async () => {
    await logged.close();
    await hub.close();
  });

  it("echoes a safe X-Request-Id, and generates one otherwise, on every kind of answer", async () => {
    const paths = ["/api/models", "/v1/models", "/no/such/route/at/all", "/openapi.json"];
    for (const path of paths) {
      const echoed = await fetch(`${hub.url}${path}`, { headers: { "x-request-id": "trace-42.a_b:c" } });
      assert.equal(echoed.headers.get("x-request-id"), "trace-42.a_b:c", path);
      const generated = await fetch(`${hub.url}${path}`);
      assert.match(generated.headers.get("x-request-id") ?? "", UUID, path);
      for (const unsafe of ["has spaces in it", "x".repeat(200), "<script>"]) {
        const replaced = await fetch(`${hub.url}${path}`, { headers: { "x-request-id": unsafe } });
        assert.match(replaced.headers.get("x-request-id") ?? "", UUID, `${path} with ${unsafe}`);
      }
      await Promise.all([echoed.text(), generated.text()]);
    }
    const error = await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: "Bearer hf_wrong" } });
    assert.equal(error.status, 401);
    assert.match(error.headers.get("x-request-id") ?? "", UUID);
    const preflight = await fetch(`${hub.url}/api/models`, { method: "OPTIONS" });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("x-request-id") ?? "", UUID);
  });

  it("logs one JSON line per request with the request id, route, status, duration, bytes and caller, and no secret", async () => {
    const signature = "c2lnbmF0dXJlLXNlY3JldC0xMjM0NQ";
    const presigned =
      `/api/models?search=tiny&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIASECRETKEY%2F20260101` +
      `&X-Amz-Signature=${signature}`;
    const hubRoute = await fetch(`${logged.url}${presigned}`, {
      headers: { authorization: `Bearer ${token}`, cookie: "session=cookie-secret", "x-request-id": "hub-1" },
    });
    assert.equal(hubRoute.status, 200);
    const body = await hubRoute.text();
    const native = await fetch(`${logged.url}/v1/models?token=query-secret`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "native-1" },
    });
    assert.equal(native.status, 200);
    await native.text();
    const failed = await fetch(`${logged.url}/api/whoami-v2`, {
      headers: { authorization: "Bearer hf_guessed_token_0123456789", "x-request-id": "failed-1" },
    });
    assert.equal(failed.status, 401);
    await failed.text();

    const hubLine = await lineFor(log, "hub-1");
    assert.equal(hubLine.method, "GET");
    assert.equal(hubLine.route, "/api/:type(models|datasets|spaces)");
    assert.equal(hubLine.status, 200);
    assert.equal(hubLine.caller, "alice");
    assert.ok(typeof hubLine.durationMs === "number" && hubLine.durationMs >= 0);
    assert.ok((hubLine.bytesOut ?? 0) >= Buffer.byteLength(body));
    assert.match(hubLine.url ?? "", /X-Amz-Signature=\[redacted\]/);
    assert.match(hubLine.url ?? "", /search=tiny/);

    const nativeLine = await lineFor(log, "native-1");
    assert.equal(nativeLine.route, "/v1/models");
    assert.equal(nativeLine.caller, "alice");
    const failedLine = await lineFor(log, "failed-1");
    assert.equal(failedLine.route, "/api/whoami-v2");
    assert.equal(failedLine.status, 401);
    assert.equal(failedLine.caller, null);

    const text = log.text();
    for (const secret of [token, signature, "AKIASECRETKEY", "cookie-secret", "query-secret", "hf_guessed"]) {
      assert.ok(!text.includes(secret), `the log does not hold ${secret}`);
    }
    assert.ok(seenByPlugin.some((seen) => seen.route === "/v1/models" && seen.caller === "alice"));
    assert.ok(seenByPlugin.some((seen) => seen.route === "/api/:type(models|datasets|spaces)"));
  });

  it("answers app.inject() as it answers over a socket: request id, CORS, Hub and native routes", async () => {
    for (const url of ["/api/models", "/v1/models", "/no/such/route/at/all"]) {
      const injected = await hub.app.inject({ url, headers: { origin: "https://app.example" } });
      const fetched = await fetch(`${hub.url}${url}`);
      assert.equal(injected.statusCode, fetched.status, url);
      assert.match(String(injected.headers["x-request-id"]), UUID, url);
      assert.equal(injected.headers["access-control-allow-origin"], "https://app.example", url);
      assert.deepEqual(injected.json(), await fetched.json(), url);
    }
  });

  it("keeps secret query values out of logged URLs", () => {
    assert.equal(
      loggableUrl("/x?a=1&X-Amz-Signature=abc&x-amz-security-token=t&sig=s&b=2"),
      "/x?a=1&X-Amz-Signature=[redacted]&x-amz-security-token=[redacted]&sig=[redacted]&b=2",
    );
    assert.equal(loggableUrl("/plain/path"), "/plain/path");
  });
});

describe("schema validation errors on /v1 routes", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
  });
  after(() => hub.close());

  it("answers 400 in Hangar's error shape, naming the field", async () => {
    const response = await fetch(`${hub.url}/v1/inference/text-classification`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: 42, inputs: "hello" }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-error-code"), "BadRequest");
    assert.match(response.headers.get("x-error-message") ?? "", /"model" must be a string/);
    assert.match(response.headers.get("x-request-id") ?? "", UUID);
    const body = (await response.json()) as { error: string; code: string };
    assert.equal(body.code, "HANGAR_ERR_BAD_REQUEST");
    assert.match(body.error, /^"model" must be a string/);

    const missing = await fetch(`${hub.url}/v1/inference/text-classification`, { method: "POST" });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { error: string }).error, /^"model" is required/);
  });

  it("on OpenAI's routes, in OpenAI's shape with the field as param", async () => {
    const response = await fetch(`${hub.url}/v1/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-no-key-required" },
      body: JSON.stringify({ model: "a/b", input: [1, 2] }),
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-error-code"), "BadRequest");
    const body = (await response.json()) as { error: { message: string; type: string; param: string } };
    assert.equal(body.error.type, "invalid_request_error");
    assert.equal(body.error.param, "input");
  });

  it("formats Fastify's own (Ajv) validation errors the same way", () => {
    const error = formatValidationErrors(
      [
        {
          keyword: "type",
          instancePath: "/limit",
          schemaPath: "#/type",
          params: {},
          message: "must be integer",
        },
      ],
      "querystring",
    );
    assert.equal(error.code, "HANGAR_ERR_BAD_REQUEST");
    assert.equal(error.status, 400);
    assert.equal(error.message, '"limit" must be integer');
    const missing = formatValidationErrors(
      [{ keyword: "required", instancePath: "", schemaPath: "#", params: { missingProperty: "model" } }],
      "body",
    );
    assert.equal(missing.message, '"model" is required in the request body');
  });
});
