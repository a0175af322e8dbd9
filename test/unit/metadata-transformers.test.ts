import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CommitMetadata } from "../../src/core/types.ts";
import type { Hangar } from "../../src/hangar.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { devicesThatFit, MEMORY_OVERHEAD } from "../../src/hub/metadata/derive-model-facts.ts";
import { onnxFile, safetensorsFile } from "../helpers/metadata-fixtures.ts";
import { type MetadataHangar, startMetadataHangar } from "../helpers/metadata-hangar.ts";

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

describe("metadata extracted at commit time: transformers and sentence-transformers repos", () => {
  let metadataHangar: MetadataHangar;
  let hangar: Hangar;
  const importRepo = (name: string, files: Record<string, string | Buffer>) =>
    metadataHangar.importRepo(name, files);

  before(async () => {
    metadataHangar = await startMetadataHangar();
    hangar = metadataHangar.hangar;
  });
  after(async () => {
    await metadataHangar.close();
  });

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
});
