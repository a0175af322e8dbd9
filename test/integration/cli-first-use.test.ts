import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { importCatalogSnapshot } from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { spawnServe, stopServe } from "../helpers/serve-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const CLASSIFIER = "distilbert/distilbert-base-uncased-finetuned-sst-2-english";

/** The one JSON object a failed command prints under --json, after checking it is alone and exits non-zero. */
function jsonError(run: { code: number; stdout: string; stderr: string }): Record<string, unknown> {
  assert.notEqual(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n");
  assert.equal(lines.length, 2, run.stderr);
  assert.equal(lines[1], "");
  const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(typeof parsed.error, "string");
  assert.match(String(parsed.code), /^HANGAR_ERR_[A-Z_]+$/);
  return parsed;
}

describe("the CLI as a first-time user meets it, on a home with the bundled catalog", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    await importCatalogSnapshot(hub.hangar.catalog);
  });
  after(() => hub.close());

  it("--json: every failure is one JSON object with code and message on stderr, and a non-zero exit", async () => {
    const home = ["--home", hub.home];
    const [notPulled, oneModel, badOption, badCommand, noHub, noInstance, badLicence] = await Promise.all([
      runCli(["run", "text-classification", CLASSIFIER, "hi", ...home, "--json"]),
      runCli(["compare", CLASSIFIER, ...home, "--json"]),
      runCli(["search", "--bogus", ...home, "--json"]),
      runCli(["fly", "--json"]),
      runCli(["download", "hangar/welcome", "--endpoint", "http://127.0.0.1:9", "--json"]),
      runCli(["fsck", "--home", join(hub.home, "nowhere"), "--json"]),
      runCli(["search", "--license", "apache", ...home, "--json"]),
    ]);
    const modelError = jsonError(notPulled);
    assert.equal(notPulled.code, 1);
    assert.equal(modelError.code, "HANGAR_ERR_MODEL_NOT_PULLED");
    assert.equal(modelError.repo, CLASSIFIER);
    assert.match(String(modelError.error), /known from the catalog/);

    assert.equal(oneModel.code, 2);
    assert.deepEqual(jsonError(oneModel), {
      error: "Compare needs at least 2 models, got 1: hangar compare <model> <model> [model...]",
      code: "HANGAR_ERR_BAD_REQUEST",
    });
    assert.equal(badOption.code, 2);
    assert.equal(jsonError(badOption).code, "HANGAR_ERR_BAD_REQUEST");
    assert.match(String(jsonError(badOption).error), /Unknown option '--bogus'/);
    assert.equal(badCommand.code, 2);
    assert.match(String(jsonError(badCommand).error), /unknown command "fly --json"/);
    assert.equal(noHub.code, 1);
    assert.equal(jsonError(noHub).code, "HANGAR_ERR_UPSTREAM");
    assert.match(String(jsonError(noHub).error), /^Cannot reach a hub at http:\/\/127\.0\.0\.1:9/);
    assert.equal(noInstance.code, 1);
    assert.equal(jsonError(noInstance).code, "HANGAR_ERR_NOT_FOUND");
    const licence = jsonError(badLicence);
    assert.equal(badLicence.code, 2);
    assert.deepEqual(
      [licence.code, licence.parameter, licence.didYouMean],
      ["HANGAR_ERR_BAD_REQUEST", "license", ["apache-2.0"]],
    );
  });

  it("search --license apache says: did you mean apache-2.0? (the CLI and the API alike)", async () => {
    const cli = await runCli(["search", "--license", "apache", "--home", hub.home]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /^hangar search: Unknown license "apache"; did you mean apache-2\.0\? Valid: /);
    const api = await fetch(`${hub.url}/v1/discover?license=apache`);
    assert.equal(api.status, 400);
    const body = (await api.json()) as { error: string; didYouMean: string[] };
    assert.match(body.error, /^Unknown license "apache"; did you mean apache-2\.0\?/);
    assert.deepEqual(body.didYouMean, ["apache-2.0"]);
    // A family of versions is named in full; a typo still finds its value.
    const gpl = await runCli(["search", "--license", "gpl", "--home", hub.home]);
    assert.match(gpl.stderr, /Unknown license "gpl"; did you mean gpl-2\.0 or gpl-3\.0\?/);
    const typo = await runCli(["search", "--license", "apach-2.0", "--home", hub.home]);
    assert.match(typo.stderr, /Unknown license "apach-2\.0"; did you mean apache-2\.0\?/);
  });

  it("counts are pluralised: 1 model matches, 2 models match", async () => {
    const [one, two] = await Promise.all([
      runCli(["search", "--author", "distilbert", "--task", "text-classification", "--home", hub.home]),
      runCli(["search", "--author", "distilbert", "--task", "question-answering", "--home", hub.home]),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^1 model matches \(showing 1-1, sorted by relevance\)/m);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stdout, /^2 models match \(showing 1-2, sorted by relevance\)/m);
  });

  it("a search or recommendation on a home with no models says how to get some; one that only misses does not", async () => {
    const empty = await makeTempDir("hangar-empty-home-");
    const [search, recommend, miss] = await Promise.all([
      runCli(["search", "sentiment", "--home", empty.path]),
      runCli(["recommend", "classify the sentiment of English reviews", "--home", empty.path]),
      runCli(["search", "zzqx-no-such-model", "--home", hub.home]),
    ]).finally(() => empty.remove());
    for (const run of [search, recommend]) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /This instance has no models yet: `hangar serve` imports the bundled catalog/);
    }
    assert.match(search.stdout, /^No models match\.$/m);
    assert.equal(miss.code, 0, miss.stderr);
    assert.match(miss.stdout, /^0 models match/m);
    assert.doesNotMatch(miss.stdout, /no models yet/);
  });
});

