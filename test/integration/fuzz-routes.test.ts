import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import fc from "fast-check";
import { createRouter } from "../../src/server/create-server.ts";
import {
  bodies,
  contentType,
  fieldNames,
  METHODS,
  pathFor,
  query,
  range,
  send,
} from "../helpers/fuzz-requests.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

/**
 * Property: whatever a client sends to any registered route (method, path, headers, body), the server
 * answers without a 5xx and keeps answering. 501 Not Implemented is an honest answer (discussions, for
 * one), not a crash, so it passes. Routes come from the router itself, so a new route is fuzzed too.
 */
describe("every route, fuzzed: no 5xx, and the server keeps answering", () => {
  let hub: TestHangar;
  let token: string;
  /** The repo the fuzzed paths name, made again when an earlier route deleted or moved it. */
  async function ensureFuzzedRepo(): Promise<void> {
    if (await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "fuzzed" })) return;
    await createRepo({ repo: "alice/fuzzed", accessToken: token, hubUrl: hub.url });
    await uploadFiles({
      repo: "alice/fuzzed",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        { path: "README.md", content: new Blob(["---\nlicense: mit\n---\n# Fuzzed\n"]) },
        { path: "config.json", content: new Blob(['{"model_type": "bert"}']) },
      ],
    });
  }

  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice");
    await importTinyModels(hub.hangar, ["tests/tiny-sentiment"]);
  });
  after(() => hub.close());

  const fields = fieldNames();
  const authorization = fc.constantFrom(
    undefined,
    "token",
    "Bearer hf_not_a_token",
    "Bearer ",
    "Basic YTpi",
    "bearer",
  );

  for (const route of createRouter().list()) {
    it(`${route.methods.join(",")} ${route.pattern}`, async () => {
      await ensureFuzzedRepo();
      const base = new URL(hub.url);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...route.methods) }, fc.constantFrom(...METHODS)),
          pathFor(route.pattern),
          query,
          contentType,
          authorization,
          range,
          bodies(fields),
          async (method, path, search, type, auth, rangeHeader, body) => {
            const headers: Record<string, string> = {};
            if (type !== undefined) headers["content-type"] = type;
            if (auth === "token") headers.authorization = `Bearer ${token}`;
            else if (auth !== undefined) headers.authorization = auth;
            if (rangeHeader !== undefined) headers.range = rangeHeader;
            const sendsBody = method !== "GET" && method !== "HEAD";
            // Framed, as every real client frames a body (Node would send none for DELETE or OPTIONS).
            if (sendsBody) headers["content-length"] = String(Buffer.byteLength(body));
            const answer = await send(base, {
              method,
              path: `${path}${search}`,
              headers,
              ...(sendsBody ? { body } : {}),
            });
            assert.ok(
              answer.status < 500 || answer.status === 501,
              `${method} ${path}${search} answered ${answer.status}: ${answer.body}`,
            );
          },
        ),
        { numRuns: 100 },
      );
      const alive = await fetch(`${hub.url}/api/whoami-v2`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(alive.status, 200);
    });
  }
});
