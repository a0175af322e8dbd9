import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bufferSource } from "../../src/hub/metadata/blob-source.ts";
import { MAX_DECODED_MESSAGE_BYTES } from "../../src/hub/metadata/protobuf-scanner.ts";
import { readGgufHeader } from "../../src/hub/metadata/read-gguf.ts";
import { MAX_ONNX_SCAN_FIELDS, readOnnxModel } from "../../src/hub/metadata/read-onnx.ts";
import { ggufFile } from "../helpers/metadata-fixtures.ts";

/** A protobuf varint. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field. */
function message(field: number, body: Buffer): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(body.length), body]);
}

/** An ONNX ModelProto: ir_version 8 and a graph made of `graphFields`. */
function onnxModel(graphFields: Buffer): Buffer {
  return Buffer.concat([varint(1 * 8), varint(8), message(7, graphFields)]);
}

describe("model headers are read within bounds", () => {
  test("an ONNX graph input too large to decode at once is refused, not decoded", async () => {
    // A ValueInfoProto (graph field 11) whose name alone is 2 MiB.
    const valueInfo = message(1, Buffer.alloc(2 * 1024 ** 2, "a"));
    const input = message(11, valueInfo);
    await assert.rejects(
      readOnnxModel(bufferSource(onnxModel(input)), "model.onnx"),
      new RegExp(
        `a message of ${valueInfo.length} bytes is over the ${MAX_DECODED_MESSAGE_BYTES} read whole`,
      ),
    );
  });

  test("an ONNX graph of more fields than a scan may walk is only measured", async () => {
    // Initializers with nothing in them: two bytes each, one field each.
    const empty = message(5, Buffer.alloc(0));
    const graph = Buffer.concat(Array.from({ length: 1000 }, () => empty));
    const model = bufferSource(onnxModel(graph));
    const facts = await readOnnxModel(model, "model.onnx", { maxFields: 1000 });
    assert.equal(facts.decoded, false);
    assert.deepEqual(facts.warnings, [
      "model.onnx: reading the graph needs more than 1000 fields; only its size was recorded",
    ]);
    assert.ok(MAX_ONNX_SCAN_FIELDS >= 100_000);
    assert.equal((await readOnnxModel(model, "model.onnx", { maxFields: 1010 })).decoded, true);
  });

  test("an ONNX initializer with more dimensions than any tensor has is refused", async () => {
    const dims = Buffer.concat(Array.from({ length: 100 }, () => varint(1)));
    const initializer = message(5, message(1, dims));
    await assert.rejects(
      readOnnxModel(bufferSource(onnxModel(initializer)), "model.onnx"),
      /more than 64 packed values/,
    );
  });

  test("a GGUF header larger than the first read is read again, larger", async () => {
    const text = "a long description ".repeat(130_000);
    const file = ggufFile(
      {
        "general.architecture": { type: "string", value: "llama" },
        "general.description": { type: "string", value: text },
        "general.license.text": { type: "string", value: text },
        "llama.context_length": { type: "uint32", value: 4096 },
      },
      [{ name: "token_embd.weight", shape: [8, 4], ggmlType: 0 }],
    );
    assert.ok(file.length > 4 * 1024 ** 2);
    let bytesRead = 0;
    const source = bufferSource(file);
    const counting = {
      size: source.size,
      read: (start: number, end: number) => {
        bytesRead += end - start;
        return source.read(start, end);
      },
    };
    const facts = await readGgufHeader(counting, "model.gguf");
    assert.equal(facts.architecture, "llama");
    assert.equal(facts.contextLength, 4096);
    assert.equal(facts.parameters, 32);
    // 4 MiB first, then the whole (small) file.
    assert.equal(bytesRead, 4 * 1024 ** 2 + file.length);
  });
});