describe("links the CLI prints open something, on the port the server really listens on", () => {
  let home: { path: string; remove: () => Promise<void> };
  let folder: { path: string; remove: () => Promise<void> };
  before(async () => {
    home = await makeTempDir("hangar-links-");
    folder = await makeTempDir("hangar-links-folder-");
    await writeFile(join(folder.path, "config.json"), '{"model_type": "bert"}\n');
  });
  after(async () => {
    await home.remove();
    await folder.remove();
  });

  const env = () => {
    const clean: NodeJS.ProcessEnv = { ...process.env, HANGAR_NO_DEMO: "1", HANGAR_NO_CATALOG: "1" };
    for (const name of ["HANGAR_HOME", "HANGAR_PORT", "HANGAR_PUBLIC_URL", "HF_TOKEN"]) delete clean[name];
    return clean;
  };

  it("hangar import links to the running server's API (any port), or says no server runs", async () => {
    const served = await spawnServe(["--home", home.path, "--port", "0"], env());
    try {
      assert.doesNotMatch(served.url, /:7860$/);
      const imported = await runCli(["import", folder.path, "alice/my-model", "--home", home.path]);
      assert.equal(imported.code, 0, imported.stderr);
      const [, commitLine, link] = imported.stdout.trimEnd().split("\n");
      const commit = commitLine!.replace(/^commit /, "");
      assert.equal(link, `${served.url}/api/models/alice/my-model/revision/${commit}`);
      const info = await fetch(link!);
      assert.equal(info.status, 200);
      assert.equal(((await info.json()) as { sha: string }).sha, commit);
      const asJson = await runCli(["import", folder.path, "alice/my-model", "--home", home.path, "--json"]);
      assert.equal((JSON.parse(asJson.stdout) as { url: string }).url, link);

      // Client commands print links that open, too: repo create and upload.
      assert.equal((await runCli(["user", "add", "carol", "--home", home.path])).code, 0);
      const token = (
        await runCli(["token", "create", "--user", "carol", "--role", "write", "--home", home.path])
      ).stdout.trim();
      const connection = ["--endpoint", served.url, "--token", token];
      const created = await runCli(["repo", "create", "carol/second", ...connection]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout, `Created model carol/second (${served.url}/api/models/carol/second)\n`);
      assert.equal((await fetch(`${served.url}/api/models/carol/second`)).status, 200);
      const uploaded = await runCli(["upload", "carol/second", folder.path, ...connection]);
      assert.equal(uploaded.code, 0, uploaded.stderr);
      const uploadLink = uploaded.stdout.trimEnd().split("\n").at(-1)!;
      assert.match(uploadLink, new RegExp(`^${served.url}/api/models/carol/second/revision/[0-9a-f]{40}$`));
      assert.equal((await fetch(uploadLink)).status, 200);
    } finally {
      await stopServe(served.child);
    }
    // The server is gone: no link to a port nothing listens on.
    const offline = await runCli(["import", folder.path, "alice/my-model", "--home", home.path]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /\nNo server runs on this home: `hangar serve` serves it over HTTP\n$/);
  });
});
