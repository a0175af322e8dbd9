import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { BUNDLED_SNAPSHOT_PATH, type CatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { type ServeProcess, spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const snapshotSize = (JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot).models
  .length;

/** What `npm start` runs, on a fresh temp home and a free port; resolves once the URL is printed. */
async function startServe(home: string, extraEnv: Record<string, string> = {}): Promise<ServeProcess> {
  const env: Record<string, string | undefined> = { ...process.env, HANGAR_HOME: home, HANGAR_PORT: "0" };
  for (const name of [
    "HANGAR_ADMIN_TOKEN",
    "HANGAR_NO_DEMO",
    "HANGAR_NO_CATALOG",
    "HANGAR_PUBLIC_URL",
    "HANGAR_HOST",
  ])
    delete env[name];
  Object.assign(env, extraEnv);
  const served = await spawnServe([], env);
  // `npm start` listens on loopback by default.
  assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return served;
}

describe("npm start on a new instance", () => {
  let home: { path: string; remove: () => Promise<void> };
  let server: Awaited<ReturnType<typeof startServe>>;

  before(async () => {
    home = await makeTempDir("hangar-start-");
    server = await startServe(home.path);
  });
  after(async () => {
    await stopServe(server.child);
    await home.remove();
  });

  it("prints its URL and how to create a first user and token", async () => {
    const output = server.output();
    assert.match(output, new RegExp(`^Hangar is serving ${home.path} at ${server.url}\\n`));
    assert.ok(output.includes("No users yet."), output);
    assert.ok(output.includes(`hangar token create --user NAME --role write --home "${home.path}"`), output);
  });

  it("lists the demo repos through the Hub API and on its home page", async () => {
    const models = (await (await fetch(`${server.url}/api/models?author=hangar`)).json()) as Array<{
      id: string;
    }>;
    assert.ok(
      models.some((model) => model.id === "hangar/welcome"),
      JSON.stringify(models),
    );
    const datasets = (await (await fetch(`${server.url}/api/datasets?author=hangar`)).json()) as Array<{
      id: string;
    }>;
    assert.ok(
      datasets.some((dataset) => dataset.id === "hangar/demo-dataset"),
      JSON.stringify(datasets),
    );
    const info = await (await fetch(`${server.url}/`)).json();
    // Every repo a first start makes lives under hangar/; the catalog entries are counted apart.
    assert.deepEqual(info, {
      name: "Hangar",
      version: "0.1.0",
      repos: models.length + datasets.length,
      catalogEntries: snapshotSize,
    });
  });

  it("imports the bundled catalog: at least 1,000 real models with tasks, licences and sizes", async () => {
    let url: string | undefined = `${server.url}/api/models?full=true&limit=1000`;
    const entries: Array<{
      id: string;
      pipeline_tag?: string;
      hangar: { license: string | null; parameters: number | null };
    }> = [];
    while (url) {
      const response: Response = await fetch(url);
      entries.push(...((await response.json()) as typeof entries));
      url = /<([^>]+)>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }
    const catalog = entries.filter((entry) => !entry.id.startsWith("hangar/"));
    assert.equal(catalog.length, snapshotSize);
    assert.ok(catalog.length >= 1000);
    assert.equal(catalog.filter((entry) => entry.pipeline_tag).length, catalog.length);
    // The snapshot leaves a licence or a size unknown where no public source gave one.
    assert.ok(catalog.filter((entry) => entry.hangar.license).length >= 0.8 * catalog.length);
    assert.ok(catalog.filter((entry) => entry.hangar.parameters).length >= 0.7 * catalog.length);
    assert.ok(catalog.some((entry) => entry.id === "google-bert/bert-base-uncased"));
  });

  it("has the factory's models and the imported Silero VAD and PaddleOCR ready to run", async () => {
    const listed = (await (await fetch(`${server.url}/v1/models`)).json()) as {
      data: Array<{ id: string; tasks: string[] }>;
    };
    const runnable = Object.fromEntries(
      listed.data.filter((model) => model.id.startsWith("hangar/")).map((model) => [model.id, model.tasks]),
    );
    assert.deepEqual(runnable, {
      "hangar/embedder-tiny": ["feature-extraction", "sentence-similarity"],
      "hangar/fill-mask-tiny": ["fill-mask"],
      "hangar/generator-tiny": ["text-generation"],
      "hangar/ner-tiny": ["token-classification"],
      "hangar/paddleocr": ["image-to-text"],
      "hangar/qa-tiny": ["question-answering"],
      "hangar/sentiment-tiny": ["text-classification"],
      "hangar/silero-vad": ["voice-activity-detection"],
      "hangar/zero-shot-tiny": ["zero-shot-classification", "text-classification"],
    });
    const response = await fetch(`${server.url}/v1/inference/text-classification`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "hangar/sentiment-tiny", inputs: "What a wonderful, lovely evening" }),
    });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as {
      model: string;
      revision: string;
      outputs: Array<{ label: string; score: number }>;
    };
    assert.equal(answer.model, "hangar/sentiment-tiny");
    assert.match(answer.revision, /^[0-9a-f]{40}$/);
    assert.deepEqual(
      answer.outputs.map((output) => output.label),
      ["POSITIVE", "NEGATIVE"],
    );
    assert.ok(answer.outputs[0]!.score > 0.5);
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

describe("npm start on an instance that is not new", () => {
  it("seeds nothing a second time and gives no hint once a user exists", async () => {
    const home = await makeTempDir("hangar-restart-");
    try {
      const first = await startServe(home.path);
      const firstInfo = await (await fetch(`${first.url}/`)).json();
      await stopServe(first.child);
      const added = await runCli(["user", "add", "alice", "--home", home.path]);
      assert.equal(added.code, 0, added.stderr);
      const second = await startServe(home.path);
      try {
        assert.equal(second.output(), `Hangar is serving ${home.path} at ${second.url}\n`);
        assert.deepEqual(await (await fetch(`${second.url}/`)).json(), firstInfo);
      } finally {
        await stopServe(second.child);
      }
    } finally {
      await home.remove();
    }
  });

  it("starts empty with HANGAR_NO_DEMO=1 and HANGAR_NO_CATALOG=1", async () => {
    const home = await makeTempDir("hangar-nodemo-");
    try {
      const started = await startServe(home.path, { HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1" });
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
