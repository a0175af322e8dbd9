import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { devicesThatFit } from "../../src/hub/metadata/derive-model-facts.ts";
import { commercialUseOf } from "../../src/hub/metadata/licenses.ts";

describe("model facts: licence and device tables", () => {
  test("licences map to commercial use", () => {
    assert.equal(commercialUseOf("apache-2.0"), "yes");
    assert.equal(commercialUseOf("MIT"), "yes");
    assert.equal(commercialUseOf("openrail++"), "yes");
    assert.equal(commercialUseOf("cc-by-nc-sa-4.0"), "no");
    assert.equal(commercialUseOf("cc-by-nc-9.0"), "no");
    assert.equal(commercialUseOf("llama3.1"), "conditional");
    assert.equal(commercialUseOf("gemma"), "conditional");
    assert.equal(commercialUseOf("other"), null);
    assert.equal(commercialUseOf(null), null);
  });

  test("hardware fit follows the device memory table", () => {
    const gib = 1024 ** 3;
    assert.ok(devicesThatFit(20 * gib).includes("NVIDIA RTX 4090"));
    assert.ok(!devicesThatFit(20 * gib).includes("NVIDIA RTX 4080"));
    assert.ok(devicesThatFit(70 * gib).includes("NVIDIA H100"));
    assert.ok(!devicesThatFit(70 * gib).includes("NVIDIA RTX 4090"));
    assert.deepEqual(devicesThatFit(100_000 * gib), []);
  });
});
