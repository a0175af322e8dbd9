import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { runCli } from "../helpers/cli-in-process.ts";
import { policyApi, startLicenceHub } from "../helpers/licence-policy.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("licence policy: inference and the effective licence", () => {
  let hub: TestHangar;
  const { api, setPolicy, infer } = policyApi(() => hub);

  before(async () => {
    ({ hub } = await startLicenceHub());
    // The instance's policy as the policy API test sets it: non-commercial denied, GPL-3.0 under review.
    await setPolicy({
      enforce: ["inference", "pull"],
      categories: { "non-commercial": "deny" },
      licenses: { "GPL-3.0": "review" },
    });
  });
  after(() => hub.close());

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
});
