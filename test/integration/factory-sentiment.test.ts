import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pipeline } from "@huggingface/transformers";
import { makeModel } from "../../src/factory/make-model.ts";
import { readSentimentSplit } from "../../src/factory/sentiment.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { pointTransformersAt } from "../helpers/tiny-models.ts";

/** The accuracy the card promises and this test holds the model to (README and report say the same). */
const HELD_OUT_ACCURACY_THRESHOLD = 0.85;

describe("factory: the sentiment classifier", () => {
  let hub: TestHangar;
  let cache: { path: string; remove: () => Promise<void> };
  let restore: () => void;

  before(async () => {
    hub = await startTestHangar();
    cache = await makeTempDir("hangar-factory-cache-");
    restore = pointTransformersAt(hub.url, cache.path);
    await makeModel(hub.hangar, {
      kind: "sentiment",
      repo: { type: "model", namespace: "hangar", name: "sentiment-tiny" },
    });
  });
  after(async () => {
    restore();
    await hub.close();
    await cache.remove();
  });

  it("is held out from its training sentences", async () => {
    const train = new Set((await readSentimentSplit("train")).map((row) => row.text.toLowerCase()));
    const test = await readSentimentSplit("test");
    assert.ok(test.length >= 100, `${test.length} test sentences`);
    assert.deepEqual(
      test.filter((row) => train.has(row.text.toLowerCase())).map((row) => row.text),
      [],
    );
  });

  it("classifies held-out sentences, loaded by transformers.js from Hangar, above the documented accuracy", async () => {
    const classify = await pipeline("text-classification", "hangar/sentiment-tiny");
    const test = await readSentimentSplit("test");
    const answers = (await classify(test.map((row) => row.text))) as Array<{ label: string; score: number }>;
    const correct = answers.filter((answer, index) => answer.label === test[index]!.label).length;
    const accuracy = correct / test.length;
    assert.ok(accuracy >= HELD_OUT_ACCURACY_THRESHOLD, `held-out accuracy ${accuracy}`);

    const card = await (await fetch(`${hub.url}/hangar/sentiment-tiny/resolve/main/README.md`)).text();
    const promised = Number(/value: ([0-9.]+)/.exec(card)?.[1]);
    assert.ok(Math.abs(promised - accuracy) < 0.01, `card says ${promised}, measured ${accuracy}`);
    assert.match(card, /pipeline_tag: text-classification/);
    assert.match(card, /license: apache-2.0/);
  });

  it("answers sensibly on new sentences, including negation", async () => {
    const classify = await pipeline("text-classification", "hangar/sentiment-tiny");
    const cases: Array<[string, string]> = [
      ["What a fantastic little cafe, the waffles were delicious!", "POSITIVE"],
      ["The charger broke after one day and support was useless.", "NEGATIVE"],
      ["Honestly the best series I have watched in ages.", "POSITIVE"],
      ["The hotel was dirty and the staff were rude.", "NEGATIVE"],
      ["This product is good.", "POSITIVE"],
      // Neighbouring-token pairs let "not" turn a word around.
      ["The movie was not bad at all.", "POSITIVE"],
      ["It was not boring, I liked it.", "POSITIVE"],
      ["The food was not good.", "NEGATIVE"],
      ["I would not recommend this phone.", "NEGATIVE"],
    ];
    const train = new Set((await readSentimentSplit("train")).map((row) => row.text.toLowerCase()));
    for (const [sentence] of cases)
      assert.ok(!train.has(sentence.toLowerCase()), `${sentence} is not a training sentence`);
    for (const [sentence, label] of cases) {
      const [answer] = (await classify(sentence)) as Array<{ label: string; score: number }>;
      assert.equal(answer!.label, label, sentence);
      assert.ok(answer!.score > 0.5 && answer!.score <= 1);
    }
  });
});
