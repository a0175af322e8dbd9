import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PIPELINE_DATA } from "@huggingface/tasks";
import {
  readDescriptions,
  splitDescriptions,
  toJsonLines,
} from "../../bench/split-recommend-descriptions.ts";
import { readParaphrases } from "../../src/discovery/recommend/task-corpus.ts";

const ISSUE_REQUESTS = [
  "turn our podcast episodes into written text",
  "which of these x-ray images show a fracture",
  "pull every invoice number and supplier name out of scanned invoices",
  "group similar support tickets together",
  "generate background music from a mood description",
];

const STOP_WORDS = new Set("a the of to i in and for from my an is model want on".split(" "));
const words = (text: string) =>
  new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => !STOP_WORDS.has(word)));
const overlap = (a: Set<string>, b: Set<string>) => {
  const shared = [...a].filter((word) => b.has(word)).length;
  return shared / (a.size + b.size - shared || 1);
};

describe("recommend: the second held-out description set (data/recommend)", () => {
  const all = readDescriptions("descriptions.jsonl");
  const tune = readDescriptions("tune.jsonl");
  const test = readDescriptions("test.jsonl");

  it("has at least 300 labelled descriptions over at least 30 known tasks, ids unique", () => {
    assert.ok(all.length >= 300, `${all.length} descriptions`);
    const tasks = new Set(all.map((item) => item.task));
    assert.ok(tasks.size >= 30, `${tasks.size} tasks`);
    for (const item of all) {
      for (const task of [item.task, ...(item.accept ?? [])]) assert.ok(task in PIPELINE_DATA, task);
    }
    assert.equal(new Set(all.map((item) => item.id)).size, all.length);
  });

  it("commits exactly the seeded split, with no style shared by tuning and test and the issue's five in test", () => {
    const split = splitDescriptions(all);
    assert.equal(toJsonLines(tune), toJsonLines(split.tune));
    assert.equal(toJsonLines(test), toJsonLines(split.test));
    assert.equal(tune.length + test.length, all.length);
    const tuneStyles = new Set(tune.map((item) => item.style));
    assert.ok(test.every((item) => !tuneStyles.has(item.style)));
    const testDescriptions = new Set(test.map((item) => item.description));
    for (const request of ISSUE_REQUESTS) assert.ok(testDescriptions.has(request), request);
  });

  it("never shares 60 % of a test description's words with a training description", () => {
    const held = test.map((item) => ({ description: item.description, words: words(item.description) }));
    for (const paraphrase of readParaphrases()) {
      const own = words(paraphrase.description);
      for (const item of held) {
        assert.ok(
          overlap(own, item.words) < 0.6,
          `"${paraphrase.description}" is too close to "${item.description}"`,
        );
      }
    }
  });
});
