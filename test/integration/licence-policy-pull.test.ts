import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { card, failure } from "../helpers/licence-policy.ts";
import { importFiles, makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("licence policy on pulls from an upstream Hangar", () => {
  let upstream: TestHangar;
  let downstream: TestHangar;
  let pullThrough: TestHangar;
  const small = (license: string, bases: string[] = []) => ({
    "README.md": card(license, bases),
    "weights.txt": "w\n",
  });

  before(async () => {
    upstream = await startTestHangar();
    await importFiles(upstream.hangar, "up/nc", small("cc-by-nc-4.0"));
    await importFiles(upstream.hangar, "up/child", small("mit", ["local/root"]));
    await importFiles(upstream.hangar, "up/llama", small("llama3"));
    downstream = await startTestHangar({ upstream: { endpoint: upstream.url } });
    pullThrough = await startTestHangar({ upstream: { endpoint: upstream.url }, pullThrough: true });
    // The child's base model lives only downstream, with a non-commercial licence.
    await importFiles(downstream.hangar, "local/root", small("cc-by-nc-sa-4.0"));
    for (const instance of [downstream, pullThrough]) {
      const response = await fetch(`${instance.url}/v1/policy`, {
        method: "PUT",
        headers: { authorization: `Bearer ${instance.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({
          enforce: ["pull"],
          categories: { "non-commercial": "deny", "model-community": "review" },
        }),
      });
      assert.equal(response.status, 200);
    }
  });
  after(async () => {
    await pullThrough.close();
    await downstream.close();
    await upstream.close();
  });

  it("a denied licence stops the pull before anything is stored", async () => {
    const error = await failure(pullRepo(downstream.hangar, { repo: "up/nc" }));
    assert.equal(error.code, "HANGAR_ERR_LICENCE_DENIED");
    assert.equal(error.status, 403);
    assert.equal(
      error.message,
      "The licence policy denies pulling up/nc: its own licence is cc-by-nc-4.0 (non-commercial); rule: instance policy, category non-commercial = deny",
    );
    assert.equal(
      await downstream.hangar.catalog.repos.get({ type: "model", namespace: "up", name: "nc" }),
      undefined,
    );
  });

  it("a licence inherited from a base model in this hub denies the pull, naming the ancestor", async () => {
    const error = await failure(pullRepo(downstream.hangar, { repo: "up/child" }));
    assert.equal(error.code, "HANGAR_ERR_LICENCE_DENIED");
    assert.match(
      error.message,
      /it inherits cc-by-nc-sa-4\.0 \(non-commercial\) from base model local\/root \(up\/child → local\/root\)/,
    );
  });

  it("review lets the pull through with a warning, in the result and from the CLI", async () => {
    const result = await pullRepo(downstream.hangar, { repo: "up/llama" });
    assert.equal(result.commitCreated, true);
    assert.equal(
      result.licenceWarning,
      "The licence policy asks for a review before pulling up/llama: its own licence is llama3 (model-community); rule: instance policy, category model-community = review",
    );
    const home = await makeTempDir();
    try {
      const env = { HF_ENDPOINT: upstream.url };
      const policy = await runCli(
        ["policy", "set", "--home", home.path, "--enforce", "pull", "--license", "llama3=review"],
        env,
      );
      assert.equal(policy.code, 0, policy.stderr);
      const pulled = await runCli(["pull", "up/llama", "--home", home.path], env);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(
        pulled.stderr,
        /Warning: The licence policy asks for a review before pulling up\/llama: .*licence llama3 = review/,
      );
      await runCli(["policy", "set", "--home", home.path, "--license", "llama3=deny"], env);
      const refused = await runCli(["pull", "up/llama", "--home", home.path, "--json"], env);
      assert.equal(refused.code, 1);
      const body = JSON.parse(refused.stderr) as Record<string, unknown>;
      assert.equal(body.code, "HANGAR_ERR_LICENCE_DENIED");
      assert.match(
        String(body.error),
        /^The licence policy denies pulling up\/llama: .*rule: instance policy, licence llama3 = deny$/,
      );
      assert.equal((body.licence as { source: string }).source, "up/llama");
    } finally {
      await home.remove();
    }
  });

  it("pull-through answers 403 with the licence for a repo the policy denies", async () => {
    const response = await fetch(`${pullThrough.url}/api/models/up/nc`);
    assert.equal(response.status, 403);
    assert.equal(response.headers.get("x-error-code"), "LicenceDenied");
    assert.match(
      response.headers.get("x-error-message") ?? "",
      /denies pulling up\/nc: its own licence is cc-by-nc-4\.0/,
    );
    const reviewed = await fetch(`${pullThrough.url}/api/models/up/llama`);
    assert.equal(reviewed.status, 200);
    assert.match(
      reviewed.headers.get("x-hangar-warning") ?? "",
      /asks for a review before pulling up\/llama/,
    );
  });
});
