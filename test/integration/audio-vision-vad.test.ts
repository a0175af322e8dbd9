import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { paddleOcrLoader } from "../../src/inference/adapters/paddle-ocr.ts";
import { sileroVadLoader, speechSegments } from "../../src/inference/adapters/silero-vad.ts";
import type { LoadedModel } from "../../src/inference/runtime/model-loader.ts";
import { type Pcm16, padWithSilence, roomTone, wavBytes } from "../helpers/audio-fixtures.ts";
import {
  EDGE_TOLERANCE_S,
  rejectsWith400,
  spokenSample,
  startPackagedModelsHub,
} from "../helpers/packaged-models-hub.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("audio and vision models shipped by npm packages", () => {
  let hub: TestHangar;
  let speech: Pcm16;
  let paddedSpeech: Buffer;
  let expected: { start: number; end: number };
  const signal = new AbortController().signal;

  before(async () => {
    hub = await startPackagedModelsHub();
    ({ speech, paddedSpeech, expected } = await spokenSample());
  });
  after(async () => {
    await hub.close();
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
});
