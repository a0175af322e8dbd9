// Scanning in the hub on an S3-compatible blob store (the scanner reads ranges of the objects), and the
// HANGAR_SCAN_BLOCK setting.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { resolveConfig } from "../../src/core/config.ts";
import { S3RVER_CREDENTIALS, startTestS3, type TestS3 } from "../helpers/s3.ts";
import { onnxModel } from "../helpers/scan-builders-tensors.ts";
import { waitForScans } from "../helpers/scan-hub.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

describe("scanning in the hub on S3 blobs", () => {
  let s3: TestS3;
  let hub: TestHangar;
  let token: string;

  before(async () => {
    s3 = await startTestS3();
    await (await s3.createStore("scan-blobs")).close();
    hub = await startTestHangar({
      blobStore: "s3://scan-blobs/instance",
      s3: {
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: "us-east-1",
        credentials: S3RVER_CREDENTIALS,
        downloads: "redirect",
      },
    });
    hub.hangar.scans.start();
    token = await hub.addUser("alice", "write");
    await createRepo({ repo: "alice/onnx", accessToken: token, hubUrl: hub.url });
  });
  after(async () => {
    await hub?.close();
    await s3?.stop();
  });

  it("reads blobs from the bucket and checks ONNX external data against the files committed next to it", async () => {
    await uploadFiles({
      repo: "alice/onnx",
      accessToken: token,
      hubUrl: hub.url,
      files: [
        {
          path: "onnx/model.onnx",
          content: new Blob([
            onnxModel({ initializers: [{ name: "w", external: { location: "model.data", length: "16" } }] }),
          ]),
        },
        { path: "onnx/model.data", content: new Blob([new Uint8Array(16)]) },
        {
          path: "onnx/other.onnx",
          content: new Blob([
            onnxModel({ initializers: [{ name: "w", external: { location: "absent.data" } }] }),
          ]),
        },
        {
          path: "onnx/escape.onnx",
          content: new Blob([
            onnxModel({ initializers: [{ name: "w", external: { location: "../../x" } }] }),
          ]),
        },
      ],
    });
    const status = await waitForScans(hub.url, "alice/onnx", token);
    assert.deepEqual(
      status.filesWithIssues.map((file) => [file.path, file.level]),
      [
        ["onnx/escape.onnx", "unsafe"],
        ["onnx/other.onnx", "suspicious"],
      ],
    );
    assert.match(status.filesWithIssues[1]!.findings.join("\n"), /onnx\.external-data\.missing/);
  });
});

describe("the scan block policy setting", () => {
  it("reads HANGAR_SCAN_BLOCK as a list of verdicts, off or empty meaning flag only, and names it when wrong", () => {
    const block = (value: string) => resolveConfig({ env: { HANGAR_SCAN_BLOCK: value } }).scanBlock;
    assert.deepEqual(block("unsafe"), ["unsafe"]);
    assert.deepEqual(block(" Unsafe, invalid ,unsafe"), ["unsafe", "invalid"]);
    assert.deepEqual(block("off"), []);
    assert.deepEqual(block(""), []);
    assert.equal(resolveConfig({ env: {} }).scanBlock, undefined);
    assert.throws(
      () => block("unsafe,evil"),
      /HANGAR_SCAN_BLOCK must list verdicts among suspicious, invalid, unsafe/,
    );
  });
});
