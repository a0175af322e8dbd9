import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PIPELINE_DATA } from "@huggingface/tasks";
import type { Recommendation } from "../../src/discovery/recommend/recommend-models.ts";
import { readParaphrases } from "../../src/discovery/recommend/task-corpus.ts";
import { trainTaskModel } from "../../src/discovery/recommend/task-model.ts";
import {
  BUNDLED_SNAPSHOT_PATH,
  type CatalogSnapshot,
  importCatalogSnapshot,
} from "../../src/hub/catalog/import-snapshot.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const snapshot = JSON.parse(readFileSync(BUNDLED_SNAPSHOT_PATH, "utf8")) as CatalogSnapshot;
const taskOf = new Map(snapshot.models.map((model) => [model.id, model.task]));

/** Requests a new user makes in their own words (issue 19), and the tasks that do the job. */
const ORDINARY_REQUESTS: Array<{ description: string; first: string; right: string[] }> = [
  {
    description: "turn our podcast episodes into written text",
    first: "automatic-speech-recognition",
    right: ["automatic-speech-recognition"],
  },
  {
    description: "which of these x-ray images show a fracture",
    first: "image-classification",
    right: ["image-classification"],
  },
  {
    description: "pull every invoice number and supplier name out of scanned invoices",
    first: "document-question-answering",
    right: ["document-question-answering"],
  },
  {
    description: "group similar support tickets together",
    first: "sentence-similarity",
    right: ["sentence-similarity", "feature-extraction"],
  },
  {
    description: "generate background music from a mood description",
    first: "text-to-audio",
    right: ["text-to-audio"],
  },
];

const VAGUE = "something nice for my team";

