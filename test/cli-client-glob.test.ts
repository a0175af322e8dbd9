import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hubCacheDir, repoCacheFolderName } from "../src/cli/client/download-to-cache.ts";
import { createPathFilter, globToRegExp } from "../src/cli/client/glob.ts";

const matches = (pattern: string, path: string) => globToRegExp(pattern).test(path);

describe("client glob patterns (hf's fnmatch semantics)", () => {
  it("lets * match any run of characters, across folders", () => {
    assert.ok(matches("*.json", "config.json"));
    assert.ok(matches("*.json", "sub/dir/config.json"));
    assert.ok(!matches("*.json", "config.json.bak"));
    assert.ok(matches("1_Pooling/**", "1_Pooling/config.json"));
    assert.ok(!matches("1_Pooling/**", "2_Dense/config.json"));
    assert.ok(matches("model-*-of-*.safetensors", "model-00001-of-00002.safetensors"));
  });

  it("supports ?, sets, ranges and negated sets", () => {
    assert.ok(matches("model.?in", "model.bin"));
    assert.ok(!matches("model.?in", "model.bbin"));
    assert.ok(matches("[ab]*.txt", "a1.txt"));
    assert.ok(!matches("[ab]*.txt", "c1.txt"));
    assert.ok(matches("shard-[0-3].bin", "shard-2.bin"));
    assert.ok(!matches("shard-[0-3].bin", "shard-7.bin"));
    assert.ok(matches("[!.]*", "README.md"));
    assert.ok(!matches("[!.]*", ".gitattributes"));
  });

  it("treats regex characters and an unclosed bracket literally", () => {
    assert.ok(matches("a+b(1).json", "a+b(1).json"));
    assert.ok(!matches("a.json", "abjson"));
    assert.ok(matches("weird[name", "weird[name"));
    assert.ok(matches("[]]x", "]x"));
  });

  it("selects a whole folder with a trailing slash", () => {
    assert.ok(matches("onnx/", "onnx/model.onnx"));
    assert.ok(!matches("onnx/", "onnx.txt"));
  });

  it("keeps files that match an include and no exclude", () => {
    const accept = createPathFilter({ include: ["*.json", "*.txt"], exclude: ["sub/*"] });
    const kept = ["config.json", "notes.txt", "sub/a.json", "model.bin"].filter(accept);
    assert.deepEqual(kept, ["config.json", "notes.txt"]);
    assert.deepEqual(["a", "b/c"].filter(createPathFilter({})), ["a", "b/c"]);
  });
});

describe("hub cache location and layout", () => {
  it("follows huggingface_hub: HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME, then ~/.cache", () => {
    assert.equal(hubCacheDir({ HF_HUB_CACHE: "/c", HF_HOME: "/h" }), "/c");
    assert.equal(hubCacheDir({ HF_HOME: "/h", XDG_CACHE_HOME: "/x" }), join("/h", "hub"));
    assert.equal(hubCacheDir({ XDG_CACHE_HOME: "/x" }), join("/x", "huggingface", "hub"));
    assert.equal(hubCacheDir({}), join(homedir(), ".cache", "huggingface", "hub"));
    assert.equal(hubCacheDir({ HF_HOME: "~/hf" }), join(homedir(), "hf", "hub"));
  });

  it("names repo folders like huggingface_hub", () => {
    assert.equal(repoCacheFolderName({ type: "model", id: "ns/name" }), "models--ns--name");
    assert.equal(repoCacheFolderName({ type: "dataset", id: "ns/data" }), "datasets--ns--data");
  });
});
