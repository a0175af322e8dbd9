import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hubCacheDir, repoCacheFolderName } from "../../src/cli/client/download-to-cache.ts";
import { createPathFilter, globToRegExp } from "../../src/cli/client/glob.ts";
import { collectLocalFiles } from "../../src/cli/client/upload-files.ts";
import { makeTempDir } from "../helpers/test-hangar.ts";

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

describe("files picked for an upload", () => {
  let temp: { path: string; remove: () => Promise<void> };
  before(async () => {
    temp = await makeTempDir("hangar-cli-upload-");
    const root = join(temp.path, "model");
    for (const folder of ["sub/deep", ".git/objects", ".cache/huggingface/download"]) {
      await mkdir(join(root, folder), { recursive: true });
    }
    await writeFile(join(root, "config.json"), "{}");
    await writeFile(join(root, "sub", "deep", "a.bin"), "abc");
    await writeFile(join(root, ".git", "HEAD"), "ref: refs/heads/main\n");
    await writeFile(join(root, ".cache", "huggingface", "download", "x.metadata"), "meta");
    await writeFile(join(root, ".gitattributes"), "*.bin filter=lfs\n");
    await writeFile(join(temp.path, "outside.txt"), "linked");
    await symlink(join(temp.path, "outside.txt"), join(root, "linked.txt"));
  });
  after(() => temp.remove());

  it("takes a folder's files (symlinks followed) but not .git or huggingface_hub bookkeeping", async () => {
    const files = await collectLocalFiles({ localPath: join(temp.path, "model") });
    assert.deepEqual(
      files.map((file) => [file.pathInRepo, file.size]),
      [
        [".gitattributes", 17],
        ["config.json", 2],
        ["linked.txt", 6],
        ["sub/deep/a.bin", 3],
      ],
    );
  });

  it("puts files under path_in_repo and applies the patterns to folder-relative paths", async () => {
    const files = await collectLocalFiles({
      localPath: join(temp.path, "model"),
      pathInRepo: "/v2/",
      filter: { include: ["*.json", "sub/*"], exclude: ["*.bin"] },
    });
    assert.deepEqual(
      files.map((file) => file.pathInRepo),
      ["v2/config.json"],
    );
  });

  it("uploads a single file under its own name or the given path, and refuses a missing path", async () => {
    const file = join(temp.path, "model", "config.json");
    assert.deepEqual(
      (await collectLocalFiles({ localPath: file })).map((entry) => entry.pathInRepo),
      ["config.json"],
    );
    assert.deepEqual(
      (await collectLocalFiles({ localPath: file, pathInRepo: "cfg/main.json" })).map(
        (entry) => entry.pathInRepo,
      ),
      ["cfg/main.json"],
    );
    await assert.rejects(collectLocalFiles({ localPath: join(temp.path, "nope") }), /does not exist/);
    await assert.rejects(collectLocalFiles({ localPath: file, pathInRepo: "../x" }), /Invalid path/);
  });
});
