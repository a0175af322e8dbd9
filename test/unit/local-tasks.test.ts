import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOCAL_TASKS } from "../../src/core/local-tasks.ts";
import { InferenceRegistry } from "../../src/inference/registry.ts";

describe("locally served tasks", () => {
  it("are exactly the tasks the inference registry serves, so 'runs locally' never promises a task it lacks", () => {
    assert.deepEqual(new InferenceRegistry().taskNames().sort(), [...LOCAL_TASKS].sort());
  });
});
