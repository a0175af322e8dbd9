import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pipeline } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";
import {
  buildEncoderGraph,
  ENCODER_SIZES,
  encoderParameterCount,
} from "../../src/factory/encoder-benchmark.ts";
import { makeModel } from "../../src/factory/make-model.ts";
import { decodeModel } from "../../src/factory/onnx-graph.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { pointTransformersAt } from "../helpers/tiny-models.ts";

function ids(values: number[]): ort.Tensor {
  return new ort.Tensor(
    "int64",
    BigInt64Array.from(values, (value) => BigInt(value)),
    [1, values.length],
  );
}

describe("factory: random-weight BERT-style encoders for benchmarks", () => {
  let hub: TestHangar;
  let cache: { path: string; remove: () => Promise<void> };
  let restore: () => void;

  before(async () => {
    hub = await startTestHangar();
    cache = await makeTempDir("hangar-factory-cache-");
    restore = pointTransformersAt(hub.url, cache.path);
  });
  after(async () => {
    restore();
    await hub.close();
    await cache.remove();
  });

  it("counts BERT-base and MiniLM parameters from the shape, without building them", () => {
    const base = encoderParameterCount(ENCODER_SIZES.base);
    assert.ok(base >= 109e6 && base <= 110e6, `BERT-base: ${base}`);
    assert.equal(base, 109_482_240);
    const mini = encoderParameterCount(ENCODER_SIZES.mini);
    assert.ok(mini >= 22e6 && mini <= 23e6, `MiniLM: ${mini}`);
  });

  it("builds a valid graph whose weights match the count, in fp32 and int8, and onnxruntime runs it", async () => {
    for (const dtype of ["fp32", "int8"] as const) {
      const graph = buildEncoderGraph(ENCODER_SIZES.tiny, dtype);
      assert.equal(graph.parameterCount, encoderParameterCount(ENCODER_SIZES.tiny));
      const model = decodeModel(graph.bytes);
      assert.equal(Number(model.irVersion), 8);
      const ops = new Set(model.graph!.node!.map((node) => node.opType));
      assert.equal(ops.has("DynamicQuantizeMatMul"), dtype === "int8", dtype);
      assert.equal(
        model.graph!.node!.filter((node) => node.opType === "LayerNormalization").length,
        1 + 2 * ENCODER_SIZES.tiny.layers,
      );
      const session = await ort.InferenceSession.create(graph.bytes);
      const output = await session.run({
        input_ids: ids([2, 10, 11, 12, 3, 0]),
        attention_mask: ids([1, 1, 1, 1, 1, 0]),
        token_type_ids: ids([0, 0, 0, 0, 0, 0]),
      });
      assert.deepEqual(output.last_hidden_state!.dims, [1, 6, ENCODER_SIZES.tiny.hidden]);
      assert.deepEqual(output.pooler_output!.dims, [1, ENCODER_SIZES.tiny.hidden]);
      assert.ok((output.last_hidden_state!.data as Float32Array).every(Number.isFinite));
      await session.release();
    }
  });

  it("commits tiny fp32 and int8 variants that transformers.js feature-extraction loads from Hangar", async () => {
    for (const dtype of ["fp32", "int8"] as const) {
      const name = `bert-tiny-${dtype}`;
      const result = await makeModel(hub.hangar, {
        kind: "bert-base",
        size: "tiny",
        dtype,
        repo: { type: "model", namespace: "bench", name },
      });
      const file = dtype === "int8" ? "onnx/model_quantized.onnx" : "onnx/model.onnx";
      assert.ok(result.files[file]! > 0, `${file} written`);
      const extract = await pipeline("feature-extraction", `bench/${name}`);
      const output = await extract(["a model hub", "the benchmark"], { pooling: "mean", normalize: true });
      assert.deepEqual(output.dims, [2, ENCODER_SIZES.tiny.hidden]);
      await extract.dispose();
    }
  });

  it("hangar make-model writes a model from the command line and refuses bad options", async () => {
    const home = await makeTempDir();
    try {
      const made = await runCli([
        "make-model",
        "minilm",
        "bench/minilm-tiny",
        "--size",
        "tiny",
        "--dtype",
        "int8",
        "--home",
        home.path,
        "--json",
      ]);
      assert.equal(made.code, 0, made.stderr);
      const report = JSON.parse(made.stdout) as {
        repo: string;
        pipeline_tag: string;
        files: Record<string, number>;
        facts: { parameters: number };
      };
      assert.equal(report.repo, "bench/minilm-tiny");
      assert.equal(report.pipeline_tag, "feature-extraction");
      assert.ok("onnx/model_quantized.onnx" in report.files);
      assert.equal(report.facts.parameters, encoderParameterCount(ENCODER_SIZES.tiny));

      const unknown = await runCli(["make-model", "llama", "bench/x", "--home", home.path]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /Unknown model kind "llama": expected one of sentiment, ner/);
      const wrongSize = await runCli([
        "make-model",
        "sentiment",
        "bench/y",
        "--size",
        "tiny",
        "--home",
        home.path,
      ]);
      assert.equal(wrongSize.code, 2);
      assert.match(wrongSize.stderr, /--size and --dtype apply to bert-base and minilm only/);
    } finally {
      await home.remove();
    }
  });
});
