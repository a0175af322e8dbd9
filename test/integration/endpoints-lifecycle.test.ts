import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { createUser } from "../../src/hub/accounts/manage-accounts.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { createTestDatabase } from "../helpers/postgres.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { untilValue } from "../helpers/until.ts";

const ENGINES = [
  { name: "SQLite", database: async () => ({ url: undefined, drop: async () => {} }) },
  {
    name: "PostgreSQL",
    database: async () => {
      const database = await createTestDatabase();
      return { url: database.url as string | undefined, drop: () => database.drop() };
    },
  },
];

/** What `read` gives once `done` holds for it (endpoints start models: up to a minute). */
function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  return untilValue(
    async () => {
      const value = await read();
      return done(value) ? value : undefined;
    },
    what,
    { ms: 60_000, every: 100 },
  );
}

for (const engine of ENGINES) {
  describe(`inference endpoints survive a restart (${engine.name})`, () => {
    it("comes back in the state each endpoint was in: running ones start again, paused and scaled-to-zero stay", async () => {
      const home = await makeTempDir();
      const database = await engine.database();
      const config = defaultConfig(home.path, {
        ...(database.url ? { database: database.url } : {}),
        endpoints: { autoscaleIntervalMs: 100 },
      });
      const admin = localAdministrator();
      let hangar: Hangar | undefined;
      try {
        hangar = await createHangar(config);
        await createUser(hangar, { name: "carol" });
        await commitFactoryModels(hangar, ["sentiment"]);
        const body = (name: string) => ({
          name,
          model: { repository: "factory/sentiment", framework: "custom" },
          provider: { vendor: "hangar", region: "local" },
          compute: {
            accelerator: "cpu",
            instanceType: "cpu",
            instanceSize: "x1",
            scaling: { minReplica: 1, maxReplica: 2 },
          },
        });
        for (const name of ["serving", "resting", "sleeping"])
          await hangar.endpoints.create(admin, "carol", body(name));
        const first = hangar;
        await until(
          () => first.endpoints.list(admin, "carol"),
          (views) => views.every((view) => view.record.state === "running"),
          "three running endpoints",
        );
        await hangar.endpoints.lifecycle(admin, "carol", "resting", "pause");
        await hangar.endpoints.lifecycle(admin, "carol", "sleeping", "scale-to-zero");
        await hangar.close();
        hangar = undefined;

        hangar = await createHangar(config);
        await hangar.endpoints.start();
        const second = hangar;
        const views = await until(
          () => second.endpoints.list(admin, "carol"),
          (list) => list.find((view) => view.record.name === "serving")?.record.state === "running",
          "the running endpoint to come back",
        );
        const states = Object.fromEntries(views.map((view) => [view.record.name, view.record.state]));
        assert.deepEqual(states, { resting: "paused", serving: "running", sleeping: "scaledToZero" });
        assert.equal(views.find((view) => view.record.name === "serving")!.readyReplicas, 1);
        assert.equal(
          views.find((view) => view.record.name === "serving")!.record.spec.compute.scaling.maxReplica,
          2,
        );
        const stored = await hangar.catalog.endpoints.get("carol", "resting");
        assert.equal(stored?.state, "paused");
        // The scaled-to-zero one wakes on a request, through the inference API's model name for it.
        const result = await hangar.inference.run({
          caller: admin,
          model: "endpoints/carol/sleeping",
          inputs: "I really enjoyed this wonderful film",
          api: "library",
        });
        assert.equal((result.outputs as Array<{ label: string }>)[0]!.label, "POSITIVE");
        assert.equal((await hangar.endpoints.get(admin, "carol", "sleeping")).record.state, "running");
      } finally {
        await hangar?.close();
        await database.drop();
        await home.remove();
      }
    });
  });
}

