import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import type { FastifyInstance } from "fastify";
import { createHubRouter } from "../../src/server/hub-routes.ts";
import { NATIVE_ROUTES } from "../../src/server/native/native-routes.ts";
import { openApiPath } from "../../src/server/openapi.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { summary?: string; parameters?: Array<{ name: string }> }>>;
}

describe("GET /openapi.json and /docs", () => {
  let hub: TestHangar;
  let document: OpenApiDocument;

  before(async () => {
    hub = await startTestHangar();
    const response = await fetch(`${hub.url}/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    document = (await response.json()) as OpenApiDocument;
  });
  after(() => hub.close());

  it("is an OpenAPI 3.1 document that a validator accepts", async () => {
    assert.equal(document.openapi, "3.1.0");
    await SwaggerParser.validate(structuredClone(document) as never);
  });

  it("lists every native route with its method and a summary", () => {
    for (const { method, url } of NATIVE_ROUTES) {
      const { path } = openApiPath(url);
      const operation = document.paths[path]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.ok(operation.summary, `${method} ${path} has a summary`);
    }
  });

  it("lists every Hub route of the Router table, with its path parameters", () => {
    const routes = createHubRouter().list();
    assert.ok(routes.length > 20);
    for (const route of routes) {
      const { path, parameters } = openApiPath(route.pattern);
      for (const method of route.methods) {
        const operation = document.paths[path]?.[method.toLowerCase()];
        assert.ok(operation, `${method} ${route.pattern} is documented as ${path}`);
        assert.ok(
          operation.summary && !operation.summary.startsWith(method),
          `${route.pattern} has a summary`,
        );
        assert.deepEqual(
          operation.parameters?.map((parameter) => parameter.name) ?? [],
          parameters.map((parameter) => parameter.name),
        );
      }
    }
  });

  it("documents every route the app registers, apart from the hidden ones", async () => {
    const registered: Array<{ method: string; url: string }> = [];
    const collect = async (app: FastifyInstance) => {
      app.addHook("onRoute", (route) => {
        if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
        // HEAD routes are the ones Fastify adds for each GET; the document lists the GET.
        for (const method of [route.method].flat()) {
          if (method !== "HEAD") registered.push({ method, url: route.url });
        }
      });
    };
    // Not encapsulated, as `fastify-plugin` would make it: the hook sees the routes registered after it.
    Object.assign(collect, { [Symbol.for("skip-override")]: true });
    const { startServer } = await import("../../src/server/create-server.ts");
    const other = await startServer(hub.hangar, { host: "127.0.0.1", port: 0 }, { plugins: [collect] });
    try {
      const own = other.app.swagger() as unknown as OpenApiDocument;
      assert.ok(registered.length >= NATIVE_ROUTES.length);
      for (const { method, url } of registered) {
        const path = openApiPath(url).path;
        assert.ok(own.paths[path]?.[method.toLowerCase()], `${method} ${url} is in the document`);
      }
      const native = new Set(NATIVE_ROUTES.map(({ method, url }) => `${method} ${url}`));
      for (const { method, url } of registered) {
        if (url.startsWith("/v1/") || url.startsWith("/api/")) assert.ok(native.has(`${method} ${url}`));
      }
    } finally {
      await other.close();
    }
  });

  it("/docs renders an API reference page whose assets are all served here (no CDN)", async () => {
    const response = await fetch(`${hub.url}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /text\/html/);
    const html = await response.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(references.some((reference) => reference.endsWith(".js")));
    for (const reference of references) {
      assert.doesNotMatch(reference, /^(https?:)?\/\//, `${reference} is local`);
      const asset = await fetch(new URL(reference, `${hub.url}/docs`));
      assert.equal(asset.status, 200, `${reference} is served`);
      await asset.arrayBuffer();
    }
    const initializer = await (await fetch(`${hub.url}/docs/static/swagger-initializer.js`)).text();
    assert.match(initializer, /url: resolveUrl\('\.\/json'\)/, "the page reads this server's document");
    assert.doesNotMatch(initializer, /unpkg|jsdelivr|cdnjs|validator\.swagger\.io/);
  });
});
