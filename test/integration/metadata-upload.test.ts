import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, modelInfo, uploadFiles } from "@huggingface/hub";
import { ggufFile, onnxFile, safetensorsFile } from "../helpers/metadata-fixtures.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("metadata of files uploaded with the real client", () => {
  let hub: TestHangar;
  let token: string;

  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
  });
  after(() => hub.close());

  it("reads headers of LFS-uploaded safetensors, GGUF and ONNX files and serves the derived fields", async () => {
    await createRepo({ repo: "alice/uploaded", accessToken: token, hubUrl: hub.url });
    const shards = [
      safetensorsFile([{ name: "a", dtype: "BF16", shape: [64, 32] }]),
      safetensorsFile([
        { name: "b", dtype: "BF16", shape: [32] },
        { name: "c", dtype: "I8", shape: [10, 10] },
      ]),
    ];
    const index = {
      weight_map: {
        a: "model-00001-of-00002.safetensors",
        b: "model-00002-of-00002.safetensors",
        c: "model-00002-of-00002.safetensors",
      },
    };
    const gguf = ggufFile(
      {
        "general.architecture": { type: "string", value: "qwen2" },
        "general.file_type": { type: "uint32", value: 7 },
        "qwen2.context_length": { type: "uint32", value: 32768 },
      },
      [{ name: "token_embd.weight", ggmlType: 0, shape: [64, 32] }],
    );
    const onnx = onnxFile({
      opset: 14,
      inputs: [{ name: "input_ids", elemType: 7, shape: ["batch", "sequence"] }],
      outputs: [{ name: "logits", elemType: 1, shape: ["batch", "sequence", 32] }],
      weights: [{ name: "lm_head", dims: [32, 32] }],
    });
    const result = await uploadFiles({
      repo: "alice/uploaded",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        {
          path: "README.md",
          content: new Blob([
            "---\nlicense: mit\nlanguage: de\nbase_model: [acme/a, acme/b]\n---\n# Merged\n",
          ]),
        },
        {
          path: "config.json",
          content: new Blob([
            JSON.stringify({
              model_type: "qwen2",
              architectures: ["Qwen2ForCausalLM"],
              max_position_embeddings: 32768,
            }),
          ]),
        },
        { path: "model.safetensors.index.json", content: new Blob([JSON.stringify(index)]) },
        { path: "model-00001-of-00002.safetensors", content: new Blob([shards[0] as Buffer]) },
        { path: "model-00002-of-00002.safetensors", content: new Blob([shards[1] as Buffer]) },
        { path: "gguf/model-Q8_0.gguf", content: new Blob([gguf]) },
        { path: "onnx/model.onnx", content: new Blob([onnx]) },
      ],
    });

    const repo = await hub.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "uploaded" });
    assert.ok(repo);
    const stored = await hub.hangar.catalog.commits.getCommit(repo.pk, result?.commit.oid ?? "");
    assert.ok(stored);
    const metadata = stored.metadata;
    assert.equal(metadata.warnings, undefined);
    // BF16: 64×32 + 32 = 2080; I8: 100.
    assert.deepEqual(metadata.safetensors?.parameters, { BF16: 2080, I8: 100 });
    assert.equal(metadata.safetensors?.total, 2180);
    assert.equal(metadata.gguf?.architecture, "qwen2");
    assert.equal(metadata.gguf?.quantization, "Q8_0");
    assert.equal(metadata.gguf?.context_length, 32768);
    assert.equal(metadata.gguf?.total, 2048);
    assert.equal(metadata.onnx?.[0]?.opset, 14);
    assert.deepEqual(metadata.transformersInfo, {
      auto_model: "AutoModelForCausalLM",
      pipeline_tag: "text-generation",
    });
    assert.equal(metadata.model?.parameters, 2180);
    assert.deepEqual(metadata.model?.lineage, {
      baseModels: ["acme/a", "acme/b"],
      relation: "merge",
      inferred: true,
    });

    const info = await modelInfo({
      name: "alice/uploaded",
      hubUrl: hub.url,
      accessToken: token,
      additionalFields: ["tags", "library_name", "safetensors", "transformersInfo"],
    });
    // The Hub's own fields, served from what the commit extracted.
    assert.deepEqual(info.safetensors, { parameters: { BF16: 2080, I8: 100 }, total: 2180 });
    const raw = await fetch(`${hub.url}/api/models/alice/uploaded?expand=gguf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.deepEqual(((await raw.json()) as { gguf: unknown }).gguf, {
      total: 2048,
      architecture: "qwen2",
      context_length: 32768,
    });
    assert.deepEqual(info.transformersInfo, {
      auto_model: "AutoModelForCausalLM",
      pipeline_tag: "text-generation",
    });
    assert.equal(info.task, "text-generation");
    assert.equal(info.library_name, "transformers");
    for (const tag of [
      "transformers",
      "safetensors",
      "gguf",
      "onnx",
      "qwen2",
      "de",
      "license:mit",
      "base_model:merge:acme/a",
    ]) {
      assert.ok(info.tags.includes(tag), `tag ${tag} in ${info.tags.join(", ")}`);
    }
  });
});
