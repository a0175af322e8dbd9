import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { snippets } from "../../web/src/snippets.ts";

const BASE = "http://hangar.example:7860";

const byClient = (task: string | undefined, id = "acme/model") =>
  Object.fromEntries(snippets({ base: BASE, id, task }).map((snippet) => [snippet.client, snippet.code]));

describe("the web UI's copy-paste snippets", () => {
  it("gives every client, each pointed at this server", () => {
    const code = byClient("text-classification");
    assert.deepEqual(Object.keys(code), [
      "huggingface_hub",
      "transformers",
      "openai",
      "@huggingface/hub",
      "@huggingface/inference",
      "transformers.js",
      "cURL",
      "hangar CLI",
    ]);
    assert.match(code.huggingface_hub!, /os\.environ\["HF_ENDPOINT"\] = "http:\/\/hangar\.example:7860"/);
    assert.match(
      code.huggingface_hub!,
      /client\.text_classification\("I love this product, it works perfectly\."\)/,
    );
    assert.match(code.transformers!, /pipeline\("text-classification", model="acme\/model"\)/);
    assert.match(code["@huggingface/hub"]!, /hubUrl = "http:\/\/hangar\.example:7860"/);
    assert.match(
      code["@huggingface/inference"]!,
      /endpointUrl: "http:\/\/hangar\.example:7860\/models\/acme\/model"/,
    );
    assert.match(code["@huggingface/inference"]!, /client\.textClassification\(/);
    assert.match(code["transformers.js"]!, /env\.remoteHost = "http:\/\/hangar\.example:7860\/";/);
    assert.match(code["hangar CLI"]!, /^hangar run text-classification acme\/model 'I love this/m);
  });

  it("writes a cURL body that is the inference API's JSON", () => {
    const curl = byClient("question-answering").cURL!;
    assert.ok(curl.startsWith(`curl ${BASE}/v1/inference/question-answering \\\n`));
    const body = JSON.parse(/-d '(.*)'$/m.exec(curl)![1]!);
    assert.deepEqual(body, {
      model: "acme/model",
      inputs: { question: "Where does Ada live?", context: "Ada lives in London and works as an engineer." },
    });
  });

  it("streams chat through openai for generation and sends files as bytes for OCR", () => {
    const generation = byClient("text-generation");
    assert.match(generation.openai!, /base_url="http:\/\/hangar\.example:7860\/v1"/);
    assert.match(generation.openai!, /stream=True/);
    assert.match(generation["@huggingface/inference"]!, /textGenerationStream/);
    const ocr = byClient("image-to-text");
    assert.equal(
      ocr.cURL,
      `curl ${BASE}/models/acme/model \\\n  -H "Authorization: Bearer $HF_TOKEN" \\\n  --data-binary @input-file`,
    );
    assert.match(ocr.huggingface_hub!, /client\.image_to_text\("input-file"\)/);
  });

  it("says so where a client has no call for the task", () => {
    const code = byClient(undefined);
    assert.match(code["@huggingface/inference"]!, /has no call in @huggingface\/inference/);
    assert.match(code.openai!, /client\.models\.list\(\)/);
    assert.doesNotMatch(code["hangar CLI"]!, /hangar run/);
  });
});
