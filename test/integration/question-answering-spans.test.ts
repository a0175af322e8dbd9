import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { bestAnswers } from "../../src/inference/runtime/answer-spans.ts";
import { type TokenMarkers, tokenMarkers, tokenOffsets } from "../../src/inference/runtime/token-offsets.ts";
import { commitFactoryModels } from "../helpers/factory-models.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

interface Answer {
  answer: string;
  score: number;
  start: number;
  end: number;
}

/** Whether `[start, end)` of `text` begins and ends on word edges (space, punctuation or the text's ends). */
function onWordEdges(text: string, start: number, end: number): boolean {
  const edge = (character: string | undefined) => character === undefined || /[\s\p{P}]/u.test(character);
  return (
    (edge(text[start - 1]) || edge(text[start])) && (edge(text[end]) || edge(text[end - 1])) && start < end
  );
}

describe("question answering: answers are whole words of the context, at their offsets", () => {
  let hub: TestHangar;
  before(async () => {
    hub = await startTestHangar();
    // The model hangar/qa-tiny is made of, committed as factory/qa.
    await commitFactoryModels(hub.hangar, ["qa"]);
  });
  after(() => hub.close());

  const ask = async (question: string, context: string, topK = 5): Promise<Answer[]> => {
    const response = await fetch(`${hub.url}/v1/inference/question-answering`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "factory/qa",
        inputs: { question, context },
        parameters: { top_k: topK },
      }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { outputs: Answer[] }).outputs;
  };

  it('"Who visited Paris?" on "Tim Cook visited Paris in May." answers "Tim Cook" at 0-8', async () => {
    const context = "Tim Cook visited Paris in May.";
    const [best, second] = await ask("Who visited Paris?", context, 2);
    assert.deepEqual([best!.answer, best!.start, best!.end], ["Tim Cook", 0, 8]);
    assert.deepEqual([second!.answer, second!.start, second!.end], ["Cook", 4, 8]);
    const single = (await (
      await fetch(`${hub.url}/models/factory/qa`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: { question: "Who visited Paris?", context } }),
      })
    ).json()) as Answer;
    assert.equal(single.answer, "Tim Cook", "the Hub route answers the same");
  });

  it("every answer of the top 5 equals context.slice(start, end) and is no word piece, on unseen texts", async () => {
    const cases: Array<[string, string]> = [
      ["Who visited Paris?", "Tim Cook visited Paris in May."],
      ["Who founded Microsoft?", "Bill Gates founded Microsoft in Albuquerque."],
      ["Who wrote the letter?", "Angela Merkel wrote the letter in Berlin last week."],
      ["Where does Renée live?", "Renée Müller lives in Zürich with François."],
      ["Where is the Eiffel Tower?", "The Eiffel Tower stands in Paris, France."],
      [
        "When did the shop open?",
        "Kowalczyk's shop opened in 1987 near Gdańsk; Zbigniew Kowalczyk still runs it.",
      ],
      ["Who runs it?", "  Spaces  before,\tTabs\tand Ünïcödé: Ōtsuka-san runs it now.  "],
      ["Where?", "日本の東京 is where Yuki Tanaka lives."],
    ];
    for (const [question, context] of cases) {
      const answers = await ask(question, context);
      assert.ok(answers.length > 0, question);
      for (const answer of answers) {
        const where = `${question} -> ${JSON.stringify(answer)}`;
        assert.equal(context.slice(answer.start, answer.end), answer.answer, where);
        assert.ok(onWordEdges(context, answer.start, answer.end), where);
        assert.doesNotMatch(answer.answer, /^##|^\s|\s$/, where);
        assert.ok(answer.score > 0 && answer.score <= 1, where);
      }
      const scores = answers.map((answer) => answer.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
        "best first",
      );
    }
  });
});

describe("token offsets: tokens placed back on the text, whatever the tokenizer's markers", () => {
  const wordPiece: TokenMarkers = { continuingPrefix: "##", byteLevel: false, spaceMarker: null };
  const byteLevel: TokenMarkers = { continuingPrefix: null, byteLevel: true, spaceMarker: null };
  const sentencePiece: TokenMarkers = { continuingPrefix: null, byteLevel: false, spaceMarker: "▁" };
  const slices = (text: string, tokens: string[], markers: TokenMarkers) =>
    tokenOffsets(text, tokens, markers).map((span) => (span ? text.slice(span.start, span.end) : null));

  it("reads the markers from tokenizer.json", () => {
    assert.deepEqual(
      tokenMarkers({ model: { type: "WordPiece", continuing_subword_prefix: "##" } }),
      wordPiece,
    );
    assert.deepEqual(
      tokenMarkers({
        model: { type: "BPE" },
        pre_tokenizer: { type: "ByteLevel" },
        decoder: { type: "ByteLevel" },
      }),
      byteLevel,
    );
    assert.deepEqual(
      tokenMarkers({
        model: { type: "Unigram" },
        pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Metaspace", replacement: "▁" }] },
      }),
      sentencePiece,
    );
  });

  it("WordPiece, uncased: accents and case folded, word pieces and unknown tokens placed", () => {
    const text = "Renée Müller met Tim Cook in Zürich ☃ today.";
    assert.deepEqual(
      slices(
        text,
        ["renee", "mu", "##ller", "met", "tim", "co", "##ok", "in", "zu", "##rich", "[UNK]", "today", "."],
        wordPiece,
      ),
      ["Renée", "Mü", "ller", "met", "Tim", "Co", "ok", "in", "Zü", "rich", "☃", "today", "."],
    );
  });

  it("byte-level BPE: Ġ for spaces, and a character split over two tokens shares their stretch", () => {
    // "café" is c a f 0xC3 0xA9: the last two bytes are the characters Ã and © of GPT-2's byte table.
    const text = "Tim Cook's café";
    assert.deepEqual(slices(text, ["Tim", "ĠCo", "ok", "'s", "Ġcaf", "Ã", "©"], byteLevel), [
      "Tim",
      "Co",
      "ok",
      "'s",
      "caf",
      "é",
      "é",
    ]);
    assert.deepEqual(slices("naïve", ["na", "Ã¯", "ve"], byteLevel), ["na", "ï", "ve"]);
  });

  it("SentencePiece: ▁ for spaces", () => {
    assert.deepEqual(slices("Tim Cook visited", ["▁Tim", "▁Co", "ok", "▁visit", "ed"], sentencePiece), [
      "Tim",
      "Co",
      "ok",
      "visit",
      "ed",
    ]);
  });

  it("bestAnswers never starts or ends inside a word, even where the logits point there", () => {
    const context = "Tim Cook visited Paris";
    const tokens = ["tim", "co", "##ok", "visited", "paris"];
    const spans = tokenOffsets(context, tokens, wordPiece);
    // Position 0 is [CLS]; the context tokens sit at 1..5. The highest start logit is on "##ok".
    const startLogits = [0, 1, 2, 9, 0, 0];
    const endLogits = [0, 0, 1, 8, 0, 0];
    const answers = bestAnswers({
      context,
      startLogits,
      endLogits,
      contextTokens: spans.map((span, index) => ({ position: index + 1, span })),
      noAnswerPosition: 0,
      count: 3,
    });
    assert.deepEqual(
      answers.map((answer) => [answer.answer, answer.start, answer.end]),
      [
        ["Cook", 4, 8],
        ["Tim Cook", 0, 8],
        ["Cook visited", 4, 16],
      ],
    );
  });
});
