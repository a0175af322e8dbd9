import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "./helpers/test-hangar.ts";

const BIN = join(import.meta.dirname, "..", "bin", "hangar.js");

/** What `npm start` runs, on a fresh temp home and a free port; resolves once the URL is printed. */
async function startServe(
  home: string,
  extraEnv: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const env: Record<string, string | undefined> = { ...process.env, HANGAR_HOME: home, HANGAR_PORT: "0" };
  for (const name of ["HANGAR_ADMIN_TOKEN", "HANGAR_NO_DEMO", "HANGAR_PUBLIC_URL", "HANGAR_HOST"])
    delete env[name];
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, [BIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`hangar serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, output: () => stdout };
}

describe("npm start on a new instance", () => {
  let home: { path: string; remove: () => Promise<void> };
  let server: Awaited<ReturnType<typeof startServe>>;

  before(async () => {
    home = await makeTempDir("hangar-start-");
    server = await startServe(home.path);
  });
  after(async () => {
    if (server.child.exitCode === null) {
      const exited = once(server.child, "exit");
      server.child.kill("SIGTERM");
      await exited;
    }
    await home.remove();
  });

  it("prints its URL and how to create a first user and token", async () => {
    const output = server.output();
    assert.match(output, new RegExp(`^Hangar is serving ${home.path} at ${server.url}\\n`));
    assert.ok(output.includes("No users yet."), output);
    assert.ok(output.includes(`hangar token create --user NAME --role write --home "${home.path}"`), output);
  });

  it("lists the demo repos through the Hub API and on its home page", async () => {
    const models = (await (await fetch(`${server.url}/api/models`)).json()) as Array<{ id: string }>;
    assert.ok(
      models.some((model) => model.id === "hangar/welcome"),
      JSON.stringify(models),
    );
    const datasets = (await (await fetch(`${server.url}/api/datasets`)).json()) as Array<{ id: string }>;
    assert.ok(
      datasets.some((dataset) => dataset.id === "hangar/demo-dataset"),
      JSON.stringify(datasets),
    );
    const info = await (await fetch(`${server.url}/`)).json();
    assert.deepEqual(info, { name: "Hangar", version: "0.1.0", repos: 2 });
  });

  it("serves the demo model card's files", async () => {
    const response = await fetch(`${server.url}/hangar/welcome/resolve/main/config.json`);
    assert.equal(response.status, 200);
    const config = (await response.json()) as { model_type: string };
    assert.equal(config.model_type, "bert");
    const card = await (await fetch(`${server.url}/hangar/welcome/resolve/main/README.md`)).text();
    assert.match(card, /^---\nlicense: apache-2.0\n/);
  });

  it("stops on SIGTERM", async () => {
    const exited = once(server.child, "exit");
    server.child.kill("SIGTERM");
    const [code] = await exited;
    assert.equal(code, 0);
  });
});

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

describe("npm start on an instance that is not new", () => {
  it("seeds nothing a second time and gives no hint once a user exists", async () => {
    const home = await makeTempDir("hangar-restart-");
    try {
      const first = await startServe(home.path);
      await stopServe(first.child);
      const added = spawnSync(process.execPath, [BIN, "user", "add", "alice", "--home", home.path]);
      assert.equal(added.status, 0, added.stderr.toString());
      const second = await startServe(home.path);
      try {
        assert.equal(second.output(), `Hangar is serving ${home.path} at ${second.url}\n`);
        assert.deepEqual(await (await fetch(`${second.url}/`)).json(), {
          name: "Hangar",
          version: "0.1.0",
          repos: 2,
        });
      } finally {
        await stopServe(second.child);
      }
    } finally {
      await home.remove();
    }
  });

  it("starts empty with HANGAR_NO_DEMO=1", async () => {
    const home = await makeTempDir("hangar-nodemo-");
    try {
      const started = await startServe(home.path, { HANGAR_NO_DEMO: "1" });
      try {
        assert.deepEqual(await (await fetch(`${started.url}/api/models`)).json(), []);
      } finally {
        await stopServe(started.child);
      }
    } finally {
      await home.remove();
    }
  });
});
