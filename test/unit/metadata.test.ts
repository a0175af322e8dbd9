import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { defaultConfig } from "../../src/core/config.ts";
import type { CommitMetadata, Repo } from "../../src/core/types.ts";
import { createHangar, type Hangar } from "../../src/hangar.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { importFolder } from "../../src/hub/import-folder.ts";
import { bufferSource } from "../../src/hub/metadata/blob-source.ts";
import { devicesThatFit, MEMORY_OVERHEAD } from "../../src/hub/metadata/derive-model-facts.ts";
import { commercialUseOf } from "../../src/hub/metadata/licenses.ts";
import { MAX_ONNX_SCAN_BYTES, readOnnxModel } from "../../src/hub/metadata/read-onnx.ts";
import { ggufFile, onnxFile, safetensorsFile } from "../helpers/metadata-fixtures.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

const admin = localAdministrator();

const CARD = `---
license: apache-2.0
language:
  - en
  - fr
tags:
  - sentiment
datasets:
  - glue
metrics:
  - accuracy
base_model: google-bert/bert-base-uncased
pipeline_tag: text-classification
library_name: transformers
widget:
  - text: I love this movie
extra_gated_prompt: Tell us who you are
extra_gated_fields:
  Company: text
  I agree to the terms: checkbox
model-index:
  - name: tiny-sentiment
    results:
      - task:
          type: text-classification
          name: Text Classification
        dataset:
          type: glue
          name: GLUE SST-2
          config: sst2
          split: validation
        metrics:
          - type: accuracy
            value: 0.912
            name: Accuracy
            verified: true
          - type: f1
            value: 0.9
      - task:
          type: text-classification
        dataset:
          type: imdb
          name: IMDB
        metrics:
          - type: accuracy
            value: 0.88
---
# tiny-sentiment

A tiny sentiment classifier. Method from https://arxiv.org/abs/1810.04805.
`;

const CONFIG = {
  model_type: "bert",
  architectures: ["BertForSequenceClassification"],
  id2label: { "0": "NEGATIVE", "1": "POSITIVE" },
  label2id: { NEGATIVE: 0, POSITIVE: 1 },
  max_position_embeddings: 512,
  hidden_size: 16,
};

/** Writes files into a new folder under `root`. */
async function writeFolder(
  root: string,
  name: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  const folder = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  return folder;
}

