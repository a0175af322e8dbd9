import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HangarError } from "../../src/core/errors.ts";
import { addWarning, collectWarnings, warningHeaderValue } from "../../src/core/response-warnings.ts";
import {
  type LicenceLookup,
  type LicenceNode,
  resolveEffectiveLicence,
  visibleLicence,
} from "../../src/governance/licences/effective-licence.ts";
import { parsePolicy, ruleFor } from "../../src/governance/licences/policy.ts";
import { LICENSE_CATEGORIES, LICENSE_TABLE } from "../../src/hub/metadata/license-table.ts";
import {
  commercialUseOf,
  KNOWN_LICENSES,
  licenseEntryOf,
  normalizeLicense,
  OPEN_SOURCE_LICENSES,
  PERMISSIVE_LICENSES,
} from "../../src/hub/metadata/licenses.ts";

/** A lookup over an in-memory hub: repo id → licence and base models. */
function lookupOf(models: LicenceNode[]): LicenceLookup & { asked: string[] } {
  const byId = new Map(models.map((model) => [model.repo.toLowerCase(), model]));
  const asked: string[] = [];
  const lookup = async (repo: string) => {
    asked.push(repo);
    return byId.get(repo.toLowerCase());
  };
  return Object.assign(lookup, { asked });
}

describe("licence vocabulary", () => {
  test("every licence id maps to a category and a commercial use", () => {
    for (const id of KNOWN_LICENSES) {
      const entry = LICENSE_TABLE[id]!;
      assert.ok(LICENSE_CATEGORIES.includes(entry.category), `${id} has category ${entry.category}`);
      assert.ok([null, "yes", "no", "conditional"].includes(entry.commercialUse), `${id} commercial use`);
      // Non-commercial licences never allow commercial use, and only they and unjudged ones say "no".
      if (entry.category === "non-commercial") assert.equal(entry.commercialUse, "no", id);
      if (entry.commercialUse === "no") assert.equal(entry.category, "non-commercial", id);
    }
    const categoryOf = (id: string) => licenseEntryOf(id).category;
    assert.deepEqual(
      ["mit", "lgpl-3.0", "openrail++", "agpl-3.0", "llama3.1", "cc-by-nd-4.0", "other", "cc-by-nc-4.0"].map(
        categoryOf,
      ),
      [...LICENSE_CATEGORIES],
    );
    assert.equal(categoryOf("gemma"), "model-community");
    assert.equal(categoryOf("bigscience-bloom-rail-1.0"), "responsible-ai");
    assert.equal(categoryOf("cc-by-sa-4.0"), "weak-copyleft");
    assert.equal(categoryOf("gpl-3.0"), "copyleft");
    assert.equal(categoryOf("cc-by-nc-9.0"), "non-commercial");
    assert.equal(categoryOf("no-such-licence"), "unknown");
    assert.equal(licenseEntryOf(null).category, "unknown");
  });

  test("commercial use follows the table (the earlier answers are kept)", () => {
    assert.equal(commercialUseOf("apache-2.0"), "yes");
    assert.equal(commercialUseOf("llama3"), "conditional");
    assert.equal(commercialUseOf("fair-noncommercial-research-license"), "no");
    assert.equal(commercialUseOf("unknown"), null);
    assert.ok(OPEN_SOURCE_LICENSES.has("gpl-3.0") && !OPEN_SOURCE_LICENSES.has("cc-by-4.0"));
    assert.ok(PERMISSIVE_LICENSES.has("cc-by-4.0") && !PERMISSIVE_LICENSES.has("gpl-3.0"));
  });

  test("card spellings normalise to Hub ids", () => {
    assert.equal(normalizeLicense("Apache-2.0"), "apache-2.0");
    assert.equal(normalizeLicense("apache 2.0"), "apache-2.0");
    assert.equal(normalizeLicense(" Apache_2.0 "), "apache-2.0");
    assert.equal(normalizeLicense("Apache License 2.0"), "apache-2.0");
    assert.equal(normalizeLicense("MIT License"), "mit");
    assert.equal(normalizeLicense("Llama-3.1"), "llama3.1");
    assert.equal(normalizeLicense("my-own-licence"), "my-own-licence");
    assert.equal(normalizeLicense(""), null);
    assert.equal(normalizeLicense(null), null);
  });
});

