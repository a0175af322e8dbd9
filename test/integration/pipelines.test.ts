// biome-ignore-all lint/suspicious/noTemplateCurlyInString: pipeline definitions write references as ${...} in plain strings
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { seedFactoryModels } from "../../src/factory/seed-factory-models.ts";
import { importPackagedModels } from "../../src/inference/adapters/packaged-models.ts";
import { parsePipelineText } from "../../src/workflows/pipelines/definition.ts";
import { validatePipeline } from "../../src/workflows/pipelines/validate-pipeline.ts";
import { padWithSilence, roomTone, speak, wavBytes } from "../helpers/audio-fixtures.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { renderTextPng } from "../helpers/image-fixtures.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const EXAMPLES = join(import.meta.dirname, "../../examples/pipelines");
const LINES = ["I love this great film", "Angela Merkel visited Paris"];

describe("pipelines: the examples on a fresh instance's models, validation, tracing, caching", () => {
  let hub: TestHangar;
  let token: string;
  let page: Buffer;

  const api = async (method: string, path: string, body?: unknown, as = token) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${as}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field by the assertions
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    hub = await startTestHangar();
    await seedFactoryModels(hub.hangar);
    await importPackagedModels(hub.hangar);
    token = await hub.addUser("dana");
    page = await renderTextPng(LINES);
  });
  after(async () => {
    await hub.close();
  });

  it("every example validates", async () => {
    for (const name of ["page-sentiment", "find-in-page", "speech-segments"]) {
      const definition = parsePipelineText(await readFile(join(EXAMPLES, `${name}.yaml`), "utf8"));
      assert.equal(validatePipeline(definition).definition.name, name);
    }
  });

  it("page -> OCR -> sentiment and entities per line, the two per-line steps in parallel, then from the cache", async () => {
    const yaml = await readFile(join(EXAMPLES, "page-sentiment.yaml"), "utf8");
    const registered = await api("POST", "/v1/pipelines", { yaml });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.deepEqual(registered.body.steps, ["ocr", "sentiment", "entities"]);
    const run = await api("POST", "/v1/pipelines/page-sentiment/run", {
      inputs: { page: page.toString("base64") },
    });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.status, "completed");
    assert.deepEqual(run.body.outputs.lines, LINES);
    for (const [index, line] of LINES.entries()) {
      const direct = await api("POST", "/v1/inference/text-classification", {
        model: "hangar/sentiment-tiny",
        inputs: line,
        parameters: { top_k: 1 },
      });
      // The same label; the score up to float32 rounding (the runtime may batch the lines together).
      assert.equal(run.body.outputs.sentiment[index][0].label, direct.body.outputs[0].label);
      assert.ok(Math.abs(run.body.outputs.sentiment[index][0].score - direct.body.outputs[0].score) < 1e-6);
    }
    const entities = run.body.outputs.entities[1].map((entity: { word: string }) => entity.word);
    assert.ok(entities.includes("Paris"), JSON.stringify(entities));

    const steps = Object.fromEntries(run.body.steps.map((step: { step: string }) => [step.step, step]));
    assert.equal(steps.ocr.model, "hangar/paddleocr");
    assert.match(steps.ocr.revision, /^[0-9a-f]{40}$/);
    assert.equal(steps.sentiment.calls, 2);
    assert.equal(steps.sentiment.items, 2);
    assert.ok(steps.ocr.input_bytes >= page.length && steps.ocr.output_bytes > 0);
    assert.ok(steps.sentiment.started_ms >= steps.ocr.finished_ms, "sentiment waits for the OCR");
    assert.ok(steps.entities.started_ms < steps.sentiment.finished_ms, "entities and sentiment overlap");
    assert.ok(steps.sentiment.started_ms < steps.entities.finished_ms, "entities and sentiment overlap");
    assert.equal(steps.ocr.cache_hits, 0);

    const kept = await api("GET", `/v1/pipelines/page-sentiment/runs/${run.body.id}`);
    assert.deepEqual(kept.body, run.body);
    const stranger = await hub.addUser("eve");
    assert.equal(
      (await api("GET", `/v1/pipelines/page-sentiment/runs/${run.body.id}`, undefined, stranger)).status,
      404,
    );
    assert.equal(
      (await api("POST", "/v1/pipelines/page-sentiment/run", { inputs: {} }, stranger)).status,
      404,
    );

    const again = await api("POST", "/v1/pipelines/page-sentiment/run", {
      inputs: { page: page.toString("base64") },
    });
    assert.deepEqual(again.body.outputs, run.body.outputs);
    const cached = Object.fromEntries(again.body.steps.map((step: { step: string }) => [step.step, step]));
    assert.equal(cached.ocr.cache_hits, 1);
    assert.equal(cached.sentiment.cache_hits, 2);
    assert.equal(cached.entities.cache_hits, 2);
  });

  it("finds the line of an image closest to a text query (OCR + embeddings)", async () => {
    const dir = join(hub.home, "find");
    const image = `${dir}.png`;
    await writeFile(image, await renderTextPng(["the cat sat on the mat", "stock markets fell sharply"]));
    const result = await runCli([
      "pipeline",
      "run",
      join(EXAMPLES, "find-in-page.yaml"),
      "--input",
      `page=@${image}`,
      "--input",
      "query=a kitten sitting on a rug",
      "--home",
      hub.home,
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const run = JSON.parse(result.stdout);
    assert.deepEqual(run.outputs.lines, ["the cat sat on the mat", "stock markets fell sharply"]);
    assert.ok(run.outputs.scores[0] > run.outputs.scores[1], JSON.stringify(run.outputs.scores));
  });

  it("recording -> voice segments; the strict pass runs only when the first segment is confident", async () => {
    const speech = padWithSilence(await speak("hello there, this is a test of the pipeline"), 0.5);
    const withSpeech = await runCli([
      "pipeline",
      "run",
      join(EXAMPLES, "speech-segments.yaml"),
      "--input",
      `recording=@${await writeWav(hub.home, "speech.wav", wavBytes(speech))}`,
      "--home",
      hub.home,
      "--json",
    ]);
    assert.equal(withSpeech.code, 0, withSpeech.stderr);
    const run = JSON.parse(withSpeech.stdout);
    assert.ok(run.outputs.segments.length >= 1);
    assert.equal(run.steps.find((step: { step: string }) => step.step === "strict").status, "ok");
    const silent = await runCli([
      "pipeline",
      "run",
      join(EXAMPLES, "speech-segments.yaml"),
      "--input",
      `recording=@${await writeWav(hub.home, "silence.wav", wavBytes(roomTone(2, 16000)))}`,
      "--home",
      hub.home,
      "--json",
    ]);
    const quiet = JSON.parse(silent.stdout);
    assert.deepEqual(quiet.outputs.segments, []);
    assert.equal(quiet.steps.find((step: { step: string }) => step.step === "strict").status, "skipped");
    assert.equal(quiet.outputs.strict, null);
  });

  it("validation names the step and the field before anything runs", async () => {
    const base = {
      name: "broken",
      inputs: { text: "text" },
      steps: {
        sentiment: { task: "text-classification", model: "hangar/sentiment-tiny", inputs: "${inputs.text}" },
        ocr: {
          task: "image-to-text",
          model: "hangar/paddleocr",
          inputs: "${steps.sentiment.output}",
        },
        entities: {
          task: "token-classification",
          model: "hangar/ner-tiny",
          inputs: "${steps.sentiment.output.0.labl}",
        },
        loop: {
          task: "text-classification",
          model: "hangar/sentiment-tiny",
          inputs: "${steps.nothing.output}",
        },
        each: {
          task: "text-classification",
          model: "hangar/sentiment-tiny",
          for_each: "${inputs.text}",
          inputs: "${item}",
        },
      },
      outputs: { x: "${inputs.missing}" },
    };
    const refused = await api("POST", "/v1/pipelines", base);
    assert.equal(refused.status, 400);
    const fields = refused.body.problems.map((problem: { field: string }) => problem.field);
    assert.deepEqual(fields.sort(), [
      "outputs.x",
      "steps.each.for_each",
      "steps.entities.inputs",
      "steps.loop",
      "steps.ocr.inputs",
    ]);
    assert.match(
      refused.body.error,
      /steps\.entities\.inputs: \$\{steps\.sentiment\.output\.0\.labl\}: no field "labl" \(there are: label, score\)/,
    );
    assert.match(
      refused.body.error,
      /steps\.ocr\.inputs: image-to-text takes image; this gives a list of object \{label, score\}/,
    );
    const validate = await runCli(["pipeline", "validate", join(EXAMPLES, "page-sentiment.yaml")]);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /pipeline page-sentiment is valid \(steps: ocr, sentiment, entities\)/);
  });

  it("retries a step that times out, then fails it and the steps that read it", async () => {
    const definition = {
      name: "impatient",
      inputs: { page: "image" },
      steps: {
        ocr: {
          task: "image-to-text",
          model: "hangar/paddleocr",
          inputs: "${inputs.page}",
          timeout_ms: 1,
          retries: 2,
          cache: false,
        },
        sentiment: {
          task: "text-classification",
          model: "hangar/sentiment-tiny",
          inputs: "${steps.ocr.output.generated_text}",
        },
      },
      outputs: { text: "${steps.ocr.output.generated_text}" },
    };
    assert.equal((await api("POST", "/v1/pipelines", definition)).status, 200);
    const run = await api("POST", "/v1/pipelines/impatient/run", {
      inputs: { page: page.toString("base64") },
    });
    assert.equal(run.body.status, "failed");
    assert.equal(run.body.outputs, null);
    const [ocr, sentiment] = run.body.steps;
    assert.equal(ocr.attempts, 3);
    assert.equal(ocr.error.code, "HANGAR_ERR_TIMEOUT");
    assert.equal(sentiment.status, "failed");
    assert.match(sentiment.error.message, /step ocr, which it reads, failed/);
    assert.deepEqual(run.body.error, { ...ocr.error, step: "ocr" });
    const missing = await api("POST", "/v1/pipelines/impatient/run", { inputs: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /inputs\.page is required/);
  });
});

async function writeWav(dir: string, name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}