describe("remote endpoints, the CLI and the MCP tool", () => {
  let hub: TestHangar;
  let dave: string;

  before(async () => {
    // The remote endpoint's token comes from the server's environment, named by the endpoint.
    let token = "";
    hub = await startTestHangar({
      endpoints: { autoscaleIntervalMs: 100 },
      environment: (name) => (name === "REMOTE_TOKEN" ? token : undefined),
    });
    await commitFactoryModels(hub.hangar, ["sentiment"]);
    dave = await hub.addUser("dave");
    token = dave;
  });
  after(async () => {
    await hub.close();
  });

  /** The endpoint as the API shows it (polled over HTTP: each CLI run starts a process). */
  const stateOf = async (name: string) => {
    const response = await fetch(`${hub.url}/api/endpoints/v2/endpoint/dave/${name}`, {
      headers: { authorization: `Bearer ${dave}` },
    });
    return ((await response.json()) as { status: { state: string } }).status.state;
  };
  const adminCli = (...args: string[]) =>
    hangarCli(["endpoint", ...args, "--endpoint", hub.url, "--token", hub.adminToken, "--namespace", "dave"]);
  const cli = (...args: string[]) => hangarCli(["endpoint", ...args, "--endpoint", hub.url, "--token", dave]);

  it("creates, lists, describes, pauses, resumes, scales to zero and deletes from the command line", async () => {
    const created = await cli(
      "create",
      "cli-sentiment",
      "--model",
      "factory/sentiment",
      "--size",
      "x2",
      "--max-replica",
      "2",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^cli-sentiment\t(pending|initializing|running)\t/);
    await until(
      () => stateOf("cli-sentiment"),
      (state) => state === "running",
      "the CLI's endpoint to run",
    );
    const client = new InferenceClient(dave, { endpointUrl: `${hub.url}/endpoints/dave/cli-sentiment` });
    await client.textClassification({ inputs: "wonderful" });

    // Runs that do not change anything go side by side: each starts a process.
    const [listed, described, json, help] = await Promise.all([
      cli("list"),
      cli("describe", "cli-sentiment"),
      cli("describe", "cli-sentiment", "--json"),
      hangarCli(["endpoint", "create", "--help"]),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(
        `^cli-sentiment\\trunning\\t1/1 replicas\\tfactory/sentiment@[0-9a-f]{12}\\t${hub.url}/endpoints/dave/cli-sentiment$`,
        "m",
      ),
    );
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^state: running/m);
    assert.match(described.stdout, /^compute: hangar local cpu x2, 0\.2 USD per replica-hour$/m);
    assert.match(described.stdout, /^requests: 1 in the last \d+ s/m);
    assert.match(described.stdout, /^latency: p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms$/m);
    assert.match(described.stdout, /^cost: [\d.e-]+ USD \([\d.e-]+ replica-hours since /m);
    assert.equal((JSON.parse(json.stdout) as { metrics: { requests: number } }).metrics.requests, 1);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--min-replica N/);

    assert.match((await cli("pause", "cli-sentiment")).stdout, /^cli-sentiment\tpaused\t0\/0 replicas/);
    assert.match((await cli("resume", "cli-sentiment")).stdout, /^cli-sentiment\tinitializing\t/);
    const again = await cli("resume", "cli-sentiment");
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr.trim(),
      "hangar endpoint resume: Endpoint dave/cli-sentiment is already running (HTTP 400)",
    );
    assert.match(
      (await cli("scale-to-zero", "cli-sentiment")).stdout,
      /^cli-sentiment\tscaledToZero\t0\/0 replicas/,
    );
    const deleted = await cli("delete", "cli-sentiment");
    assert.equal(deleted.stdout, "Deleted dave/cli-sentiment\n");
    const [missing, bad] = await Promise.all([
      cli("describe", "cli-sentiment"),
      cli("create", "x", "--model", "factory/sentiment", "--size", "x12", "--json"),
    ]);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr.trim(),
      "hangar endpoint describe: Inference endpoint dave/cli-sentiment not found (HTTP 404)",
    );
    assert.equal(bad.code, 1);
    assert.deepEqual(JSON.parse(bad.stderr), {
      error:
        '"compute.instanceSize" must be one of x1, x2, x3, x4, x5, x6, x7, x8 on this Hangar, got "x12" (HTTP 400)',
      code: "HANGAR_ERR_BAD_REQUEST",
    });
  });

  it("registers a remote endpoint by URL, serves it through the HF endpoint backend, and lists it with the others", async () => {
    const local = await hub.fetch(`${hub.url}/api/endpoints/v2/endpoint/dave`, {
      method: "POST",
      headers: { authorization: `Bearer ${dave}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "upstream",
        type: "private",
        model: { repository: "factory/sentiment", framework: "custom" },
        provider: { vendor: "hangar", region: "local" },
        compute: {
          accelerator: "cpu",
          instanceType: "cpu",
          instanceSize: "x1",
          scaling: { minReplica: 1, maxReplica: 1 },
        },
      }),
    });
    assert.equal(local.status, 200);
    // A remote endpoint makes the server call a URL with a secret of its environment: admins only.
    const refused = await cli(
      "create",
      "sneaky",
      "--model",
      "x/y",
      "--url",
      "http://127.0.0.1:1/",
      "--api-key-env",
      "HF_TOKEN",
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"remote" needs an admin token/);
    // The remote one points at the private endpoint's URL, reached with the token REMOTE_TOKEN holds.
    const remote = await adminCli(
      "create",
      "remote-sentiment",
      "--model",
      "factory/sentiment",
      "--task",
      "text-classification",
      "--url",
      `${hub.url}/endpoints/dave/upstream`,
      "--api-key-env",
      "REMOTE_TOKEN",
      "--type",
      "public",
    );
    assert.equal(remote.code, 0, remote.stderr);
    await until(
      async () =>
        JSON.parse((await cli("describe", "upstream", "--json")).stdout) as { status: { state: string } },
      (endpoint) => endpoint.status.state === "running",
      "the upstream endpoint",
    );
    const labels = await new InferenceClient(undefined, {
      endpointUrl: `${hub.url}/endpoints/dave/remote-sentiment`,
    }).textClassification({ inputs: "a dull, tedious and badly acted mess" });
    assert.equal(labels[0]!.label, "NEGATIVE");
    const page = JSON.parse((await cli("list", "--json")).stdout) as {
      items: Array<{
        name: string;
        provider: { vendor: string };
        remote?: { url: string; apiKeyEnv: string };
      }>;
    };
    const listed = page.items.find((item) => item.name === "remote-sentiment")!;
    assert.equal(listed.provider.vendor, "remote");
    assert.deepEqual(listed.remote, { url: `${hub.url}/endpoints/dave/upstream`, apiKeyEnv: "REMOTE_TOKEN" });
    assert.deepEqual(
      page.items.map((item) => item.name),
      ["remote-sentiment", "upstream"],
    );
  });

  it("lists the endpoints and routes in the MCP tool list_endpoints, and runs one by its model name", async () => {
    const client = new Client({ name: "hangar-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${dave}` } },
      }),
    );
    try {
      const result = (await client.callTool({ name: "list_endpoints", arguments: {} })) as CallToolResult;
      const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
      const listed = JSON.parse(text) as {
        inferenceEndpoints: Array<{ name: string; model: string; state: string; vendor: string }>;
        inferenceRoutes: unknown[];
      };
      assert.deepEqual(listed.inferenceRoutes, []);
      const upstream = listed.inferenceEndpoints.find((endpoint) => endpoint.name === "dave/upstream")!;
      assert.equal(upstream.model, "endpoints/dave/upstream");
      assert.equal(upstream.state, "running");
      assert.ok(listed.inferenceEndpoints.some((endpoint) => endpoint.vendor === "remote"));
      const ran = (await client.callTool({
        name: "run_inference",
        arguments: { model: "endpoints/dave/upstream", inputs: "wonderful" },
      })) as CallToolResult;
      assert.notEqual(ran.isError, true, JSON.stringify(ran));
    } finally {
      await client.close();
    }
  });
});
