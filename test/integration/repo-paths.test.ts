import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listFiles, uploadFiles } from "@huggingface/hub";
import { apiError } from "../helpers/hub-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

/** Paths real repos use, in several scripts and shapes: every one must be accepted. */
const ACCEPTED = [
  ".gitattributes",
  ".github/workflows/ci.yml",
  "README.md",
  "onnx/model.onnx",
  "onnx/model_quantized.onnx",
  "1_Pooling/config.json",
  "2_Dense/config.json",
  "checkpoint-500/optimizer.pt",
  "runs/Jan01_00-00-00_host/events.out.tfevents.1672531200.host.1234.0",
  "data/train-00000-of-00001.parquet",
  "v1.0/config.json",
  "my model/read me.txt",
  "日本語/モデル.txt",
  "Русский.md",
  "عربي/ملف.txt",
  "हिन्दी.txt",
  "emoji 😀.txt",
  "console.log",
  "conv.py",
  "auxiliary_loss.py",
  "com10.txt",
  "a~b/~c.txt",
  "it's #1 & 100%=ok,+;@!$.txt",
];

/** Paths that escape a download folder or change meaning on a client's system, with the reason shown. */
const REFUSED: Array<[path: string, reason: RegExp]> = [
  ["~/.ssh/authorized_keys", /starts with "~"/],
  ["~root/x", /starts with "~"/],
  ["C:/Windows/x.dll", /drive letter/],
  ["c:x", /drive letter/],
  ["/etc/passwd", /absolute/],
  ["D:\\x", /backslash/],
  ["evil\u202Etxt.exe", /bidirectional/],
  ["a\u2066b.txt", /bidirectional/],
  ["a\u200Fb.txt", /bidirectional/],
  ["a\u0085b.txt", /control character/],
  ["a\u0007b.txt", /control character/],
  ["\uD800.txt", /lone surrogate/],
  ["con", /device name on Windows/],
  ["CON.txt", /device name on Windows/],
  ["nul.json", /device name on Windows/],
  ["aux.py", /device name on Windows/],
  ["com1", /device name on Windows/],
  ["LPT9.log", /device name on Windows/],
  ["folder/prn.bin", /device name on Windows/],
  ["con .txt", /device name on Windows/],
  ["ab:c.txt", /":", which Windows does not allow/],
  ["models/a:b.txt", /":"/],
  ["what?.txt", /"\?"/],
  ["x*.bin", /"\*"/],
  ["a|b", /"\|"/],
  ["<a>.txt", /"<"/],
  ['say"hi".txt', /"""/],
  ["folder./x", /ends with a dot or a space/],
  ["name ", /ends with a dot or a space/],
  [".git/config", /".git" segment/],
  ["sub/.git/hooks/pre-commit", /".git" segment/],
  [".GIT/config", /".GIT" segment/],
  [".cache/huggingface/download/x.metadata", /".cache" segment/],
  ["../x", /".." segment/],
  ["a//b", /empty segment/],
];

function ndjsonCommit(path: string): string {
  return [
    { key: "header", value: { summary: "path check" } },
    { key: "file", value: { path, content: Buffer.from("x").toString("base64"), encoding: "base64" } },
  ]
    .map((line) => JSON.stringify(line))
    .join("\n");
}

describe("paths in commits", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice", "write");
    const created = await fetch(`${hub.url}/api/repos/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "paths" }),
    });
    assert.equal(created.status, 200);
  });
  after(() => hub.close());

  it("accepts the paths real repos use, in any script, and serves them back", async () => {
    await uploadFiles({
      repo: "alice/paths",
      accessToken: token,
      hubUrl: hub.url,
      files: ACCEPTED.map((path) => ({ path, content: new Blob([`content of ${path}`]) })),
    });
    const listed: string[] = [];
    for await (const entry of listFiles({ repo: "alice/paths", recursive: true, hubUrl: hub.url })) {
      if (entry.type === "file") listed.push(entry.path);
    }
    assert.deepEqual(listed.sort(), [...ACCEPTED].sort());
    for (const path of ACCEPTED) {
      const url = `${hub.url}/alice/paths/resolve/main/${path.split("/").map(encodeURIComponent).join("/")}`;
      assert.equal(await (await fetch(url)).text(), `content of ${path}`, path);
    }
  });

  for (const [path, reason] of REFUSED) {
    const shown = JSON.stringify(path).replace(
      /[^\x20-\x7e]/gu,
      (char) => `\\u${char.charCodeAt(0).toString(16)}`,
    );
    it(`refuses ${shown} with 400 InvalidPath and the reason`, async () => {
      const response = await fetch(`${hub.url}/api/models/alice/paths/commit/main`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
        body: ndjsonCommit(path),
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("x-error-code"), "InvalidPath");
      const { error } = (await response.json()) as { error: string };
      assert.match(error, /^Line 2 of the commit: Invalid path "/);
      assert.match(error, reason);
      // The message shows invisible characters as escapes instead of reordering or hiding text.
      assert.doesNotMatch(error, /[\p{Cc}\p{Bidi_Control}\p{Cs}]/u);
    });
  }

  it("refuses the same paths at preupload and through the @huggingface/hub client", async () => {
    const preupload = await fetch(`${hub.url}/api/models/alice/paths/preupload/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ files: [{ path: "aux.py", size: 1, sample: "eA==" }] }),
    });
    assert.equal(preupload.status, 400);
    assert.equal(preupload.headers.get("x-error-code"), "InvalidPath");

    const error = await apiError(
      uploadFiles({
        repo: "alice/paths",
        accessToken: token,
        hubUrl: hub.url,
        files: [{ path: "evil\u202Etxt.exe", content: new Blob(["x"]) }],
      }),
    );
    assert.equal(error.statusCode, 400);
    assert.match(error.message, /bidirectional formatting character/);
    assert.match(error.message, /evil\\u202etxt\.exe/);
  });
});
