import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bufferSource } from "../../src/hub/metadata/blob-source.ts";
import { MEMORY_OVERHEAD } from "../../src/hub/metadata/derive-model-facts.ts";
import { MAX_ONNX_SCAN_BYTES, readOnnxModel } from "../../src/hub/metadata/read-onnx.ts";
import { ggufFile, onnxFile, safetensorsFile } from "../helpers/metadata-fixtures.ts";
import { type MetadataHangar, startMetadataHangar } from "../helpers/metadata-hangar.ts";

describe("metadata extracted at commit time: GGUF, adapter and ONNX files, and malformed files", () => {
  let metadataHangar: MetadataHangar;
  const importRepo = (name: string, files: Record<string, string | Buffer>) =>
    metadataHangar.importRepo(name, files);

  before(async () => {
    metadataHangar = await startMetadataHangar();
  });
  after(async () => {
    await metadataHangar.close();
  });

  test("a GGUF repo: architecture, quantisation, context length, parameters, lineage", async () => {
    const file = ggufFile(
      {
        "general.architecture": { type: "string", value: "llama" },
        "general.name": { type: "string", value: "Tiny Llama" },
        "general.file_type": { type: "uint32", value: 15 },
        "llama.context_length": { type: "uint32", value: 4096 },
        "tokenizer.chat_template": {
          type: "string",
          value: "{% for m in messages %}{{ m.content }}{% endfor %}",
        },
      },
      [
        { name: "token_embd.weight", ggmlType: 12, shape: [256, 8] },
        { name: "blk.0.attn_q.weight", ggmlType: 12, shape: [256, 4] },
        { name: "output_norm.weight", ggmlType: 0, shape: [256] },
      ],
    );
    const { metadata } = await importRepo("tiny-llama-gguf", {
      "README.md": "---\nlicense: llama3\nbase_model: acme/tiny-llama\n---\nQuantised.\n",
      "tiny-llama-Q4_K_M.gguf": file,
    });
    assert.equal(metadata.warnings, undefined);
    // 256×8 + 256×4 + 256 = 3328 parameters.
    assert.deepEqual(metadata.gguf, {
      total: 3328,
      architecture: "llama",
      context_length: 4096,
      quantization: "Q4_K_M",
      files: [
        { path: "tiny-llama-Q4_K_M.gguf", size: file.length, quantization: "Q4_K_M", parameters: 3328 },
      ],
    });
    const facts = metadata.files?.["tiny-llama-Q4_K_M.gguf"]?.gguf;
    assert.equal(facts?.name, "Tiny Llama");
    assert.equal(facts?.tensorCount, 3);
    assert.equal(facts?.version, 3);
    const model = metadata.model;
    assert.ok(model);
    assert.equal(model.parameters, 3328);
    assert.equal(model.parametersSource, "gguf");
    assert.equal(model.library, "gguf");
    assert.equal(model.pipelineTag, "text-generation");
    assert.deepEqual(model.modalities, ["nlp"]);
    assert.equal(model.commercialUse, "conditional");
    assert.equal(model.memory["gguf:Q4_K_M"], Math.ceil(file.length * MEMORY_OVERHEAD));
    assert.deepEqual(model.lineage, {
      baseModels: ["acme/tiny-llama"],
      relation: "quantized",
      inferred: true,
    });
    assert.equal(model.runsLocally, false);
    for (const tag of ["gguf", "conversational", "base_model:quantized:acme/tiny-llama", "license:llama3"]) {
      assert.ok(model.tags.includes(tag), `tag ${tag} in ${model.tags.join(", ")}`);
    }
  });

  test("an adapter repo with a non-commercial licence and an ONNX model with external data", async () => {
    const { metadata } = await importRepo("tiny-lora", {
      "README.md": "---\nlicense: cc-by-nc-4.0\n---\n",
      "adapter_config.json": JSON.stringify({ base_model_name_or_path: "acme/base-7b", peft_type: "LORA" }),
      "adapter_model.safetensors": safetensorsFile([
        { name: "lora_A", dtype: "F32", shape: [4, 16] },
        { name: "lora_B", dtype: "F32", shape: [16, 4] },
      ]),
      "model.onnx": onnxFile({
        opset: 18,
        inputs: [{ name: "pixel_values", elemType: 1, shape: [1, 3, 224, 224] }],
        outputs: [{ name: "logits", elemType: 1, shape: [1, 1000] }],
        weights: [{ name: "fc.weight", dims: [1000, 12], externalLocation: "model.onnx_data" }],
      }),
      "model.onnx_data": Buffer.alloc(48_000),
    });
    const model = metadata.model;
    assert.ok(model);
    assert.equal(model.library, "peft");
    assert.equal(model.commercialUse, "no");
    assert.deepEqual(model.lineage, { baseModels: ["acme/base-7b"], relation: "adapter", inferred: true });
    assert.ok(model.tags.includes("base_model:adapter:acme/base-7b"));
    assert.equal(metadata.safetensors?.total, 128);
    const graph = metadata.onnx?.[0];
    assert.equal(graph?.opset, 18);
    assert.deepEqual(graph?.inputs, [
      { name: "pixel_values", elementType: "float", shape: [1, 3, 224, 224] },
    ]);
    assert.equal(graph?.externalData, true);
    assert.deepEqual(graph?.externalDataFiles, ["model.onnx_data"]);
    assert.equal(graph?.parameters, 12_000);
  });

  test("a malformed card or model file makes warnings, never a failed commit", async () => {
    const { repo, metadata } = await importRepo("broken", {
      "README.md": "---\nlicense: [mit\ntags: {\n---\nStill a card.\n",
      "config.json": "{ not json",
      "model.safetensors": Buffer.concat([Buffer.from([255, 255, 255, 255, 0, 0, 0, 0]), Buffer.from("{}")]),
      "big.safetensors": safetensorsFile([{ name: "w", dtype: "F32", shape: [2, 2] }]).subarray(0, 40),
      "weights.gguf": Buffer.from("GGUF but not really"),
      "model.onnx": Buffer.from("not a protobuf at all, just text that is long enough"),
    });
    assert.ok(repo.sha);
    const warnings = metadata.warnings ?? [];
    assert.ok(
      warnings.some((warning) => warning.startsWith("README.md metadata is not valid YAML")),
      warnings.join("\n"),
    );
    assert.ok(warnings.some((warning) => warning.startsWith("config.json is not valid JSON")));
    assert.ok(warnings.some((warning) => warning.startsWith("model.safetensors could not be read")));
    assert.ok(warnings.some((warning) => warning.startsWith("big.safetensors could not be read")));
    assert.ok(warnings.some((warning) => warning.startsWith("weights.gguf could not be read")));
    assert.ok(warnings.some((warning) => warning.startsWith("model.onnx could not be read")));
    assert.equal(metadata.cardText, "Still a card.\n");
    assert.equal(metadata.safetensors, undefined);
    assert.equal(metadata.gguf, undefined);
    assert.equal(metadata.model?.license, null);
    assert.equal(metadata.model?.commercialUse, null);
  });

  test("large ONNX files are read by seeking past their tensor data", async () => {
    // 70 MB of weights inside the .onnx file, more than the scan may read: only headers are read.
    const large = onnxFile({
      opset: 17,
      inputs: [{ name: "input_ids", elemType: 7, shape: ["batch", "sequence"] }],
      outputs: [{ name: "last_hidden_state", elemType: 1, shape: ["batch", "sequence", 4096] }],
      weights: [
        { name: "embed.weight", dims: [4096, 4096] },
        { name: "proj.weight", dims: [4096, 180] },
      ],
    });
    assert.ok(large.length > MAX_ONNX_SCAN_BYTES);
    let bytesRead = 0;
    const source = bufferSource(large);
    const counting = {
      size: source.size,
      read: (start: number, end: number) => {
        bytesRead += end - start;
        return source.read(start, end);
      },
    };
    const direct = await readOnnxModel(counting, "model.onnx");
    assert.ok(bytesRead < 64 * 1024, `read ${bytesRead} bytes`);
    assert.equal(direct.parameters, 4096 * 4096 + 4096 * 180);

    const { metadata } = await importRepo("large-onnx", { "onnx/model.onnx": large });
    const graph = metadata.onnx?.[0];
    assert.equal(graph?.decoded, true);
    assert.equal(graph?.size, large.length);
    assert.equal(graph?.opset, 17);
    assert.deepEqual(graph?.outputs, [
      { name: "last_hidden_state", elementType: "float", shape: ["batch", "sequence", 4096] },
    ]);
    assert.equal(metadata.model?.parameters, 4096 * 4096 + 4096 * 180);
    assert.equal(metadata.model?.parametersSource, "onnx");
    assert.equal(metadata.model?.library, "onnx");

    // A graph whose headers alone exceed the scan bound is measured, not read.
    const bounded = await readOnnxModel(bufferSource(large), "model.onnx", { maxBytesRead: 8192 });
    assert.equal(bounded.decoded, false);
    assert.match(bounded.warnings[0] ?? "", /only its size was recorded/);
  });
});