describe("effective licence along the base_model chain", () => {
  test("a two-level chain: the strictest ancestor's licence, and the path to it", async () => {
    const lookup = lookupOf([
      { repo: "acme/mid", license: "apache-2.0", baseModels: ["acme/root"] },
      { repo: "acme/root", license: "cc-by-nc-4.0", baseModels: [] },
    ]);
    const effective = await resolveEffectiveLicence(
      { repo: "acme/tuned", license: "MIT", baseModels: ["acme/mid"] },
      lookup,
    );
    assert.equal(effective.license, "cc-by-nc-4.0");
    assert.equal(effective.category, "non-commercial");
    assert.equal(effective.commercialUse, "no");
    assert.equal(effective.source, "acme/root");
    assert.deepEqual(effective.path, ["acme/tuned", "acme/mid", "acme/root"]);
    assert.deepEqual(
      effective.chain.map(({ repo, license, depth }) => [repo, license, depth]),
      [
        ["acme/tuned", "mit", 0],
        ["acme/mid", "apache-2.0", 1],
        ["acme/root", "cc-by-nc-4.0", 2],
      ],
    );
    assert.deepEqual(effective.missing, []);
    assert.deepEqual(effective.cycles, []);
  });

  test("the model's own licence when it is the strictest; the nearest of equally strict ones", async () => {
    const own = await resolveEffectiveLicence(
      { repo: "a/model", license: "gpl-3.0", baseModels: ["a/base"] },
      lookupOf([{ repo: "a/base", license: "mit", baseModels: [] }]),
    );
    assert.equal(own.source, "a/model");
    assert.deepEqual(own.path, ["a/model"]);
    const tie = await resolveEffectiveLicence(
      { repo: "a/model", license: "cc-by-nc-4.0", baseModels: ["a/base"] },
      lookupOf([{ repo: "a/base", license: "cc-by-nc-sa-4.0", baseModels: [] }]),
    );
    assert.equal(tie.source, "a/model");
    assert.equal(tie.license, "cc-by-nc-4.0");
  });

  test("a cycle ends the walk and is reported once; a merge's bases are all followed", async () => {
    const lookup = lookupOf([
      { repo: "c/one", license: "mit", baseModels: ["c/two"] },
      { repo: "c/two", license: "llama3", baseModels: ["c/one", "c/start"] },
    ]);
    const effective = await resolveEffectiveLicence(
      { repo: "c/start", license: "apache-2.0", baseModels: ["c/one", "c/one"] },
      lookup,
    );
    assert.deepEqual(
      effective.chain.map((entry) => entry.repo),
      ["c/start", "c/one", "c/two"],
    );
    assert.equal(effective.source, "c/two");
    assert.equal(effective.category, "model-community");
    assert.deepEqual(effective.cycles, ["c/two → c/one", "c/two → c/start"]);
    // Each repo is looked up once, however often it is named.
    assert.deepEqual(lookup.asked, ["c/one", "c/two"]);

    const merge = await resolveEffectiveLicence(
      { repo: "m/merged", license: "apache-2.0", baseModels: ["m/left", "m/right"] },
      lookupOf([
        { repo: "m/left", license: "mit", baseModels: ["m/root"] },
        { repo: "m/right", license: "openrail", baseModels: ["m/root"] },
        { repo: "m/root", license: "bsd", baseModels: [] },
      ]),
    );
    // A diamond (both bases share a root) is no cycle.
    assert.deepEqual(merge.cycles, []);
    assert.equal(merge.source, "m/right");
    assert.deepEqual(merge.path, ["m/merged", "m/right"]);
  });

  test("a missing ancestor is listed and counts for nothing; a model without licence is unknown", async () => {
    const effective = await resolveEffectiveLicence(
      { repo: "x/model", license: "mit", baseModels: ["x/gone", "not a repo id", "x/base"] },
      lookupOf([{ repo: "x/base", license: "apache-2.0", baseModels: ["x/also-gone"] }]),
    );
    assert.equal(effective.license, "mit");
    assert.equal(effective.source, "x/model");
    assert.deepEqual(effective.missing, ["x/gone", "not a repo id", "x/also-gone"]);
    const none = await resolveEffectiveLicence(
      { repo: "x/bare", license: null, baseModels: [] },
      lookupOf([]),
    );
    assert.equal(none.license, null);
    assert.equal(none.category, "unknown");
    assert.equal(none.commercialUse, null);
  });

  test("ancestors the caller may not read count but are not named", async () => {
    const effective = await resolveEffectiveLicence(
      { repo: "p/public", license: "mit", baseModels: ["p/secret"] },
      lookupOf([{ repo: "p/secret", license: "cc-by-nc-4.0", baseModels: [], readable: false }]),
    );
    const visible = visibleLicence(effective);
    assert.equal(visible.license, "cc-by-nc-4.0");
    assert.equal(visible.source, "a private model");
    assert.deepEqual(visible.path, ["p/public", "a private model"]);
    assert.ok(!JSON.stringify(visible).includes("p/secret"));
  });
});

