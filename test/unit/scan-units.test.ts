import assert from "node:assert/strict";
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parquetWriteBuffer } from "hyparquet-writer";
import { buildModel } from "../../src/factory/make-model.ts";
import { scanFile } from "../../src/governance/scan/index.ts";
import { escapeDecode } from "../../src/governance/scan/pickle-vm.ts";
import { op, pickle } from "../helpers/pickle-asm.ts";
import { pb, rawSafetensors } from "../helpers/scan-builders-tensors.ts";
import { OS_SYSTEM } from "../helpers/scan-corpus-pickle.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "hangar-scan-units-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("scanner findings", () => {
  test("a pickle import finding names the rule, the import and the opcode's byte offset", async () => {
    const result = await scanFile(OS_SYSTEM, { name: "model.pkl" });
    assert.equal(result.verdict, "unsafe");
    assert.deepEqual(
      result.findings.map(({ rule, import: imported, offset }) => ({ rule, imported, offset })),
      [{ rule: "pickle.import.denied", imported: "os.system", offset: 14 }],
    );
  });

  test("bytes need a name only for extension-based formats; magic bytes decide first", async () => {
    assert.equal((await scanFile(OS_SYSTEM)).verdict, "unsafe");
    assert.equal((await scanFile(Buffer.from("plain words\n"))).format, "unknown");
  });

  test("payloads larger than the read window are skipped (read past, or seeked over) and the import after them is found", async () => {
    for (const payload of [3 * 1024 * 1024 + 5, 9 * 1024 * 1024 + 3]) {
      const big = pickle(
        op.proto(4),
        op.binbytes(Buffer.alloc(payload, 0x61)),
        op.pop,
        op.unicode("x".repeat(200_000)),
        op.pop,
      );
      const path = join(dir, `big-${payload}.pkl`);
      await writeFile(path, Buffer.concat([big, OS_SYSTEM.subarray(2)]));
      const result = await scanFile(path);
      assert.equal(result.verdict, "unsafe");
      assert.equal(result.findings[0]!.import, "os.system");
      assert.equal(result.findings[0]!.offset, big.length + 12);
      await writeFile(path, big.subarray(0, 1024 * 1024));
      const truncated = await scanFile(path);
      assert.equal(truncated.verdict, "unsafe");
      assert.equal(truncated.findings[0]!.rule, "pickle.no-stop");
    }
  });

  test("long text operands are skipped, not held: a 2 MB protocol-0 string is data, a 100 KB module name is not", async () => {
    const text = pickle(
      op.mark,
      op.unicode("y".repeat(2 * 1024 * 1024)),
      op.string(`'${"z".repeat(100_000)}'`),
      op.list,
      op.stop,
    );
    assert.equal((await scanFile(text, { name: "text.pkl" })).verdict, "safe");
    const longName = pickle(op.global(`os${" ".repeat(0)}${"x".repeat(100_000)}`, "system"), op.stop);
    const result = await scanFile(longName, { name: "long.pkl" });
    assert.equal(result.verdict, "unsafe");
    assert.equal(result.findings[0]!.rule, "pickle.import.unresolved");
  });

  test("STRING operands decode Python escapes", () => {
    assert.equal(escapeDecode(Buffer.from("o\\x73\\163\\n\\'")), "oss\n'");
  });

  test("a 2 GB safetensors file is validated from its header and size (sparse file, never read)", async () => {
    const path = join(dir, "huge.safetensors");
    const size = 2 * 1024 ** 3;
    const header = rawSafetensors(
      `{"w":{"dtype":"F32","shape":[${size / 4}],"data_offsets":[0,${size}]}}`,
      0,
    );
    await writeFile(path, header);
    const handle = await open(path, "r+");
    await handle.truncate(header.length + size);
    await handle.close();
    const started = performance.now();
    const result = await scanFile(path);
    assert.equal(result.verdict, "safe", JSON.stringify(result.findings));
    assert.ok(performance.now() - started < 2000, "header-only validation is fast");
  });

  test("data files: secrets and personal data are counted with masked samples", async () => {
    const path = join(dir, "users.csv");
    await writeFile(
      path,
      "email,card\njane.doe@example.com,4111111111111111\njohn@example.org,4012888888881881\njane.doe@example.com,1\n",
    );
    const result = await scanFile(path);
    assert.equal(result.verdict, "suspicious");
    const email = result.findings.find((finding) => finding.rule === "data.personal.email")!;
    assert.equal(email.count, 3);
    assert.deepEqual(email.samples, ["j***@example.com", "j***@example.org"]);
    const card = result.findings.find((finding) => finding.rule === "data.personal.card")!;
    assert.equal(card.count, 2);
    assert.deepEqual(card.samples, ["**** 1111", "**** 1881"]);
    assert.ok(!JSON.stringify(result).includes("jane.doe"), "no sample shows the whole value");
  });

  test("personal data in a model card is noted, not flagged; a secret anywhere is flagged", async () => {
    const card = await scanFile(Buffer.from("Contact: maintainer@example.com\n"), { name: "README.md" });
    assert.equal(card.verdict, "safe");
    assert.equal(card.findings[0]!.severity, "info");
    const script = await scanFile(Buffer.from("AWS_KEY = 'AKIAIOSFODNN7EXAMPLE'\n"), { name: "train.sh" });
    assert.equal(script.verdict, "suspicious");
  });

  test("Parquet string cells are scanned", async () => {
    const flagged = parquetWriteBuffer({
      columnData: [
        {
          name: "text",
          data: ["hello", "write to ann@example.com", `token hf_${"Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z"}`],
          type: "STRING",
        },
        { name: "n", data: [1, 2, 3], type: "INT32" },
      ],
    });
    const result = await scanFile(new Uint8Array(flagged), { name: "train.parquet" });
    assert.equal(result.format, "parquet");
    assert.equal(result.verdict, "suspicious");
    assert.deepEqual(result.findings.map((finding) => finding.rule).sort(), [
      "data.personal.email",
      "data.secret.huggingface",
    ]);
    const clean = parquetWriteBuffer({ columnData: [{ name: "text", data: ["a", "b"], type: "STRING" }] });
    assert.equal((await scanFile(new Uint8Array(clean), { name: "ok.parquet" })).verdict, "safe");
  });

  test("every file of real factory models (ONNX graphs, tokenizers, configs, cards) is safe", async () => {
    for (const kind of ["sentiment", "minilm"] as const) {
      const model = await buildModel(kind, { name: `scan-${kind}`, size: "tiny" });
      const formats = new Set<string>();
      for (const [path, content] of Object.entries(model.files)) {
        const result = await scanFile(typeof content === "string" ? Buffer.from(content) : content, {
          name: path,
        });
        assert.equal(result.verdict, "safe", `${kind} ${path}: ${JSON.stringify(result.findings)}`);
        assert.deepEqual(result.findings, []);
        formats.add(result.format);
      }
      assert.ok(formats.has("onnx") && formats.has("config"), [...formats].join(", "));
    }
  });

  test("a real ONNX model with a custom-domain node and an escaping initializer merged into its graph is flagged", async () => {
    const model = await buildModel("sentiment", { name: "scan-onnx" });
    const onnx = model.files["onnx/model.onnx"] as Uint8Array;
    // Protobuf merges a repeated `graph` field into the first: its nodes and initializers are appended.
    const injected = Buffer.concat([
      onnx,
      pb.message(
        7,
        pb.message(1, pb.bytes(4, "Exec"), pb.bytes(7, "com.attacker")),
        pb.message(
          5,
          pb.bytes(8, "w2"),
          pb.message(13, pb.bytes(1, "location"), pb.bytes(2, "../../../root/.ssh/id_rsa")),
          pb.int(14, 1),
        ),
      ),
    ]);
    const result = await scanFile(injected, { name: "model.onnx" });
    assert.equal(result.verdict, "unsafe");
    assert.deepEqual(result.findings.map((finding) => finding.rule).sort(), [
      "onnx.custom-domain",
      "onnx.external-data.location",
    ]);
    assert.equal(
      result.findings.find((finding) => finding.rule === "onnx.custom-domain")!.construct,
      "com.attacker.Exec",
    );
  });

  test("a truncated zip is invalid, never safe", async () => {
    const result = await scanFile(Buffer.from("PK\x03\x04 truncated"), { name: "model.pt" });
    assert.equal(result.verdict, "invalid");
  });
});
