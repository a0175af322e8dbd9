import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ScanResult, scanFile } from "../../src/governance/scan/index.ts";
import { type CorpusFile, SCAN_CORPUS } from "../helpers/scan-corpus.ts";

const CORPUS: CorpusFile[] = SCAN_CORPUS;
let root: string;
const results = new Map<CorpusFile, ScanResult>();

before(async () => {
  root = await mkdtemp(join(tmpdir(), "hangar-scan-corpus-"));
  for (const [index, file] of CORPUS.entries()) {
    const dir = join(root, String(index));
    await mkdir(dir);
    await writeFile(join(dir, file.name), file.bytes);
    for (const [name, content] of Object.entries(file.siblings ?? {})) {
      if (content instanceof Uint8Array) await writeFile(join(dir, name), content);
      else await symlink(content.symlink, join(dir, name));
    }
    results.set(file, await scanFile(join(dir, file.name), file.limits ? { limits: file.limits } : {}));
  }
});
after(() => rm(root, { recursive: true, force: true }));

describe("scanner corpus", () => {
  test("has at least 40 flagged and 30 benign files across every format", () => {
    const flagged = CORPUS.filter((file) => file.expect !== "safe");
    const benign = CORPUS.filter((file) => file.expect === "safe");
    assert.ok(flagged.length >= 40, `${flagged.length} flagged files`);
    assert.ok(benign.length >= 30, `${benign.length} benign files`);
    const formats = new Set([...results.values()].map((result) => result.format.replace(/\+.*/, "")));
    for (const format of [
      "pickle",
      "pytorch-zip",
      "pytorch-legacy",
      "npy",
      "npz",
      "zip",
      "keras",
      "safetensors",
      "gguf",
      "onnx",
      "config",
      "python",
      "hdf5",
      "text",
      "json",
    ]) {
      assert.ok(formats.has(format), `no corpus file of format ${format}`);
    }
    const table = new Map<string, number>();
    for (const [file, result] of results) {
      const key = `${result.format.replace(/\+.*/, "")} ${file.expect === "safe" ? "benign" : "flagged"} ${result.verdict}`;
      table.set(key, (table.get(key) ?? 0) + 1);
    }
    process.stdout.write(`# corpus: ${flagged.length} flagged, ${benign.length} benign\n`);
    for (const [key, count] of [...table].sort()) process.stdout.write(`#   ${key}: ${count}\n`);
  });

  for (const file of CORPUS) {
    test(`${file.expect === "safe" ? "benign" : "flagged"}: ${file.name} (${file.why}) is ${file.expect}`, () => {
      const result = results.get(file)!;
      const detail = JSON.stringify(result.findings, null, 1);
      assert.equal(result.verdict, file.expect, `${file.name}: ${detail}`);
      if (file.rule)
        assert.ok(
          result.findings.some((finding) => finding.rule === file.rule),
          `${file.name} lacks ${file.rule}: ${detail}`,
        );
      if (file.format) assert.equal(result.format, file.format);
      for (const finding of result.findings) {
        assert.ok(
          finding.rule && finding.message && finding.severity,
          "every finding names its rule, severity and message",
        );
      }
    });
  }
});
