import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_GITATTRIBUTES } from "../../src/hub/create-repo.ts";
import { ignoreRulesFromGitIgnore, lfsRulesFromGitAttributes } from "../../src/hub/write/git-patterns.ts";

describe("git patterns for preupload", () => {
  it("applies the Hub's default .gitattributes LFS rules at any depth", () => {
    const lfs = lfsRulesFromGitAttributes(DEFAULT_GITATTRIBUTES);
    assert.equal(lfs("model.safetensors"), true);
    assert.equal(lfs("onnx/model.onnx"), true);
    assert.equal(lfs("archive.tar.gz"), true);
    assert.equal(lfs("saved_model/variables/data"), true);
    assert.equal(lfs("runs/events.out.tfevents.123"), true);
    assert.equal(lfs("config.json"), undefined);
    assert.equal(lfs("nested/saved_model/x"), undefined, "a pattern with a slash is anchored at the root");
  });

  it("lets later lines switch LFS off and ignores comments", () => {
    const lfs = lfsRulesFromGitAttributes(
      "# weights\n*.bin filter=lfs diff=lfs\nsmall.bin -filter\n/top.dat filter=lfs\n",
    );
    assert.equal(lfs("big.bin"), true);
    assert.equal(lfs("small.bin"), false);
    assert.equal(lfs("top.dat"), true);
    assert.equal(lfs("sub/top.dat"), undefined);
  });

  it("matches .gitignore rules with folders and negation", () => {
    const ignored = ignoreRulesFromGitIgnore("*.log\n!keep.log\nbuild/\n/secret.txt\n__pycache__\n");
    assert.equal(ignored("run.log"), true);
    assert.equal(ignored("logs/run.log"), true);
    assert.equal(ignored("keep.log"), false);
    assert.equal(ignored("build/out.bin"), true);
    assert.equal(ignored("build"), false, "a folder-only rule does not match a file");
    assert.equal(ignored("secret.txt"), true);
    assert.equal(ignored("sub/secret.txt"), false);
    assert.equal(ignored("pkg/__pycache__/mod.pyc"), true);
    assert.equal(ignored("README.md"), false);
  });
});