describe("licence policies", () => {
  test("a rule for the licence id beats the rule for its category; no rule is none", () => {
    const policy = parsePolicy({
      enforce: ["pull", "inference", "pull"],
      categories: { "non-commercial": "deny", copyleft: "review" },
      licenses: { "CC-BY-NC-4.0": "review" },
    });
    assert.deepEqual(policy.enforce, ["pull", "inference"]);
    assert.deepEqual(policy.licenses, { "cc-by-nc-4.0": "review" });
    assert.deepEqual(ruleFor(policy, "cc-by-nc-4.0", "non-commercial"), {
      kind: "license",
      key: "cc-by-nc-4.0",
      action: "review",
    });
    assert.deepEqual(ruleFor(policy, "cc-by-nc-sa-4.0", "non-commercial"), {
      kind: "category",
      key: "non-commercial",
      action: "deny",
    });
    assert.equal(ruleFor(policy, "mit", "permissive"), undefined);
  });

  test("bad policies are refused with a message naming the field", () => {
    const refusal = (value: unknown) => {
      try {
        parsePolicy(value);
      } catch (error) {
        assert.ok(HangarError.isInstance(error));
        assert.equal(error.code, "HANGAR_ERR_BAD_REQUEST");
        return error.message;
      }
      assert.fail("accepted");
    };
    assert.match(refusal({ enforce: ["download"] }), /"enforce" holds "download"/);
    assert.match(
      refusal({ categories: { viral: "deny" } }),
      /"categories\.viral": "viral" is not a licence category/,
    );
    assert.match(
      refusal({ licenses: { "made-up": "deny" } }),
      /"licenses\.made-up": "made-up" is not a licence id/,
    );
    assert.match(
      refusal({ licenses: { mit: "block" } }),
      /"licenses\.mit" must be one of allow, review, deny/,
    );
    assert.match(refusal({ rules: {} }), /Unknown policy field "rules"/);
    assert.match(refusal([]), /must be a JSON object/);
  });
});

describe("warnings of succeeding operations", () => {
  test("reach the collector of the work they run in, across awaits, and become one ASCII header value", async () => {
    const seen: string[] = [];
    await collectWarnings(
      (warning) => seen.push(warning),
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        addWarning("a → b");
      },
    );
    addWarning("outside: nobody listens");
    assert.deepEqual(seen, ["a → b"]);
    assert.equal(warningHeaderValue("x/a → x/b\nnext line é"), "x/a -> x/b next line");
  });
});
