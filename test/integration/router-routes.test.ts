import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { createHangar } from "../../src/hangar.ts";
import { OpenAiUpstream } from "../helpers/openai-upstream.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { until } from "../helpers/until.ts";

function routeYaml(name: string, url: string): string {
  return `routes:
  - name: ${name}
    deployments:
      - backend: openai
        url: ${url}/v1
        model: upstream-model
`;
}

async function chatStatus(hub: TestHangar, model: string): Promise<number> {
  const response = await fetch(`${hub.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${hub.adminToken}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("route files and the routes admin API", () => {
  const upstream = new OpenAiUpstream(["fine"]);
  let folder: Awaited<ReturnType<typeof makeTempDir>>;
  let hub: TestHangar;
  let file: string;

  before(async () => {
    await upstream.start();
    folder = await makeTempDir("hangar-route-files-");
    file = join(folder.path, "routes.yaml");
    await writeFile(file, routeYaml("first-route", upstream.url));
    hub = await startTestHangar({ routes: file });
  });

  after(async () => {
    await hub?.close();
    await upstream.kill();
    await folder?.remove();
  });

  it("refuses a file with an error at start, naming the file, the line and the field", async () => {
    const bad = join(folder.path, "bad.yaml");
    await writeFile(
      bad,
      `routes:
  - name: chat
    policy: priority
    deployments:
      - backend: openai
        url: http://127.0.0.1:1/v1
        model: a
      - backend: vllm
        model: b
`,
    );
    const home = await makeTempDir();
    try {
      await assert.rejects(createHangar(defaultConfig(home.path, { routes: bad })), (error: unknown) => {
        assert.ok(HangarError.isInstance(error));
        assert.equal(
          error.message,
          `${bad}:8: routes[0].deployments[1].backend must be one of local, openai, hf-providers, hf-endpoint`,
        );
        assert.deepEqual(error.details, { file: bad, line: 8, field: "routes[0].deployments[1].backend" });
        return true;
      });
      await writeFile(bad, "routes:\n  - name: chat\n    deployments: [\n");
      await assert.rejects(
        createHangar(defaultConfig(home.path, { routes: bad })),
        /bad\.yaml:4: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
      );
      await writeFile(
        bad,
        "routes:\n  - name: chat\n    retries: -1\n    deployments:\n      - backend: local\n        model: a/b\n",
      );
      await assert.rejects(
        createHangar(defaultConfig(home.path, { routes: bad })),
        /bad\.yaml:3: routes\[0\]\.retries must be a whole number of at least 0/,
      );
      await writeFile(
        bad,
        "routes:\n  - name: chat\n    deployments:\n      - backend: openai\n        url: http://user:pw@127.0.0.1/v1\n        model: a\n",
      );
      await assert.rejects(
        createHangar(defaultConfig(home.path, { routes: bad })),
        /must not hold credentials/,
      );
    } finally {
      await home.remove();
    }
  });

  it("reloads the file when it changes, and keeps the routes in force while the file is wrong", async () => {
    assert.equal(await chatStatus(hub, "first-route"), 200);
    await writeFile(
      file,
      `${routeYaml("second-route", upstream.url)}  - name: broken\n    deployments: []\n`,
    );
    await until(async () => {
      const report = (await (
        await fetch(`${hub.url}/v1/health`, { headers: { Authorization: `Bearer ${hub.adminToken}` } })
      ).json()) as { source: { error: string | null } };
      return report.source.error !== null;
    }, "the refusal");
    const report = (await (
      await fetch(`${hub.url}/v1/health`, { headers: { Authorization: `Bearer ${hub.adminToken}` } })
    ).json()) as { source: { error: string } };
    assert.equal(report.source.error, `${file}:8: routes[1].deployments must be a non-empty list`);
    assert.equal(await chatStatus(hub, "first-route"), 200);
    // Not a route yet, so a repo id, which it is not.
    assert.equal(await chatStatus(hub, "second-route"), 400);

    await writeFile(file, routeYaml("second-route", upstream.url));
    await until(async () => (await chatStatus(hub, "second-route")) === 200, "the new route");
    assert.equal(await chatStatus(hub, "first-route"), 400);
  });

  it("GET and PUT /v1/routes are for admins; a PUT is checked field by field and rewrites the file", async () => {
    const userToken = await hub.addUser("alice", "write");
    assert.equal((await fetch(`${hub.url}/v1/routes`)).status, 401);
    assert.equal(
      (await fetch(`${hub.url}/v1/routes`, { headers: { Authorization: `Bearer ${userToken}` } })).status,
      403,
    );
    const put = (token: string, body: unknown) =>
      fetch(`${hub.url}/v1/routes`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    assert.equal((await put(userToken, { routes: [] })).status, 403);
    const refused = await put(hub.adminToken, {
      routes: [{ name: "x", deployments: [{ backend: "openai", model: "m" }] }],
    });
    assert.equal(refused.status, 400);
    assert.equal(
      ((await refused.json()) as { error: string }).error,
      "request body: routes[0].deployments[0].url is required",
    );
    const taken = await put(hub.adminToken, {
      routes: [
        {
          name: "third-route",
          policy: "least-busy",
          deployments: [
            { backend: "openai", url: `${upstream.url}/v1`, model: "m", api_key_env: "SOME_KEY" },
          ],
        },
      ],
    });
    assert.equal(taken.status, 200);
    const current = (await taken.json()) as {
      routes: Array<{ name: string; policy: string; retries: number }>;
    };
    assert.equal(current.routes[0]!.name, "third-route");
    assert.equal(current.routes[0]!.retries, 2);
    assert.equal(await chatStatus(hub, "third-route"), 200);
    const listed = (await (
      await fetch(`${hub.url}/v1/routes`, { headers: { Authorization: `Bearer ${hub.adminToken}` } })
    ).json()) as { routes: Array<{ name: string }> };
    assert.deepEqual(
      listed.routes.map((route) => route.name),
      ["third-route"],
    );
    assert.match(await readFile(file, "utf8"), /name: third-route[\s\S]*api_key_env: SOME_KEY/);
  });
});
