import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { importFiles, type TestHangar } from "../helpers/test-hangar.ts";
import { screenshot } from "../helpers/web-ui.ts";
import { webUiSuite } from "../helpers/web-ui-suite.ts";

const card = (yaml: string, body: string) => `---\n${yaml}\n---\n${body}\n`;

/**
 * A finetune of hangar/sentiment-tiny (inferred: its card names no relation) and an adapter of the finetune
 * (its card says so): a model tree three deep; one real
 * download, a registered version with an alias, and a router route with a local deployment of the model.
 */
async function prepare(hub: TestHangar): Promise<void> {
  await importFiles(hub.hangar, "acme/sentiment-finetune", {
    "README.md": card(
      "license: apache-2.0\npipeline_tag: text-classification\nbase_model: hangar/sentiment-tiny",
      "# Sentiment finetune",
    ),
  });
  await importFiles(hub.hangar, "acme/sentiment-adapter", {
    "README.md": card(
      "license: apache-2.0\npipeline_tag: text-classification\nbase_model: acme/sentiment-finetune\nbase_model_relation: adapter",
      "# Sentiment adapter",
    ),
  });
  const download = await fetch(`${hub.url}/hangar/sentiment-tiny/resolve/main/config.json`);
  assert.equal(download.status, 200);
  const admin = { authorization: `Bearer ${hub.adminToken}`, "content-type": "application/json" };
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${hub.url}${path}`, { method, headers: admin, body: JSON.stringify(body) });
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  await call("PUT", "/v1/registry/models/acme/support-sentiment", { description: "support tickets" });
  await call("POST", "/v1/registry/models/acme/support-sentiment/versions", {
    repo: "hangar/sentiment-tiny",
  });
  await call("POST", "/v1/registry/models/acme/support-sentiment/aliases/production", { version: 1 });
  await call("PUT", "/v1/routes", {
    health_interval_ms: 0,
    routes: [
      {
        name: "sentiment",
        policy: "priority",
        deployments: [{ backend: "local", model: "hangar/sentiment-tiny" }],
      },
    ],
  });
}

/** The model page's rail (downloads sparkline, model tree, registry) and Integration's routes and usage. */
describe("web UI: downloads, model tree, registry and inference status", () => {
  const ui = webUiSuite({ prepare });

  it("answers downloads per day for the last N days, zeros included, and checks days", async () => {
    const answer = await fetch(`${ui.hub.url}/api/models/hangar/sentiment-tiny/daily-stats?days=7`);
    assert.equal(answer.status, 200);
    const { days } = (await answer.json()) as {
      days: Array<{ day: string; downloads: number; likes: number }>;
    };
    assert.equal(days.length, 7);
    assert.equal(days.at(-1)?.day, new Date().toISOString().slice(0, 10));
    assert.deepEqual(
      days.map((day) => day.downloads),
      [0, 0, 0, 0, 0, 0, 1],
    );
    assert.equal(
      (
        (await fetch(`${ui.hub.url}/api/models/hangar/sentiment-tiny/daily-stats`).then((r) => r.json())) as {
          days: unknown[];
        }
      ).days.length,
      30,
    );
    for (const days of ["0", "366", "ten", "1.5"]) {
      const refused = await fetch(`${ui.hub.url}/api/models/hangar/sentiment-tiny/daily-stats?days=${days}`);
      assert.equal(refused.status, 400, days);
      assert.match(
        ((await refused.json()) as { error: string }).error,
        /"days" must be a whole number from 1 to 365/,
      );
    }
    const privateRepo = await fetch(`${ui.hub.url}/api/models/acme/secret-sentiment/daily-stats`);
    assert.equal(privateRepo.status, 401, "a private repo's figures are not shown to anonymous callers");
  });

  it("lists the registered versions pinning a repo, with the aliases on each", async () => {
    const answer = await fetch(`${ui.hub.url}/v1/registry/repos/hangar/sentiment-tiny/versions`);
    assert.equal(answer.status, 200);
    const { versions } = (await answer.json()) as {
      versions: Array<{ model: string; version: number; aliases: string[]; commitOid: string }>;
    };
    assert.deepEqual(
      versions.map(({ model, version, aliases }) => ({ model, version, aliases })),
      [{ model: "acme/support-sentiment", version: 1, aliases: ["production"] }],
    );
    assert.match(versions[0]!.commitOid, /^[0-9a-f]{40}$/);
    const none = await fetch(`${ui.hub.url}/v1/registry/repos/acme/vision-small/versions`);
    assert.deepEqual(await none.json(), { versions: [] });
    // As on the Hub, an anonymous caller cannot tell a missing repo from a private one.
    for (const repo of ["nobody/nothing", "acme/secret-sentiment"]) {
      const hidden = await fetch(`${ui.hub.url}/v1/registry/repos/${repo}/versions`);
      assert.equal(hidden.status, 401, repo);
    }
    const missing = await fetch(`${ui.hub.url}/v1/registry/repos/nobody/nothing/versions`, {
      headers: { authorization: `Bearer ${ui.hub.adminToken}` },
    });
    assert.equal(missing.status, 404);
  });

  it("shows the downloads sparkline, the model tree both ways and the registry's versions in the rail", async () => {
    const page = await ui.open("/hangar/sentiment-tiny");
    const downloads = page.getByRole("region", { name: "Downloads last 30 days" });
    await downloads.getByRole("img", { name: /^Downloads per day, .*: (0, ){29}1$/ }).waitFor();
    assert.match((await downloads.locator(".rail-figure").textContent()) ?? "", /^1 \(1 in all\)$/);

    const tree = page.getByRole("region", { name: "Model tree" });
    await tree.getByText("No base model: hangar/sentiment-tiny is a root.").waitFor();
    const children = tree.getByRole("list", { name: "Models built on it" }).getByRole("listitem");
    await children.first().waitFor();
    assert.deepEqual(await children.allTextContents(), ["acme/sentiment-finetune · finetune"]);

    const registry = page.getByRole("region", { name: "Registry" });
    const version = registry.getByRole("listitem").first();
    await version.waitFor();
    assert.match(
      (await version.textContent()) ?? "",
      /^acme\/support-sentiment v1 @production → [0-9a-f]{7}/,
    );
    await screenshot(page, "details-rail");

    await tree.getByRole("link", { name: "acme/sentiment-finetune" }).click();
    await page.waitForURL(/\/acme\/sentiment-finetune$/);
    const grandchildren = page
      .getByRole("list", { name: "Models built on it" })
      .getByRole("listitem")
      .filter({ hasText: "acme/sentiment-adapter" });
    await grandchildren.waitFor();
    assert.equal(await grandchildren.textContent(), "acme/sentiment-adapter · adapter");
    await page.getByRole("region", { name: "Registry" }).getByText("Not registered.").waitFor();
    await ui.open("/acme/sentiment-adapter");
    const chain = ui.page.getByRole("list", { name: "Base models, nearest first" }).getByRole("link");
    await chain.nth(1).waitFor();
    assert.deepEqual(await chain.allTextContents(), ["acme/sentiment-finetune", "hangar/sentiment-tiny"]);
    const links = ui.page.getByRole("list", { name: "Base models, nearest first" }).getByRole("listitem");
    assert.deepEqual(await links.allTextContents(), [
      "adapter of acme/sentiment-finetune",
      "finetune of hangar/sentiment-tiny",
    ]);
    await screenshot(ui.page, "details-model-tree");
    assert.deepEqual(ui.errors, []);
  });

  it("shows the routes and deployments serving the model with their health, and usage when metered", async () => {
    const page = await ui.open("/hangar/sentiment-tiny?tab=integration");
    const status = page.getByRole("region", { name: "Status" });
    const row = status.getByRole("row", { name: /sentiment/ }).first();
    await row.waitFor();
    assert.match(
      (await row.textContent()) ?? "",
      /^sentiment healthy.*local: hangar\/sentiment-tiny.*healthy circuit closed/,
    );
    // Without GET /v1/usage this Hangar says so; with it, a token is asked for (or the figures shown).
    await status
      .getByText(/does not meter usage|Usage figures need a token|No metered requests yet|Requests/)
      .first()
      .waitFor();
    assert.equal(await status.getByRole("alert").count(), 0);
    await screenshot(page, "integration-status");

    const other = await ui.open("/acme/vision-small?tab=integration");
    await other
      .getByText(/No route of the router names acme\/vision-small \(1 other route configured\)/)
      .waitFor();
    assert.deepEqual(ui.errors, []);
  });
});
