import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo } from "@huggingface/hub";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { maxCommitLineBytes } from "../../src/hub/write/commit-ndjson.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

interface Sent {
  method: string;
  path: string;
  body: string | Uint8Array;
  contentType?: string;
  token?: string;
}

async function send(
  hub: TestHangar,
  request: Sent,
): Promise<{ status: number; code: string | null; error: string }> {
  const response = await fetch(`${hub.url}${request.path}`, {
    method: request.method,
    headers: {
      ...(request.contentType === undefined ? {} : { "content-type": request.contentType }),
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    },
    body: request.body,
  });
  const text = await response.text();
  // The Hub's routes answer {error: message}, OpenAI's {error: {message, ...}}.
  const parsed = text ? (JSON.parse(text) as { error?: string | { message: string } }) : {};
  const error = typeof parsed.error === "object" ? parsed.error.message : (parsed.error ?? "");
  return { status: response.status, code: response.headers.get("x-error-code"), error };
}

describe("request bodies: shapes, content types and sizes", () => {
  let hub: TestHangar;
  let token: string;
  const oid = "a".repeat(64);
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice");
    await createRepo({ repo: "alice/shapes", accessToken: token, hubUrl: hub.url });
    await importTinyModels(hub.hangar, ["tests/tiny-sentiment"]);
  });
  after(() => hub.close());

  /** Every route that reads a JSON body, with the field its message names when the body is `null`. */
  const routes = () => [
    { method: "POST", path: "/api/repos/create" },
    { method: "DELETE", path: "/api/repos/delete" },
    { method: "POST", path: "/api/repos/move" },
    { method: "POST", path: "/api/validate-yaml" },
    { method: "PUT", path: "/api/models/alice/shapes/settings" },
    { method: "POST", path: "/api/models/alice/shapes/preupload/main" },
    { method: "POST", path: "/api/models/alice/shapes/branch/dev" },
    { method: "POST", path: "/api/models/alice/shapes/tag/main" },
    { method: "POST", path: "/api/models/alice/shapes/paths-info/main" },
    { method: "POST", path: "/alice/shapes.git/info/lfs/objects/batch" },
    { method: "POST", path: "/alice/shapes.git/info/lfs/objects/verify" },
    { method: "POST", path: `/api/lfs-upload/model/alice/shapes/${oid}` },
    { method: "POST", path: "/v1/inference/text-classification" },
    { method: "POST", path: "/models/tests/tiny-sentiment" },
    { method: "POST", path: "/v1/chat/completions" },
    { method: "POST", path: "/v1/completions" },
    { method: "POST", path: "/v1/embeddings" },
    { method: "POST", path: "/v1/compare" },
    { method: "POST", path: "/v1/recommend" },
    { method: "POST", path: "/v1/evaluations" },
  ];

  it("answers 400 BadRequest for a body that is null, a scalar or a list, with and without a token", async () => {
    for (const route of routes()) {
      for (const body of ["null", "true", '"str"', "1", "[]"]) {
        for (const authorization of [undefined, token]) {
          const answer = await send(hub, {
            ...route,
            body,
            contentType: "application/json",
            token: authorization,
          });
          const where = `${route.method} ${route.path} ${body} ${authorization ? "with" : "without"} a token`;
          assert.equal(answer.status, 400, `${where}: ${JSON.stringify(answer)}`);
          assert.equal(answer.code, "BadRequest", where);
          assert.match(answer.error, /The request body must be a JSON object/, where);
        }
      }
    }
  });

  it("names the field of the wrong type or missing", async () => {
    const cases: Array<[Sent, RegExp]> = [
      [{ method: "POST", path: "/api/repos/create", body: "{}" }, /^"name" is required$/],
      [{ method: "POST", path: "/api/repos/create", body: '{"name": 7}' }, /^"name" must be a string$/],
      [
        { method: "POST", path: "/api/repos/create", body: '{"name": "x", "files": [null]}' },
        /^"files\[0\]" must be an object$/,
      ],
      [
        {
          method: "POST",
          path: "/api/repos/create",
          body: '{"name": "x", "files": [{"path": "a", "encoding": "hex"}]}',
        },
        /^"files\[0\].encoding" must be one of "base64", "utf-8", null$/,
      ],
      [
        { method: "POST", path: "/api/repos/move", body: '{"fromRepo": "a/b"}' },
        /^"toRepo" is required: namespace\/name$/,
      ],
      [
        { method: "POST", path: "/api/validate-yaml", body: '{"content": 1}' },
        /^"content" must be a string: the README.md text$/,
      ],
      [
        { method: "PUT", path: "/api/models/alice/shapes/settings", body: '{"private": "yes"}' },
        /"private" must be true or false or null/,
      ],
      [
        {
          method: "POST",
          path: "/api/models/alice/shapes/preupload/main",
          body: '{"files": [{"path": "a", "size": 1e400}]}',
        },
        /^"files\[0\].size" must be an integer$/,
      ],
      [
        { method: "POST", path: "/api/models/alice/shapes/tag/main", body: '{"tag": ""}' },
        /^"tag" must not be empty$/,
      ],
      [
        { method: "POST", path: "/api/models/alice/shapes/branch/dev", body: '{"startingPoint": {"a": 1}}' },
        /^"startingPoint" must be a string or null$/,
      ],
      [
        {
          method: "POST",
          path: "/alice/shapes.git/info/lfs/objects/batch",
          body: '{"operation": "upload", "objects": [1]}',
        },
        /^"objects\[0\]" must be an object$/,
      ],
      [
        { method: "POST", path: "/alice/shapes.git/info/lfs/objects/verify", body: `{"oid": "${oid}"}` },
        /^"size" is required$/,
      ],
      [
        { method: "POST", path: `/api/lfs-upload/model/alice/shapes/${oid}`, body: '{"parts": [null]}' },
        /^"parts\[0\]" must be an object$/,
      ],
      [
        { method: "POST", path: "/api/models/alice/shapes/paths-info/main", body: '{"paths": [1]}' },
        /^"paths\[0\]" must be a string$/,
      ],
      [
        {
          method: "POST",
          path: "/v1/inference/text-classification",
          body: '{"model": "tests/tiny-sentiment", "parameters": []}',
        },
        /^"parameters" must be an object or null$/,
      ],
      [
        { method: "POST", path: "/v1/chat/completions", body: '{"model": "m", "messages": {}}' },
        /^"messages" must be a list$/,
      ],
    ];
    for (const [request, message] of cases) {
      const answer = await send(hub, { ...request, contentType: "application/json", token });
      const where = `${request.method} ${request.path} ${String(request.body)}`;
      assert.equal(answer.status, 400, `${where}: ${JSON.stringify(answer)}`);
      assert.equal(answer.code, "BadRequest", where);
      assert.match(answer.error, message, where);
    }
  });

  it("refuses bodies that are not UTF-8 or not JSON with 400", async () => {
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const bad = await send(hub, {
      method: "POST",
      path: "/api/repos/create",
      body: invalidUtf8,
      contentType: "application/json",
      token,
    });
    assert.deepEqual(bad, { status: 400, code: "BadRequest", error: "The request body is not valid UTF-8" });
    const truncated = await send(hub, {
      method: "POST",
      path: "/api/repos/create",
      body: '{"name": "x", "type',
      contentType: "application/json",
      token,
    });
    assert.equal(truncated.status, 400);
    assert.match(truncated.error, /^The request body is not valid JSON/);
  });

  it("takes JSON labelled as text or a form (fetch, curl -d), refuses other content types with 415", async () => {
    for (const contentType of [
      undefined,
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "application/vnd.git-lfs+json",
    ]) {
      const answer = await send(hub, {
        method: "POST",
        path: "/api/validate-yaml",
        body: '{"content": "# Card"}',
        contentType,
      });
      assert.equal(answer.status, 200, `${contentType}: ${JSON.stringify(answer)}`);
    }
    for (const contentType of [
      "image/png",
      "multipart/form-data; boundary=x",
      "application/x-ndjson",
      "application/octet-stream",
    ]) {
      const answer = await send(hub, {
        method: "POST",
        path: "/api/repos/create",
        body: '{"name": "typed"}',
        contentType,
        token,
      });
      assert.equal(answer.status, 415, contentType);
      assert.equal(answer.code, "UnsupportedMediaType", contentType);
      assert.equal(
        answer.error,
        `Unsupported Content-Type "${contentType}": this route takes a JSON body (application/json)`,
      );
    }
    assert.equal(
      await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "typed" }),
      undefined,
    );
  });

  it("bounds each route's body: 413 over its size, large bodies still read when they fit", async () => {
    const settings = await send(hub, {
      method: "PUT",
      path: "/api/models/alice/shapes/settings",
      body: JSON.stringify({ gated: false, padding: "x".repeat(100 * 1024) }),
      contentType: "application/json",
      token,
    });
    assert.equal(settings.status, 413);
    assert.equal(settings.code, "PayloadTooLarge");
    assert.match(settings.error, /over the limit of 65536 bytes/);

    // 1,000 files (0.6 MB): parsed on the JSON body worker, answered whole.
    const files = Array.from({ length: 1000 }, (_, index) => ({
      path: `data/${index}.txt`,
      size: 10,
      sample: "x".repeat(512),
    }));
    const response = await fetch(`${hub.url}/api/models/alice/shapes/preupload/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ files }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { files: unknown[] }).files.length, 1000);
    const tooMany = await send(hub, {
      method: "POST",
      path: "/api/models/alice/shapes/preupload/main",
      body: JSON.stringify({ files: [...files, files[0]] }),
      contentType: "application/json",
      token,
    });
    assert.deepEqual(tooMany, {
      status: 400,
      code: "BadRequest",
      error: '"files" may hold at most 1000 items',
    });
  });

  it("bounds the text an inference request sends, by its task", async () => {
    const long = "a lovely day ".repeat(8000);
    const text = await send(hub, {
      method: "POST",
      path: "/v1/inference/text-classification",
      body: JSON.stringify({ model: "tests/tiny-sentiment", inputs: long }),
      contentType: "application/json",
    });
    assert.deepEqual(text, {
      status: 413,
      code: "PayloadTooLarge",
      error: `The input has ${long.length} characters; text-classification takes at most 100000 per request`,
    });
    // 5 MB of text: over a text task's body size, refused before it is parsed.
    const huge = await send(hub, {
      method: "POST",
      path: "/models/tests/tiny-sentiment/pipeline/text-classification",
      body: JSON.stringify({ inputs: "x".repeat(5e6) }),
      contentType: "application/json",
    });
    assert.equal(huge.status, 413);
    assert.match(huge.error, /over the limit of 1048576 bytes/);
  });

  it("bounds one line of an NDJSON commit by the LFS threshold, as well as the whole body", async () => {
    const small = await startTestHangar({ limits: { ...DEFAULT_LIMITS, lfsThreshold: 64 * 1024 } });
    try {
      const smallToken = await small.addUser("carol");
      await createRepo({ repo: "carol/lines", accessToken: smallToken, hubUrl: small.url });
      const limit = maxCommitLineBytes(64 * 1024);
      const line = (bytes: number) =>
        JSON.stringify({
          key: "file",
          value: { path: "a.txt", content: "A".repeat(bytes), encoding: "base64" },
        });
      const commit = async (content: string) =>
        await send(small, {
          method: "POST",
          path: "/api/models/carol/lines/commit/main",
          body: `${JSON.stringify({ key: "header", value: { summary: "lines" } })}\n${content}\n`,
          contentType: "application/x-ndjson",
          token: smallToken,
        });
      const over = await commit(line(limit));
      assert.deepEqual(over, {
        status: 413,
        code: "PayloadTooLarge",
        error: `Line 2 of the commit is over the limit of ${limit} bytes: upload large files through LFS`,
      });
      // Just under the threshold, base64-encoded: a file preupload sends inline.
      const under = await commit(line(Math.ceil((64 * 1024 - 1) / 3) * 4));
      assert.equal(under.status, 200, JSON.stringify(under));
    } finally {
      await small.close();
    }
  });
});
