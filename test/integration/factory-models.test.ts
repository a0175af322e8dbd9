import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pipeline, TextStreamer } from "@huggingface/transformers";
import { readTsv } from "../../src/factory/data-files.ts";
import { parseMarkup } from "../../src/factory/ner.ts";
import { decodeModel } from "../../src/factory/onnx-graph.ts";
import { FACTORY_SEED_MODELS, seedFactoryModels } from "../../src/factory/seed-factory-models.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { pointTransformersAt } from "../helpers/tiny-models.ts";

interface Entity {
  entity_group: string;
  word: string;
  score: number;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  return a.reduce((total, value, index) => total + value * b[index]!, 0);
}

describe("factory: the seeded models, loaded by transformers.js from Hangar over HTTP", () => {
  let hub: TestHangar;
  let cache: { path: string; remove: () => Promise<void> };
  let restore: () => void;
  let seeded: string[];

  before(async () => {
    hub = await startTestHangar();
    cache = await makeTempDir("hangar-factory-cache-");
    restore = pointTransformersAt(hub.url, cache.path);
    seeded = await seedFactoryModels(hub.hangar);
  });
  after(async () => {
    restore();
    await hub.close();
    await cache.remove();
  });

  it("seeds every model once, with a card, a config and an ONNX graph (IR 8, opset 17)", async () => {
    assert.deepEqual(
      seeded,
      FACTORY_SEED_MODELS.map((model) => `hangar/${model.name}`),
    );
    assert.deepEqual(await seedFactoryModels(hub.hangar), [], "a second start creates nothing");
    for (const id of seeded) {
      const info = (await (await fetch(`${hub.url}/api/models/${id}`)).json()) as {
        pipeline_tag?: string;
        siblings: Array<{ rfilename: string }>;
      };
      const files = info.siblings.map((file) => file.rfilename);
      for (const file of [
        "README.md",
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "onnx/model.onnx",
      ])
        assert.ok(files.includes(file), `${id} has ${file}`);
      const card = await (await fetch(`${hub.url}/${id}/resolve/main/README.md`)).text();
      assert.match(card, /^---\nlicense: apache-2.0\n/);
      assert.match(card, /library_name: transformers.js/);
      assert.match(card, /## Intended use/);
      assert.match(card, /## Limitations/);
      const onnx = new Uint8Array(
        await (await fetch(`${hub.url}/${id}/resolve/main/onnx/model.onnx`)).arrayBuffer(),
      );
      const model = decodeModel(onnx);
      assert.equal(Number(model.irVersion), 8);
      assert.equal(Number(model.opsetImport[0]!.version), 17);
    }
  });

  it("ner: tags the people, places and organisations of sentences it never saw", async () => {
    const tag = await pipeline("token-classification", "hangar/ner-tiny");
    const simple = (text: string) => tag(text, { aggregation_strategy: "simple" }) as Promise<Entity[]>;
    const known = (await simple("Yesterday Maria Lopez flew from Oslo to Berlin.")).map((entity) => [
      entity.entity_group,
      entity.word,
    ]);
    assert.deepEqual(known, [
      ["PER", "Maria Lopez"],
      ["LOC", "Oslo"],
      ["LOC", "Berlin"],
    ]);
    // Names absent from the training data are split into word pieces and still tagged as one entity.
    const unseen = (await simple("Greta Holm works for Siemens in Vienna.")).map((entity) => [
      entity.entity_group,
      entity.word,
    ]);
    assert.deepEqual(unseen, [
      ["PER", "Greta Holm"],
      ["ORG", "Siemens"],
      ["LOC", "Vienna"],
    ]);
    const tokens = (await tag("Anna lives in Paris.")) as Array<{ entity: string; word: string }>;
    assert.deepEqual(
      tokens.map((token) => [token.word, token.entity]),
      [
        ["Anna", "B-PER"],
        ["Paris", "B-LOC"],
      ],
    );
  });

  it("ner: entity F1 on the held-out sentences, through transformers.js, matches its card", async () => {
    const tag = await pipeline("token-classification", "hangar/ner-tiny");
    const rows = await readTsv("ner/test.tsv");
    const training = new Set((await readTsv("ner/train.tsv")).map((row) => row.sentence));
    assert.deepEqual(
      rows.filter((row) => training.has(row.sentence)),
      [],
      "held-out sentences are not training sentences",
    );
    let predicted = 0;
    let gold = 0;
    let correct = 0;
    for (const row of rows) {
      const sentence = parseMarkup(row.sentence!);
      const expected = [...(row.sentence!.matchAll(/\[(PER|LOC|ORG) ([^\]]+)\]/g) ?? [])].map(
        (match) => `${match[1]}:${match[2]}`,
      );
      const found = ((await tag(sentence.text, { aggregation_strategy: "simple" })) as Entity[]).map(
        (entity) => `${entity.entity_group}:${entity.word}`,
      );
      predicted += found.length;
      gold += expected.length;
      correct += found.filter((entity) => expected.includes(entity)).length;
    }
    const precision = correct / predicted;
    const recall = correct / gold;
    const f1 = (2 * precision * recall) / (precision + recall);
    assert.ok(f1 >= 0.8, `held-out entity F1 ${f1}`);
    const card = await (await fetch(`${hub.url}/hangar/ner-tiny/resolve/main/README.md`)).text();
    const promised = Number(/value: ([0-9.]+)/.exec(card)?.[1]);
    assert.ok(Math.abs(promised - f1) < 0.05, `card says ${promised}, measured ${f1}`);
  });

  it("embedder: similar sentences are closer than unrelated ones", async () => {
    const embed = await pipeline("feature-extraction", "hangar/embedder-tiny");
    const triples: Array<[string, string, string]> = [
      [
        "It will rain and snow tomorrow.",
        "The weather forecast says cold and wet days ahead.",
        "The chef cooked pasta.",
      ],
      [
        "I watched a great movie yesterday.",
        "The film we saw at the cinema was wonderful.",
        "The bank raised interest rates.",
      ],
      [
        "The doctor treated the patient.",
        "The nurse helped the sick man in hospital.",
        "The band played jazz.",
      ],
      [
        "The new laptop has a fast processor.",
        "This computer runs software quickly.",
        "We ate bread and cheese.",
      ],
      [
        "The band played songs at the concert.",
        "The singer and the orchestra performed music.",
        "Snow covered the roads.",
      ],
    ];
    for (const [anchor, similar, unrelated] of triples) {
      const output = await embed([anchor, similar, unrelated], { pooling: "mean", normalize: true });
      assert.deepEqual(output.dims, [3, 128]);
      const [a, b, c] = output.tolist() as number[][];
      assert.ok(Math.abs(cosine(a!, a!) - 1) < 1e-4, "normalised");
      assert.ok(cosine(a!, b!) > cosine(a!, c!), `${anchor}: ${cosine(a!, b!)} vs ${cosine(a!, c!)}`);
    }
  });

  it("generator: streams vocabulary words through a TextStreamer and chats", async () => {
    const generate = await pipeline("text-generation", "hangar/generator-tiny");
    const streamed: string[] = [];
    const streamer = new TextStreamer(generate.tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => streamed.push(text),
    });
    const [result] = (await generate("The weather", { max_new_tokens: 12, streamer })) as Array<{
      generated_text: string;
    }>;
    assert.ok(streamed.length >= 3, `streamed ${JSON.stringify(streamed)}`);
    assert.ok(result!.generated_text.startsWith("the weather "), result!.generated_text);
    assert.equal(result!.generated_text.slice("the weather ".length).trim(), streamed.join("").trim());
    const vocabulary = new Set(
      Object.keys(
        JSON.parse(await (await fetch(`${hub.url}/hangar/generator-tiny/resolve/main/tokenizer.json`)).text())
          .model.vocab,
      ),
    );
    const words = streamed.join(" ").match(/[a-z]+/g) ?? [];
    assert.ok(words.length >= 3);
    for (const word of words) assert.ok(vocabulary.has(word), `"${word}" is a vocabulary word`);

    const [chat] = (await generate([{ role: "user", content: "Tell me about the hub." }], {
      max_new_tokens: 20,
    })) as Array<{
      generated_text: Array<{ role: string; content: string }>;
    }>;
    const reply = chat!.generated_text.at(-1)!;
    assert.equal(reply.role, "assistant");
    assert.match(reply.content, /[a-z]+ [a-z]+/);
  });

  it("fill-mask: proposes words that fit between the neighbours", async () => {
    const fill = await pipeline("fill-mask", "hangar/fill-mask-tiny");
    const answers = (await fill("The weather will be [MASK] tomorrow.", { top_k: 5 })) as Array<{
      token_str: string;
      score: number;
      sequence: string;
    }>;
    assert.equal(answers.length, 5);
    assert.ok(
      answers.some((answer) => ["warm", "dry", "sunny", "cold"].includes(answer.token_str)),
      JSON.stringify(answers),
    );
    assert.ok(answers.every((answer) => answer.score > 0 && answer.score <= 1));
  });

  it("question-answering: answers simple who / where / when questions from the context", async () => {
    const answer = await pipeline("question-answering", "hangar/qa-tiny");
    const context =
      "Sofia Costa started Nordic Robotics in Oslo in 2019. Later Lena Fischer moved it to Hamburg.";
    const cases: Array<[string, string]> = [
      ["Who started Nordic Robotics?", "Sofia Costa"],
      ["Where did Lena Fischer move it?", "Hamburg"],
      ["When did Sofia Costa start Nordic Robotics?", "2019"],
    ];
    for (const [question, expected] of cases) {
      const result = (await answer(question, context)) as { answer: string; score: number };
      assert.equal(result.answer, expected, question);
      assert.ok(result.score > 0 && result.score <= 1);
    }
  });

  it("zero-shot: picks the topic label closest to the text", async () => {
    const classify = await pipeline("zero-shot-classification", "hangar/zero-shot-tiny");
    const labels = ["sports", "weather", "food", "music", "politics"];
    const cases: Array<[string, string]> = [
      ["The team scored three goals in the final.", "sports"],
      ["Tomorrow it will snow and the wind will be cold.", "weather"],
      ["The chef baked bread and made a soup.", "food"],
      ["The band played songs at the concert.", "music"],
      ["Voters elected a new president.", "politics"],
    ];
    for (const [text, expected] of cases) {
      const result = (await classify(text, labels)) as { labels: string[]; scores: number[] };
      assert.equal(result.labels[0], expected, text);
      assert.ok(Math.abs(result.scores.reduce((total, score) => total + score, 0) - 1) < 1e-6);
    }
  });
});