describe("metadata extracted at commit time", () => {
  let temp: { path: string; remove: () => Promise<void> };
  let hangar: Hangar;

  before(async () => {
    temp = await makeTempDir("hangar-metadata-");
    hangar = await createHangar(defaultConfig(join(temp.path, "home")));
  });
  after(async () => {
    await hangar.close();
    await temp.remove();
  });

  async function importRepo(name: string, files: Record<string, string | Buffer>) {
    const folder = await writeFolder(temp.path, name, files);
    const result = await importFolder(hangar, admin, {
      folder,
      repo: { type: "model", namespace: "acme", name },
    });
    const repo = (await hangar.catalog.repos.get({ type: "model", namespace: "acme", name })) as Repo;
    const stored = await hangar.catalog.commits.getCommit(repo.pk, result.commit.oid);
    assert.ok(stored);
    return { repo, metadata: stored.metadata, oid: result.commit.oid };
  }

  test("a transformers repo: card, config, sharded safetensors and ONNX", async () => {
    const shard1 = safetensorsFile([
      { name: "bert.embeddings.word_embeddings.weight", dtype: "F32", shape: [100, 16] },
      { name: "bert.embeddings.LayerNorm.weight", dtype: "F32", shape: [16] },
    ]);
    const shard2 = safetensorsFile([
      { name: "bert.encoder.layer.0.attention.self.query.weight", dtype: "BF16", shape: [16, 16] },
      { name: "classifier.weight", dtype: "F32", shape: [2, 16] },
    ]);
    const index = {
      metadata: { total_size: 1648 * 4 + 256 * 2 },
      weight_map: {
        "bert.embeddings.word_embeddings.weight": "model-00001-of-00002.safetensors",
        "bert.embeddings.LayerNorm.weight": "model-00001-of-00002.safetensors",
        "bert.encoder.layer.0.attention.self.query.weight": "model-00002-of-00002.safetensors",
        "classifier.weight": "model-00002-of-00002.safetensors",
      },
    };
    const model = onnxFile({
      opset: 17,
      inputs: [
        { name: "input_ids", elemType: 7, shape: ["batch_size", "sequence_length"] },
        { name: "attention_mask", elemType: 7, shape: ["batch_size", "sequence_length"] },
      ],
      outputs: [{ name: "logits", elemType: 1, shape: ["batch_size", 2] }],
      weights: [{ name: "classifier.weight", dims: [16, 2] }],
    });
    const { repo, metadata } = await importRepo("tiny-sentiment", {
      "README.md": CARD,
      "config.json": JSON.stringify(CONFIG),
      "tokenizer.json": "{}",
      "tokenizer_config.json": "{}",
      "model.safetensors.index.json": JSON.stringify(index),
      "model-00001-of-00002.safetensors": shard1,
      "model-00002-of-00002.safetensors": shard2,
      "onnx/model.onnx": model,
    });

    assert.equal(metadata.warnings, undefined);
    // Card fields.
    const card = metadata.card;
    assert.ok(card);
    assert.equal(card.license, "apache-2.0");
    assert.deepEqual(card.languages, ["en", "fr"]);
    assert.deepEqual(card.tags, ["sentiment"]);
    assert.deepEqual(card.datasets, ["glue"]);
    assert.deepEqual(card.metrics, ["accuracy"]);
    assert.deepEqual(card.baseModels, ["google-bert/bert-base-uncased"]);
    assert.equal(card.pipelineTag, "text-classification");
    assert.equal(card.libraryName, "transformers");
    assert.deepEqual(card.widget, [{ text: "I love this movie" }]);
    assert.deepEqual(card.gating, {
      extra_gated_prompt: "Tell us who you are",
      extra_gated_fields: { Company: "text", "I agree to the terms": "checkbox" },
    });
    assert.deepEqual(
      card.evalResults.map(({ task, dataset, datasetSplit, metric, value, verified }) => ({
        task,
        dataset,
        datasetSplit,
        metric,
        value,
        verified,
      })),
      [
        {
          task: "text-classification",
          dataset: "glue",
          datasetSplit: "validation",
          metric: "accuracy",
          value: 0.912,
          verified: true,
        },
        {
          task: "text-classification",
          dataset: "glue",
          datasetSplit: "validation",
          metric: "f1",
          value: 0.9,
          verified: null,
        },
        {
          task: "text-classification",
          dataset: "imdb",
          datasetSplit: null,
          metric: "accuracy",
          value: 0.88,
          verified: null,
        },
      ],
    );
    assert.equal(metadata.cardData?.license, "apache-2.0");
    assert.match(metadata.cardText ?? "", /^# tiny-sentiment/);

    // config.json and transformersInfo.
    assert.deepEqual(metadata.configFacts, {
      modelType: "bert",
      architectures: ["BertForSequenceClassification"],
      id2label: { "0": "NEGATIVE", "1": "POSITIVE" },
      maxPositions: 512,
      customCode: false,
      quantMethod: null,
    });
    assert.deepEqual(metadata.transformersInfo, {
      auto_model: "AutoModelForSequenceClassification",
      pipeline_tag: "text-classification",
      processor: "AutoTokenizer",
    });

    // Sharded safetensors: F32 = 100×16 + 16 + 2×16 = 1648, BF16 = 16×16 = 256.
    assert.deepEqual(metadata.safetensors, {
      parameters: { F32: 1648, BF16: 256 },
      total: 1904,
      sharded: true,
      files: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
    });

    // ONNX.
    assert.equal(metadata.onnx?.length, 1);
    const graph = metadata.onnx?.[0];
    assert.equal(graph?.path, "onnx/model.onnx");
    assert.equal(graph?.size, model.length);
    assert.equal(graph?.decoded, true);
    assert.equal(graph?.opset, 17);
    assert.equal(graph?.irVersion, 8);
    assert.equal(graph?.producer, "hangar-test");
    assert.deepEqual(graph?.inputs, [
      { name: "input_ids", elementType: "int64", shape: ["batch_size", "sequence_length"] },
      { name: "attention_mask", elementType: "int64", shape: ["batch_size", "sequence_length"] },
    ]);
    assert.deepEqual(graph?.outputs, [{ name: "logits", elementType: "float", shape: ["batch_size", 2] }]);
    assert.equal(graph?.externalData, false);
    assert.equal(graph?.parameters, 32);

    // Derived facts.
    const facts = metadata.model;
    assert.ok(facts);
    assert.equal(facts.pipelineTag, "text-classification");
    assert.deepEqual(facts.tasks, ["text-classification"]);
    assert.deepEqual(facts.modalities, ["nlp"]);
    assert.equal(facts.library, "transformers");
    assert.deepEqual(facts.formats, ["safetensors", "onnx"]);
    assert.deepEqual(facts.languages, ["en", "fr"]);
    assert.equal(facts.license, "apache-2.0");
    assert.equal(facts.commercialUse, "yes");
    assert.equal(facts.parameters, 1904);
    assert.equal(facts.parametersSource, "safetensors");
    assert.deepEqual(facts.memory, {
      F32: Math.ceil(1904 * 4 * MEMORY_OVERHEAD),
      F16: Math.ceil(1904 * 2 * MEMORY_OVERHEAD),
      INT8: Math.ceil(1904 * 1 * MEMORY_OVERHEAD),
      INT4: Math.ceil(1904 * 0.5 * MEMORY_OVERHEAD),
    });
    assert.equal(facts.memory.F32, 9140);
    assert.deepEqual(facts.fitsOn.F32, devicesThatFit(9140));
    assert.ok(facts.fitsOn.F32?.includes("NVIDIA RTX 4090"));
    assert.equal(facts.runsLocally, true);
    assert.deepEqual(facts.lineage, {
      baseModels: ["google-bert/bert-base-uncased"],
      relation: "finetune",
      inferred: true,
    });
    const sizes = [CARD, JSON.stringify(CONFIG), "{}", "{}", JSON.stringify(index)].reduce(
      (total, text) => total + Buffer.byteLength(text),
      shard1.length + shard2.length + model.length,
    );
    // .gitattributes from repo creation is part of the tree too.
    assert.ok(facts.storageBytes > sizes);
    assert.equal(facts.weightBytes, shard1.length + shard2.length + model.length);
    for (const tag of [
      "transformers",
      "safetensors",
      "onnx",
      "bert",
      "text-classification",
      "sentiment",
      "en",
      "fr",
      "dataset:glue",
      "arxiv:1810.04805",
      "model-index",
      "base_model:google-bert/bert-base-uncased",
      "base_model:finetune:google-bert/bert-base-uncased",
      "license:apache-2.0",
    ]) {
      assert.ok(facts.tags.includes(tag), `tag ${tag} in ${facts.tags.join(", ")}`);
    }
    assert.ok(!facts.tags.includes("region:us"));

    // The repo listing fields come from the same facts.
    assert.equal(repo.pipelineTag, "text-classification");
    assert.equal(repo.libraryName, "transformers");
    assert.deepEqual(repo.tags, facts.tags);
  });

  test("a commit touching only the card keeps the model-file facts of its parent", async () => {
    const { repo, oid } = await importRepo("keeps-facts", {
      "model.safetensors": safetensorsFile([{ name: "w", dtype: "F16", shape: [8, 4] }]),
    });
    const card = Buffer.from("---\nlicense: mit\n---\nhello\n");
    const stored = await hangar.blobs.put(card, { expectedSize: card.length });
    const result = await createCommit(hangar, {
      repo,
      revision: "main",
      operations: [
        {
          kind: "put",
          path: "README.md",
          file: { sha256: stored.sha256, size: stored.size, gitOid: stored.gitOid ?? "", lfs: false },
        },
      ],
      title: "Add card",
      author: "hangar",
      parentCommit: oid,
    });
    const metadata = (await hangar.catalog.commits.getCommit(repo.pk, result.commit.oid))
      ?.metadata as CommitMetadata;
    assert.deepEqual(metadata.safetensors, {
      parameters: { F16: 32 },
      total: 32,
      sharded: false,
      files: ["model.safetensors"],
    });
    assert.equal(metadata.model?.license, "mit");
    assert.equal(metadata.model?.commercialUse, "yes");
    assert.equal(metadata.model?.parameters, 32);
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

  test("a sentence-transformers repo and a custom-code config", async () => {
    const { metadata } = await importRepo("tiny-embedder", {
      "modules.json": "[]",
      "config_sentence_transformers.json": "{}",
      "tokenizer.json": "{}",
      "config.json": JSON.stringify({ model_type: "bert", architectures: ["BertModel"], n_positions: 256 }),
    });
    assert.deepEqual(metadata.transformersInfo, {
      auto_model: "AutoModel",
      pipeline_tag: "feature-extraction",
      processor: "AutoTokenizer",
    });
    assert.equal(metadata.configFacts?.maxPositions, 256);
    assert.equal(metadata.model?.library, "sentence-transformers");
    assert.equal(metadata.model?.pipelineTag, "sentence-similarity");
    assert.deepEqual(metadata.model?.tasks, ["sentence-similarity", "feature-extraction"]);
    assert.equal(metadata.model?.runsLocally, false);
    assert.equal(metadata.model?.runsLocallyReason, "no ONNX file");
    assert.equal(metadata.model?.parameters, null);
    assert.deepEqual(metadata.model?.memory, {});

    const custom = await importRepo("custom-code", {
      "config.json": JSON.stringify({
        model_type: "phi-x",
        architectures: ["PhiXForCausalLM"],
        auto_map: { AutoModelForCausalLM: "modeling_phix.PhiXForCausalLM" },
        quantization_config: { quant_method: "gptq", bits: 4 },
      }),
    });
    assert.deepEqual(custom.metadata.transformersInfo, {
      auto_model: "AutoModelForCausalLM",
      pipeline_tag: "text-generation",
      custom_class: "modeling_phix.PhiXForCausalLM",
    });
    assert.ok(custom.metadata.model?.tags.includes("custom_code"));
    assert.ok(custom.metadata.model?.tags.includes("gptq"));
  });

  test("licences map to commercial use", () => {
    assert.equal(commercialUseOf("apache-2.0"), "yes");
    assert.equal(commercialUseOf("MIT"), "yes");
    assert.equal(commercialUseOf("openrail++"), "yes");
    assert.equal(commercialUseOf("cc-by-nc-sa-4.0"), "no");
    assert.equal(commercialUseOf("cc-by-nc-9.0"), "no");
    assert.equal(commercialUseOf("llama3.1"), "conditional");
    assert.equal(commercialUseOf("gemma"), "conditional");
    assert.equal(commercialUseOf("other"), null);
    assert.equal(commercialUseOf(null), null);
  });

  test("hardware fit follows the device memory table", () => {
    const gib = 1024 ** 3;
    assert.ok(devicesThatFit(20 * gib).includes("NVIDIA RTX 4090"));
    assert.ok(!devicesThatFit(20 * gib).includes("NVIDIA RTX 4080"));
    assert.ok(devicesThatFit(70 * gib).includes("NVIDIA H100"));
    assert.ok(!devicesThatFit(70 * gib).includes("NVIDIA RTX 4090"));
    assert.deepEqual(devicesThatFit(100_000 * gib), []);
  });
});