describe("recommend: which task a description asks for", () => {
  let t: TestHangar;
  const answers = new Map<string, Recommendation>();
  const post = async (description: string) => {
    const response = await fetch(`${t.url}/v1/recommend`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Recommendation;
  };
  before(async () => {
    t = await startTestHangar();
    await importCatalogSnapshot(t.hangar.catalog);
    for (const { description } of ORDINARY_REQUESTS) answers.set(description, await post(description));
    answers.set(VAGUE, await post(VAGUE));
  });
  after(() => t.close());

  for (const request of ORDINARY_REQUESTS) {
    it(`reads "${request.description}" as ${request.first}, with candidates of that task`, () => {
      const answer = answers.get(request.description)!;
      assert.equal(answer.tasks[0], request.first, `tasks: ${answer.tasks.join(", ")}`);
      assert.equal(answer.lowConfidence, false, JSON.stringify(answer.taskConfidences));
      assert.deepEqual(answer.choices, []);
      assert.ok(answer.taskConfidences[0]!.confidence >= 0.6, JSON.stringify(answer.taskConfidences));
      assert.ok(
        answer.triggers.some(
          (trigger) =>
            trigger.means === `task: ${request.first}` &&
            request.description.toLowerCase().includes(trigger.phrase),
        ),
        "quotes the words that decided the task",
      );
      assert.ok(answer.candidates.length > 0, "candidates");
      for (const candidate of answer.candidates) {
        // The task as the snapshot file records it, not as Hangar reports it.
        const task = taskOf.get(candidate.id);
        assert.ok(task && request.right.includes(task), `${candidate.id} does ${task}`);
        assert.equal(candidate.task, task);
      }
      assert.equal(taskOf.get(answer.candidates[0]!.id), request.first);
      assert.match(
        answer.candidates[0]!.reasons[0]!,
        /^does \S+ \(the task asked for, confidence (0\.\d+|1)\)$/,
      );
    });
  }

  it("answers a description that names no job with choices and a warning, not an empty list", () => {
    const answer = answers.get(VAGUE)!;
    assert.equal(answer.lowConfidence, true);
    assert.ok(answer.choices.length >= 3);
    const confidences = answer.choices.map((choice) => choice.confidence);
    assert.deepEqual(
      confidences,
      [...confidences].sort((a, b) => b - a),
    );
    assert.ok(confidences[0]! < 0.6 && confidences.reduce((sum, value) => sum + value, 0) <= 1.001);
    for (const choice of answer.choices) {
      assert.ok(Object.hasOwn(PIPELINE_DATA, choice.task));
      assert.ok(choice.summary.endsWith("."), choice.summary);
    }
    assert.deepEqual(
      answer.taskConfidences.map((entry) => entry.task),
      answer.choices.map((choice) => choice.task),
    );
    assert.ok(answer.candidates.length > 0);
    for (const candidate of answer.candidates) assert.ok(answer.tasks.includes(taskOf.get(candidate.id)!));
    assert.ok(answer.notes.some((note) => note.startsWith("Not sure which task this is")));
  });

  it("hangar recommend says when it is unsure and lists the choices with what each task does", async () => {
    const result = await runCli(["recommend", VAGUE, "--home", t.home, "--limit", "1"]);
    assert.equal(result.code, 0, result.stderr);
    const choices = answers.get(VAGUE)!.choices;
    assert.match(
      result.stdout,
      /^Not sure: {4}the description could mean any of these tasks; name the one you mean:$/m,
    );
    for (const choice of choices) {
      assert.ok(
        result.stdout.includes(`  - ${choice.task} (${choice.confidence}): ${choice.summary}\n`),
        `${choice.task} listed`,
      );
    }
  });
});

describe("recommend: the task model and its held-out evaluation", () => {
  interface EvalItem {
    id: string;
    task: string;
    accept?: string[];
    style: string;
    description: string;
  }
  const readSplit = (name: string) =>
    readFileSync(join(import.meta.dirname, "..", "..", "data", "recommend-eval", `${name}.jsonl`), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as EvalItem);
  const tune = readSplit("tune");
  const test = readSplit("test");

  it("holds at least 300 labelled descriptions over at least 30 tasks, test styles apart from tuning", () => {
    const all = [...tune, ...test];
    assert.ok(all.length >= 300, `${all.length} descriptions`);
    assert.ok(new Set(test.map((item) => item.task)).size >= 30);
    assert.equal(new Set(all.map((item) => item.id)).size, all.length, "unique ids");
    for (const item of all) {
      for (const task of [item.task, ...(item.accept ?? [])])
        assert.ok(Object.hasOwn(PIPELINE_DATA, task), task);
    }
    const tuneStyles = new Set(tune.map((item) => item.style));
    assert.ok(
      test.every((item) => !tuneStyles.has(item.style)),
      "test styles differ from tuning styles",
    );
  });

  it("never trains on an evaluation description or on the issue's examples", () => {
    const words = (text: string) =>
      new Set(
        (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter(
          (word) =>
            ![
              "a",
              "the",
              "of",
              "to",
              "i",
              "in",
              "and",
              "for",
              "from",
              "my",
              "an",
              "is",
              "model",
              "want",
              "on",
            ].includes(word),
        ),
      );
    const overlap = (a: Set<string>, b: Set<string>) => {
      const shared = [...a].filter((word) => b.has(word)).length;
      return shared / (a.size + b.size - shared || 1);
    };
    const held = [
      ...test.map((item) => item.description),
      ...ORDINARY_REQUESTS.map((request) => request.description),
    ].map((description) => ({ description, words: words(description) }));
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

  it("trains the same model every time (seeded) and reads a description well under 50 ms", () => {
    const first = trainTaskModel();
    const second = trainTaskModel();
    for (const item of test.slice(0, 40)) {
      assert.deepEqual(second.classify(item.description), first.classify(item.description), item.description);
    }
    const started = performance.now();
    for (const item of test) first.classify(item.description);
    const perDescription = (performance.now() - started) / test.length;
    assert.ok(perDescription < 50, `${perDescription} ms per description`);
  });
});
