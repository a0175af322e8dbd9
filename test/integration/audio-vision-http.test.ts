import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InferenceClient } from "@huggingface/inference";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import {
  EDGE_TOLERANCE_S,
  postAsAdmin,
  spokenSample,
  startPackagedModelsHub,
} from "../helpers/packaged-models-hub.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("audio and vision models shipped by npm packages", () => {
  let hub: TestHangar;
  let paddedSpeech: Buffer;
  let expected: { start: number; end: number };

  before(async () => {
    hub = await startPackagedModelsHub();
    ({ paddedSpeech, expected } = await spokenSample());
  });
  after(async () => {
    await hub.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    postAsAdmin(hub, path, body, headers);

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
