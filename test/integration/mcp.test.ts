import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../../src/hub/catalog/import-snapshot.ts";
import { MCP_TOOL_NAMES } from "../../src/server/mcp/mcp-tools.ts";
import { HANGAR_BIN } from "../helpers/hangar-cli.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";
import { tinyClassifierExpectation, tinyClassifierFiles } from "../helpers/tiny-models.ts";

const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const taskOf = new Map(snapshot.models.map((model) => [model.id, model.task]));
const CATALOG_CLASSIFIER = snapshot.models.find((model) => model.task === "text-classification")!.id;
const PRIVATE_MODEL = "alice/secret-sentiment";

/** The JSON a tool answered, after checking it is not an error. */
function json(result: unknown): Record<string, unknown> {
  const call = result as CallToolResult;
  const text = call.content.map((part) => (part.type === "text" ? part.text : "")).join("");
  assert.notEqual(call.isError, true, text);
  return JSON.parse(text) as Record<string, unknown>;
}

function errorText(result: unknown): string {
  const call = result as CallToolResult;
  assert.equal(call.isError, true, JSON.stringify(call));
  return call.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

async function httpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "hangar-test", version: "1.0.0" });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  );
  return client;
}

/** Lists the tools and calls each one; what every transport must do alike. */
async function exerciseEveryTool(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), [...MCP_TOOL_NAMES].sort());
  for (const tool of tools) {
    assert.ok((tool.description ?? "").length > 60, `${tool.name} needs a description an agent can act on`);
    assert.equal(tool.inputSchema.type, "object");
  }
  const search = tools.find((tool) => tool.name === "search_models")!;
  assert.ok(Object.keys(search.inputSchema.properties ?? {}).includes("license"));

  const found = json(
    await client.callTool({ name: "search_models", arguments: { q: "tiny", task: ["text-classification"] } }),
  );
  const hits = found.results as Array<{ id: string; task: string }>;
  assert.ok(
    hits.some((hit) => hit.id === "tests/tiny-sentiment"),
    JSON.stringify(hits),
  );
  assert.ok(hits.every((hit) => hit.task === "text-classification"));

  const details = json(
    await client.callTool({ name: "get_model", arguments: { id: "tests/tiny-sentiment" } }),
  );
  assert.equal(details.id, "tests/tiny-sentiment");
  assert.deepEqual(details.tasks, ["text-classification"]);
  assert.ok((details.files as Array<{ path: string }>).some((file) => file.path === "onnx/model.onnx"));

  const compared = json(
    await client.callTool({
      name: "compare_models",
      arguments: { models: ["tests/tiny-sentiment", CATALOG_CLASSIFIER], hardware: "cpu" },
    }),
  );
  assert.deepEqual(
    (compared.models as Array<{ id: string }>).map((model) => model.id).sort(),
    ["tests/tiny-sentiment", CATALOG_CLASSIFIER].sort(),
  );

  const recommended = json(
    await client.callTool({
      name: "recommend_models",
      arguments: { description: "turn our podcast episodes into written text", limit: 3 },
    }),
  );
  assert.equal((recommended.tasks as string[])[0], "automatic-speech-recognition");
  const candidates = recommended.candidates as Array<{ id: string }>;
  assert.ok(candidates.length > 0);
  for (const candidate of candidates) assert.equal(taskOf.get(candidate.id), "automatic-speech-recognition");

  const text = "what a great film";
  const ran = json(
    await client.callTool({
      name: "run_inference",
      arguments: { model: "tests/tiny-sentiment", inputs: text },
    }),
  );
  assert.equal(ran.task, "text-classification");
  const labels = ran.outputs as Array<{ label: string; score: number }>;
  assert.equal(labels[0]!.label, tinyClassifierExpectation(text).label);

  const endpoints = json(await client.callTool({ name: "list_endpoints", arguments: {} }));
  assert.ok(
    (endpoints.runnableModels as Array<{ id: string }>).some((model) => model.id === "tests/tiny-sentiment"),
  );
  assert.ok(
    (endpoints.routes as Array<{ method: string; url: string }>).some(
      (route) => route.method === "POST" && route.url === "/mcp",
    ),
  );

  assert.match(
    errorText(await client.callTool({ name: "get_model", arguments: { id: "not-a-repo-id" } })),
    /^HANGAR_ERR_INVALID_REPO_ID: /,
  );
}

