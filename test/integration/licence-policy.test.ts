import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HangarError } from "../../src/core/errors.ts";
import { addOrgMember, createOrg } from "../../src/hub/accounts/manage-accounts.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { importFiles, makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierFiles } from "../helpers/tiny-models.ts";

/** A card with a licence and (optionally) base models, as README.md text. */
function card(license: string, baseModels: string[] = []): string {
  const bases =
    baseModels.length > 0 ? `base_model:\n${baseModels.map((base) => `- ${base}`).join("\n")}\n` : "";
  return `---\nlicense: ${license}\n${bases}pipeline_tag: text-classification\nlibrary_name: transformers.js\n---\n# Model\n`;
}

/** The tiny classifier (runs locally) under another card. */
function classifier(license: string, baseModels: string[] = []): Record<string, string | Uint8Array> {
  return { ...tinyClassifierFiles(), "README.md": card(license, baseModels) };
}

/** The fields the tests read of the API's answers (policies, licences, errors, the OpenAPI document). */
interface ApiBody {
  code?: string;
  error: string;
  licence?: Record<string, unknown>;
  org?: string;
  model?: string;
  updatedBy?: string | null;
  policy: { enforce: string[]; categories: Record<string, string>; licenses: Record<string, string> };
  effective: { license: string | null; source: string; path: string[] };
  decisions: Record<
    "pull" | "inference" | "promotion",
    { action: string; ruleAction: string; enforced: boolean }
  >;
  licenses: Array<{ id: string }>;
  paths: Record<string, Record<string, unknown> | undefined>;
}

async function failure(promise: Promise<unknown>): Promise<HangarError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    return error;
  }
  assert.fail("the action succeeded");
}

