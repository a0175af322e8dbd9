import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PIPELINE_DATA } from "@huggingface/tasks";
import { COMPANION_TASKS } from "../../src/discovery/recommend/lexicon.ts";
import { parseDescription } from "../../src/discovery/recommend/parse-description.ts";
import { recommendCases as cases, EMPTY_CONSTRAINTS as EMPTY } from "../helpers/recommend-cases.ts";

describe("recommend: reading descriptions", () => {
  it(`holds at least 40 varied described cases (${cases.length})`, () => {
    assert.ok(cases.length >= 40, "cases.length >= 40");
    assert.equal(new Set(cases.map((entry) => entry.description)).size, cases.length);
    const firstTasks = new Set(cases.map((entry) => entry.tasks[0]));
    assert.ok(firstTasks.size >= 20, `only ${firstTasks.size} different tasks`);
    for (const entry of cases) {
      for (const task of entry.tasks) assert.ok(Object.hasOwn(PIPELINE_DATA, task), `${task} is a task id`);
    }
  });

  for (const entry of cases) {
    it(`reads: ${entry.description}`, () => {
      const parsed = parseDescription(entry.description);
      assert.deepEqual(
        parsed.tasks.slice(0, entry.tasks.length),
        entry.tasks,
        `tasks: ${parsed.tasks.join(", ")}`,
      );
      assert.deepEqual(parsed.constraints, { ...EMPTY, ...entry.constraints });
      // Every task and every set constraint is explained by a phrase of the description.
      entry.tasks.forEach((task, index) => {
        const explained =
          parsed.triggers.some((trigger) => trigger.means === `task: ${task}`) ||
          // Companion tasks come with their partner (semantic search ↔ feature extraction).
          entry.tasks.slice(0, index).some((earlier) => COMPANION_TASKS[earlier] === task);
        assert.ok(explained, `no trigger for ${task}`);
      });
      // Confidences are probabilities, best first, and the first task is the most likely one.
      const confidences = parsed.taskConfidences.map((score) => score.confidence);
      assert.deepEqual(
        confidences,
        [...confidences].sort((a, b) => b - a),
      );
      assert.ok(confidences.every((value) => value >= 0 && value <= 1));
      assert.equal(parsed.taskConfidences[0]!.task, parsed.tasks[0]);
      for (const trigger of parsed.triggers) {
        assert.ok(
          entry.description.toLowerCase().includes(trigger.phrase.toLowerCase()),
          `"${trigger.phrase}" is in the description`,
        );
      }
    });
  }

  it("is deterministic", () => {
    for (const entry of cases.slice(0, 10)) {
      assert.deepEqual(parseDescription(entry.description), parseDescription(entry.description));
    }
  });
});