describe("MCP: Hangar's tools for agents over Streamable HTTP and stdio", () => {
  let t: TestHangar;
  let aliceToken: string;
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
    await importTinyModels(t.hangar, ["tests/tiny-sentiment"]);
    aliceToken = await t.addUser("alice");
    await importFiles(t.hangar, PRIVATE_MODEL, tinyClassifierFiles(), { private: true });
  });
  after(() => t.close());

  it("over HTTP at /mcp: an SDK client lists the tools and calls each one", async () => {
    const client = await httpClient(t.url, aliceToken);
    try {
      await exerciseEveryTool(client);
    } finally {
      await client.close();
    }
  });

  it("over HTTP, anonymous callers see public models only; the token's user sees their own", async () => {
    const anonymous = await httpClient(t.url);
    const alice = await httpClient(t.url, aliceToken);
    try {
      assert.match(
        errorText(await anonymous.callTool({ name: "get_model", arguments: { id: PRIVATE_MODEL } })),
        /^HANGAR_ERR_REPO_NOT_FOUND: /,
      );
      assert.match(
        errorText(
          await anonymous.callTool({
            name: "run_inference",
            arguments: { model: PRIVATE_MODEL, inputs: "fine" },
          }),
        ),
        /^HANGAR_ERR_REPO_NOT_FOUND: /,
      );
      const searchedAnonymously = json(
        await anonymous.callTool({ name: "search_models", arguments: { author: ["alice"] } }),
      );
      assert.equal(searchedAnonymously.total, 0);
      const own = json(await alice.callTool({ name: "get_model", arguments: { id: PRIVATE_MODEL } }));
      assert.equal(own.id, PRIVATE_MODEL);
      assert.equal(own.private, true);
      const searched = json(
        await alice.callTool({ name: "search_models", arguments: { author: ["alice"] } }),
      );
      assert.deepEqual(
        (searched.results as Array<{ id: string }>).map((hit) => hit.id),
        [PRIVATE_MODEL],
      );
    } finally {
      await anonymous.close();
      await alice.close();
    }
  });

  it("over HTTP, an unknown token is refused with 401 as on every route; GET is 405 (no sessions)", async () => {
    const response = await fetch(`${t.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer hf_not_a_real_token_000000000000",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), {
      error: "Invalid credentials in Authorization header",
      code: "HANGAR_ERR_UNAUTHORIZED",
    });
    await assert.rejects(httpClient(t.url, "hf_not_a_real_token_000000000000"));
    // Stateless: no session stream to open, no session to end.
    const stream = await fetch(`${t.url}/mcp`, { headers: { accept: "text/event-stream" } });
    assert.equal(stream.status, 405);
    assert.match(stream.headers.get("allow") ?? "", /POST/);
  });

  it("over HTTP, tool arguments are checked against the input schema", async () => {
    const client = await httpClient(t.url);
    try {
      const result = (await client.callTool({
        name: "compare_models",
        arguments: { models: ["only/one"] },
      })) as CallToolResult;
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /models/);
    } finally {
      await client.close();
    }
  });

  /** An SDK client of `hangar mcp` in a child process on the test hangar's home. */
  async function stdioClient(extraArgs: string[] = []): Promise<Client> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (value !== undefined && name !== "HANGAR_HOME") env[name] = value;
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [HANGAR_BIN, "mcp", "--home", t.home, ...extraArgs],
      env,
      stderr: "pipe",
    });
    const client = new Client({ name: "hangar-test", version: "1.0.0" });
    await client.connect(transport);
    return client;
  }

  it("over stdio: `hangar mcp` in a child process lists the tools and calls each one", async () => {
    const client = await stdioClient();
    try {
      await exerciseEveryTool(client);
    } finally {
      await client.close();
    }
  });

  it("over stdio with --token: the tools see what that token's user may read", async () => {
    const carolToken = await t.addUser("carol", "read");
    const client = await stdioClient(["--token", carolToken]);
    try {
      assert.match(
        errorText(await client.callTool({ name: "get_model", arguments: { id: PRIVATE_MODEL } })),
        /^HANGAR_ERR_REPO_NOT_FOUND: /,
      );
      const searched = json(
        await client.callTool({ name: "search_models", arguments: { author: ["alice"] } }),
      );
      assert.equal(searched.total, 0);
    } finally {
      await client.close();
    }
  });
});