describe("licence policy", () => {
  let hub: TestHangar;
  const tokens: Record<string, string> = {};

  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as ApiBody,
    };
  };
  const setPolicy = async (policy: unknown, org?: string) => {
    const result = await api("PUT", `/v1/policy${org ? `?org=${org}` : ""}`, hub.adminToken, policy);
    assert.equal(result.status, 200, JSON.stringify(result.body));
  };
  const infer = (model: string) =>
    api("POST", "/v1/inference/text-classification", undefined, { model, inputs: "a good film" });

  before(async () => {
    hub = await startTestHangar();
    tokens.alice = await hub.addUser("alice");
    tokens.bob = await hub.addUser("bob");
    await createOrg(hub.hangar, { name: "acme", members: ["bob"] });
    await addOrgMember(hub.hangar, { org: "acme", user: "alice", role: "admin" });
    // A two-level chain: team/tuned (mit) → team/mid (apache-2.0) → team/root (cc-by-nc-4.0).
    await importFiles(hub.hangar, "team/root", classifier("cc-by-nc-4.0"));
    await importFiles(hub.hangar, "team/mid", classifier("apache-2.0", ["team/root"]));
    await importFiles(hub.hangar, "team/tuned", classifier("mit", ["team/mid"]));
    await importFiles(hub.hangar, "team/free", classifier("apache-2.0"));
    await importFiles(hub.hangar, "team/gpl", classifier("gpl-3.0"));
    await importFiles(hub.hangar, "acme/gpl", classifier("gpl-3.0"));
    await importFiles(hub.hangar, "acme/nc", classifier("cc-by-nc-4.0"));
  });
  after(() => hub.close());

  it("the policy API: admins set the instance's, signed-in callers read it, bad rules name the field", async () => {
    const empty = await api("GET", "/v1/policy", tokens.alice);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {
      scope: "instance",
      policy: { enforce: [], categories: {}, licenses: {} },
      updatedAt: null,
      updatedBy: null,
    });
    assert.equal((await api("GET", "/v1/policy")).status, 401);
    const refused = await api("PUT", "/v1/policy", tokens.alice, { enforce: ["inference"] });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, "HANGAR_ERR_FORBIDDEN");
    const bad = await api("PUT", "/v1/policy", hub.adminToken, { categories: { "non-commercial": "block" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "HANGAR_ERR_BAD_REQUEST");
    assert.match(bad.body.error, /"categories\.non-commercial" must be one of allow, review, deny/);
    const set = await api("PUT", "/v1/policy", hub.adminToken, {
      enforce: ["inference", "pull"],
      categories: { "non-commercial": "deny" },
      licenses: { "GPL-3.0": "review" },
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.policy, {
      enforce: ["inference", "pull"],
      categories: { "non-commercial": "deny" },
      licenses: { "gpl-3.0": "review" },
    });
    assert.equal(set.body.updatedBy, "admin");
    assert.deepEqual((await api("GET", "/v1/policy", tokens.bob)).body.policy, set.body.policy);
    // The change is in the audit log, with who made it and the rules.
    const audited = await api("GET", "/v1/audit?action=policy.set", hub.adminToken);
    assert.equal(audited.status, 200);
    const { entries } = audited.body as unknown as { entries: Array<Record<string, unknown>> };
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.target, "policy:instance");
    assert.deepEqual((entries[0]!.details as { policy: unknown }).policy, set.body.policy);
    const openapi = await api("GET", "/openapi.json");
    assert.ok(openapi.body.paths["/v1/policy"]?.put, "PUT /v1/policy is documented");
    assert.ok(openapi.body.paths["/v1/licenses/{namespace}/{name}"]?.get);
  });

  it("inference: a licence inherited through a two-level base_model chain is denied with 403 naming it", async () => {
    const denied = await infer("team/tuned");
    assert.equal(denied.status, 403);
    assert.equal(denied.body.code, "HANGAR_ERR_LICENCE_DENIED");
    assert.equal(denied.headers.get("x-error-code"), "LicenceDenied");
    assert.equal(
      denied.body.error,
      "The licence policy denies inference with team/tuned: it inherits cc-by-nc-4.0 (non-commercial) from base model team/root (team/tuned → team/mid → team/root); rule: instance policy, category non-commercial = deny",
    );
    assert.deepEqual(denied.body.licence, {
      point: "inference",
      license: "cc-by-nc-4.0",
      category: "non-commercial",
      source: "team/root",
      path: ["team/tuned", "team/mid", "team/root"],
      rule: { scope: "instance", kind: "category", key: "non-commercial", action: "deny" },
    });
    const allowed = await infer("team/free");
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.headers.get("x-hangar-warning"), null);
  });

  it("inference: review lets the call through with an X-Hangar-Warning", async () => {
    const reviewed = await infer("team/gpl");
    assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body));
    assert.equal(
      reviewed.headers.get("x-hangar-warning"),
      "The licence policy asks for a review before inference with team/gpl: its own licence is gpl-3.0 (copyleft); rule: instance policy, licence gpl-3.0 = review",
    );
    assert.ok(Array.isArray(reviewed.body) || typeof reviewed.body === "object");
  });

  it("hangar run: review prints a warning, deny fails with the licence, its source and the rule", async () => {
    const reviewed = await runCli([
      "run",
      "text-classification",
      "team/gpl",
      "a good film",
      "--home",
      hub.home,
    ]);
    assert.equal(reviewed.code, 0, reviewed.stderr);
    assert.match(reviewed.stdout, /POSITIVE/);
    assert.equal(
      reviewed.stderr,
      "Warning: The licence policy asks for a review before inference with team/gpl: its own licence is gpl-3.0 (copyleft); rule: instance policy, licence gpl-3.0 = review\n",
    );
    const denied = await runCli([
      "run",
      "text-classification",
      "team/tuned",
      "a good film",
      "--home",
      hub.home,
    ]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "");
    assert.equal(
      denied.stderr,
      "hangar run: The licence policy denies inference with team/tuned: it inherits cc-by-nc-4.0 (non-commercial) from base model team/root (team/tuned → team/mid → team/root); rule: instance policy, category non-commercial = deny\n",
    );
  });

  it("the effective licence and its source are shown per model, with each enforcement point's decision", async () => {
    const shown = await api("GET", "/v1/licenses/team/tuned");
    assert.equal(shown.status, 200);
    assert.equal(shown.body.model, "team/tuned");
    assert.equal(shown.body.effective.license, "cc-by-nc-4.0");
    assert.equal(shown.body.effective.source, "team/root");
    assert.deepEqual(shown.body.effective.path, ["team/tuned", "team/mid", "team/root"]);
    assert.equal(shown.body.decisions.inference.action, "deny");
    assert.equal(shown.body.decisions.promotion.action, "allow");
    assert.equal(shown.body.decisions.promotion.ruleAction, "deny");
    assert.equal(shown.body.decisions.promotion.enforced, false);
    const vocabulary = await api("GET", "/v1/licenses");
    assert.deepEqual(
      vocabulary.body.licenses.find((entry: { id: string }) => entry.id === "llama3.1"),
      { id: "llama3.1", category: "model-community", commercialUse: "conditional", osi: false },
    );
  });

  it("an organisation's policy refines the instance's: stricter for its repos, never looser", async () => {
    // bob is a member with write access, not an admin of acme.
    const notAdmin = await api("PUT", "/v1/policy?org=acme", tokens.bob, {
      categories: { copyleft: "deny" },
    });
    assert.equal(notAdmin.status, 403);
    const set = await api("PUT", "/v1/policy?org=acme", tokens.alice, {
      categories: { copyleft: "deny" },
      licenses: { "cc-by-nc-4.0": "allow" },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.org, "acme");
    assert.equal(
      (await api("GET", "/v1/policy?org=acme", tokens.bob)).body.policy.categories.copyleft,
      "deny",
    );
    assert.equal((await api("GET", "/v1/policy?org=nobody", hub.adminToken)).status, 404);

    const orgDenied = await infer("acme/gpl");
    assert.equal(orgDenied.status, 403);
    assert.match(
      orgDenied.body.error,
      /its own licence is gpl-3\.0 \(copyleft\); rule: organisation acme's policy, category copyleft = deny$/,
    );
    // The same licence outside the organisation is only under the instance's review.
    assert.equal((await infer("team/gpl")).status, 200);
    // The organisation's allow does not lift the instance's deny.
    const stillDenied = await infer("acme/nc");
    assert.equal(stillDenied.status, 403);
    assert.match(stillDenied.body.error, /rule: instance policy, category non-commercial = deny$/);
    await setPolicy({}, "acme");
  });

  it("policy set and show from the CLI, on the instance's home", async () => {
    const home = await makeTempDir();
    try {
      const set = await runCli([
        "policy",
        "set",
        "--home",
        home.path,
        "--enforce",
        "pull",
        "--category",
        "non-commercial=deny",
        "--license",
        "llama3=review",
        "--json",
      ]);
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout).policy, {
        enforce: ["pull"],
        categories: { "non-commercial": "deny" },
        licenses: { llama3: "review" },
      });
      const changed = await runCli(["policy", "set", "--home", home.path, "--license", "llama3=default"]);
      assert.equal(changed.code, 0, changed.stderr);
      const shown = await runCli(["policy", "show", "--home", home.path]);
      assert.equal(shown.code, 0);
      assert.match(
        shown.stdout,
        /^Licence policy of the instance \(set by hangar at .+\)\nEnforced at: pull\nCategories: non-commercial = deny\nLicences: none\nAny other licence: allow\n$/,
      );
      const bad = await runCli(["policy", "set", "--home", home.path, "--category", "viral=deny"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"categories\.viral": "viral" is not a licence category/);
      const help = await runCli(["policy", "set", "--help"]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--category CATEGORY=ACTION/);
    } finally {
      await home.remove();
    }
  });
});

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
