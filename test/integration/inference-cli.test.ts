import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import { createHangar } from "../../src/hangar.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { padWithSilence, soundBounds, speak, wavBytes } from "../helpers/audio-fixtures.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";
import { importTinyModels } from "../helpers/tiny-inference-models.ts";

describe("hangar run: local inference on the home folder, no server", () => {
  let home: { path: string; remove: () => Promise<void> };

  before(async () => {
    home = await makeTempDir();
    const hangar = await createHangar(defaultConfig(home.path));
    await importTinyModels(hangar);
    await importPackagedModels(hangar);
    await hangar.close();
  });
  after(() => home.remove());

  it("prints readable results, JSON with --json, and takes parameters and files", async () => {
    const [classified, tagged, generated, asJson, fromFile] = await Promise.all([
      runCli([
        "run",
        "text-classification",
        "tests/tiny-sentiment",
        "what a great film",
        "--home",
        home.path,
      ]),
      runCli([
        "run",
        "token-classification",
        "tests/tiny-ner",
        "Alice Smith lives in Paris",
        "--home",
        home.path,
      ]),
      runCli([
        "run",
        "text-generation",
        "tests/tiny-lm",
        "count",
        "--param",
        "max_new_tokens=3",
        "--home",
        home.path,
      ]),
      runCli([
        "run",
        "sentence-similarity",
        "tests/tiny-embedder",
        '{"source_sentence":"a cat","sentences":["a dog","good movie"]}',
        "--json",
        "--home",
        home.path,
      ]),
      (async () => {
        const file = join(home.path, "review.txt");
        await writeFile(file, "awful and boring\n");
        return runCli([
          "run",
          "text-classification",
          "tests/tiny-sentiment",
          file,
          "--param",
          "top_k=1",
          "--home",
          home.path,
        ]);
      })(),
    ]);
    assert.equal(classified.code, 0, classified.stderr);
    assert.match(classified.stdout, /^POSITIVE\t0\.\d{4}\nNEGATIVE\t0\.\d{4}\n$/);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(
      tagged.stdout.replace(/\t0\.\d{4}/g, ""),
      "PER\tAlice Smith\t[0, 11]\nLOC\tParis\t[21, 26]\n",
    );
    assert.equal(generated.code, 0, generated.stderr);
    assert.equal(generated.stdout, "one two three\n");
    assert.equal(asJson.code, 0, asJson.stderr);
    const result = JSON.parse(asJson.stdout) as { task: string; outputs: number[]; model: string };
    assert.equal(result.task, "sentence-similarity");
    assert.equal(result.model, "tests/tiny-embedder");
    assert.ok(result.outputs[0]! > result.outputs[1]!);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stdout, /^NEGATIVE\t0\.\d{4}\n$/);
  });

  it("reads the text in a PNG file with PaddleOCR and finds the speech in a WAV file with Silero VAD", async () => {
    const image = join(home.path, "invoice.png");
    await writeFile(image, await renderTextPng(["Invoice total 42.50 EUR", "Hello Offline 2026"]));
    const padded = padWithSilence(await speak("Hangar runs models offline, with no network at all."), 1);
    const audio = join(home.path, "speech.wav");
    await writeFile(audio, wavBytes(padded));
    const expected = soundBounds(padded);
    const [read, detected, detectedJson] = await Promise.all([
      runCli(["run", "image-to-text", "hangar/paddleocr", image, "--home", home.path]),
      runCli(["run", "voice-activity-detection", "hangar/silero-vad", audio, "--home", home.path]),
      runCli(["run", "voice-activity-detection", "hangar/silero-vad", audio, "--json", "--home", home.path]),
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout, "Invoice total 42.50 EUR\nHello Offline 2026\n");
    assert.equal(detectedJson.code, 0, detectedJson.stderr);
    const result = JSON.parse(detectedJson.stdout) as {
      task: string;
      model: string;
      outputs: Array<{ start: number; end: number; score: number }>;
    };
    assert.equal(result.task, "voice-activity-detection");
    assert.equal(result.model, "hangar/silero-vad");
    // One speech segment {"start", "end", "score"}, in seconds.
    assert.equal(result.outputs.length, 1, detectedJson.stdout);
    const segment = result.outputs[0]!;
    assert.deepEqual(Object.keys(segment), ["start", "end", "score"]);
    // Silero judges 32 ms windows and pads segments by 30 ms; 0.3 s is far below the 1 s of silence around.
    assert.ok(Math.abs(segment.start - expected.start) <= 0.3, `${segment.start} vs ${expected.start}`);
    assert.ok(Math.abs(segment.end - expected.end) <= 0.3, `${segment.end} vs ${expected.end}`);
    assert.ok(segment.score > 0.5);
    // Without --json, one readable line per segment: its span and its score.
    assert.equal(detected.code, 0, detected.stderr);
    assert.equal(
      detected.stdout,
      `${segment.start.toFixed(2)} s - ${segment.end.toFixed(2)} s\t${segment.score.toFixed(4)}\n`,
    );
  });

  it("bad input: one readable line and a non-zero exit", async () => {
    const [wrongTask, missing, badParam] = await Promise.all([
      runCli(["run", "token-classification", "tests/tiny-sentiment", "good", "--home", home.path]),
      runCli(["run", "text-classification", "tests/missing", "good", "--home", home.path]),
      runCli([
        "run",
        "text-classification",
        "tests/tiny-sentiment",
        "good",
        "--param",
        "top_k",
        "--home",
        home.path,
      ]),
    ]);
    assert.equal(wrongTask.code, 2);
    assert.equal(
      wrongTask.stderr,
      "hangar run: Model tests/tiny-sentiment cannot do token-classification; it can do: text-classification\n",
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^hangar run: Repository Not Found for url: tests\/missing\./);
    assert.equal(badParam.code, 2);
    assert.equal(badParam.stderr, 'hangar run: --param must be key=value, got "top_k"\n');
  });
});
