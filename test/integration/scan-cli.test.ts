import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hangarCli } from "../helpers/hangar-cli.ts";
import { torchZip } from "../helpers/scan-builders-containers.ts";
import { rawSafetensors } from "../helpers/scan-builders-tensors.ts";
import { OS_SYSTEM } from "../helpers/scan-corpus-pickle.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "hangar-scan-cli-"));
  await mkdir(join(root, "clean", "sub"), { recursive: true });
  await writeFile(
    join(root, "clean", "model.safetensors"),
    rawSafetensors('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 8),
  );
  await writeFile(join(root, "clean", "sub", "pytorch_model.bin"), torchZip());
  await mkdir(join(root, "remote"));
  await writeFile(join(root, "remote", "modeling.py"), "class Model: pass\n");
  await writeFile(join(root, "evil.pkl"), OS_SYSTEM);
});
after(() => rm(root, { recursive: true, force: true }));

describe("hangar scan", () => {
  test("exits 0 when nothing is flagged and prints a table of every file in the folders", async () => {
    const run = await hangarCli(["scan", join(root, "clean")]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /VERDICT\s+FORMAT\s+PATH/);
    assert.match(run.stdout, /safe\s+safetensors\s+\S+model\.safetensors/);
    assert.match(run.stdout, /safe\s+pytorch-zip\s+\S+pytorch_model\.bin/);
    assert.match(run.stderr, /2 files scanned: 2 safe/);
  });

  test("exits 1 when the worst verdict is suspicious", async () => {
    const run = await hangarCli(["scan", join(root, "clean"), join(root, "remote")]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /suspicious\s+code\.python/);
  });

  test("exits 2 on an unsafe file; --json prints one object per file", async () => {
    const run = await hangarCli(["scan", root, "--json"]);
    assert.equal(run.code, 2, run.stderr);
    const results = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.equal(results.length, 4);
    for (const result of results)
      assert.deepEqual(Object.keys(result).sort(), ["findings", "format", "path", "verdict"]);
    const evil = results.find((result) => String(result.path).endsWith("evil.pkl"))!;
    assert.equal(evil.verdict, "unsafe");
    assert.equal(evil.format, "pickle");
    assert.deepEqual(evil.findings, [
      {
        rule: "pickle.import.denied",
        severity: "unsafe",
        message: "STACK_GLOBAL imports os system: can run code, touch files or the network",
        import: "os.system",
        offset: 14,
      },
    ]);
  });

  test("a missing path or no path is a usage error", async () => {
    const missing = await hangarCli(["scan", join(root, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file or folder/);
    const none = await hangarCli(["scan", "--json"]);
    assert.equal(none.code, 2);
    assert.equal(JSON.parse(none.stderr).code, "HANGAR_ERR_BAD_REQUEST");
  });
});
