import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { paddleOcrLoader } from "../../src/inference/adapters/paddle-ocr.ts";
import type { LoadedModel } from "../../src/inference/runtime/model-loader.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { rejectsWith400, spokenSample, startPackagedModelsHub } from "../helpers/packaged-models-hub.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("audio and vision models shipped by npm packages", () => {
  let hub: TestHangar;
  let paddedSpeech: Buffer;
  const signal = new AbortController().signal;

  before(async () => {
    hub = await startPackagedModelsHub();
    ({ paddedSpeech } = await spokenSample());
  });
  after(async () => {
    await hub.close();
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
});
