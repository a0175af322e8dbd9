import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli-in-process.ts";
import { policyApi, startLicenceHub } from "../helpers/licence-policy.ts";
import { makeTempDir, type TestHangar } from "../helpers/test-hangar.ts";

describe("licence policy: the policy API, organisations' policies and the CLI", () => {
  let hub: TestHangar;
  let tokens: Record<string, string>;
  const { api, setPolicy, infer } = policyApi(() => hub);

  before(async () => {
    ({ hub, tokens } = await startLicenceHub());
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
