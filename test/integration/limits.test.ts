import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createRepo, uploadFiles } from "@huggingface/hub";
import { resolveConfig } from "../../src/core/config.ts";
import { HangarError } from "../../src/core/errors.ts";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { apiError } from "../helpers/hub-errors.ts";
import { startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const MiB = 1024 ** 2;

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const base64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64");

interface PreuploadAnswer {
  files: Array<{ path: string; uploadMode: string; shouldIgnore: boolean; oid?: string }>;
}

function preupload(
  hub: TestHangar,
  token: string,
  repo: string,
  files: Array<{ path: string; size: number; sample: string }>,
): Promise<Response> {
  return fetch(`${hub.url}/api/models/${repo}/preupload/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ files }),
  });
}

function lfsBatch(
  hub: TestHangar,
  token: string,
  repo: string,
  objects: Array<{ oid: string; size: number }>,
): Promise<Response> {
  return fetch(`${hub.url}/${repo}.git/info/lfs/objects/batch`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.git-lfs+json",
      "content-type": "application/vnd.git-lfs+json",
    },
    body: JSON.stringify({ operation: "upload", transfers: ["basic"], hash_algo: "sha256", objects }),
  });
}

function postCommit(hub: TestHangar, token: string, repo: string, lines: unknown[]): Promise<Response> {
  return fetch(`${hub.url}/api/models/${repo}/commit/main`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
    body: `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`,
  });
}

const header = (summary: string) => ({ key: "header", value: { summary } });
const inlineFile = (path: string, bytes: Uint8Array | string) => ({
  key: "file",
  value: { path, content: base64(bytes), encoding: "base64" },
});

describe("preupload: the size rule on its own", () => {
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar();
    token = await hub.addUser("alice");
    // A new repo holds the Hub's default .gitattributes; none of the names below match its patterns.
    await createRepo({ repo: "alice/sizes", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  it("answers lfs from 10 MiB on, regular below, and lfs for a small binary sample", async () => {
    assert.equal(hub.hangar.config.limits.lfsThreshold, 10 * MiB);
    const text = base64("plain text, no NUL byte\n");
    const response = await preupload(hub, token, "alice/sizes", [
      { path: "data/exactly-10mib.txt", size: 10 * MiB, sample: text },
      { path: "data/just-under.txt", size: 10 * MiB - 1, sample: text },
      { path: "data/over.jsonl", size: 10 * MiB + 1, sample: text },
      { path: "notes.txt", size: 24, sample: text },
      { path: "blob.dat", size: 4, sample: base64(new Uint8Array([0, 1, 2, 3])) },
      { path: "empty.dat", size: 0, sample: "" },
    ]);
    assert.equal(response.status, 200);
    assert.deepEqual((await response.json()) as PreuploadAnswer, {
      files: [
        { path: "data/exactly-10mib.txt", uploadMode: "lfs", shouldIgnore: false },
        { path: "data/just-under.txt", uploadMode: "regular", shouldIgnore: false },
        { path: "data/over.jsonl", uploadMode: "lfs", shouldIgnore: false },
        { path: "notes.txt", uploadMode: "regular", shouldIgnore: false },
        // A NUL byte in the sample makes a file binary, and binary files go through LFS.
        { path: "blob.dat", uploadMode: "lfs", shouldIgnore: false },
        // The Python client sends empty files inline whatever the answer; Hangar says so too.
        { path: "empty.dat", uploadMode: "regular", shouldIgnore: false },
      ],
    });
  });

  it("follows a lowered threshold, and the real client then stores a text file through LFS", async () => {
    const small = await startTestHangar({ limits: { ...DEFAULT_LIMITS, lfsThreshold: 64 * 1024 } });
    try {
      const smallToken = await small.addUser("alice");
      await createRepo({ repo: "alice/low", accessToken: smallToken, hubUrl: small.url });
      const text = base64("text");
      const answer = await preupload(small, smallToken, "alice/low", [
        { path: "at.txt", size: 64 * 1024, sample: text },
        { path: "under.txt", size: 64 * 1024 - 1, sample: text },
      ]);
      assert.deepEqual(((await answer.json()) as PreuploadAnswer).files, [
        { path: "at.txt", uploadMode: "lfs", shouldIgnore: false },
        { path: "under.txt", uploadMode: "regular", shouldIgnore: false },
      ]);

      const large = Buffer.from("line of text\n".repeat(6000)); // 78,000 bytes
      const short = Buffer.from("short\n");
      await uploadFiles({
        repo: "alice/low",
        accessToken: smallToken,
        hubUrl: small.url,
        files: [
          { path: "large.txt", content: new Blob([large]) },
          { path: "short.txt", content: new Blob([short]) },
        ],
      });
      const tree = (await (await fetch(`${small.url}/api/models/alice/low/tree/main`)).json()) as Array<{
        path: string;
        size: number;
        lfs?: { oid: string; size: number; pointerSize: number };
      }>;
      const entry = (path: string) => tree.find((item) => item.path === path);
      assert.deepEqual(entry("large.txt")?.lfs, {
        oid: sha256(large),
        size: large.byteLength,
        pointerSize: entry("large.txt")!.lfs!.pointerSize,
      });
      assert.ok(entry("large.txt")!.lfs!.pointerSize > 100);
      assert.equal(entry("short.txt")?.lfs, undefined);
      assert.equal(entry("short.txt")?.size, short.byteLength);
      const back = await fetch(`${small.url}/alice/low/resolve/main/large.txt`);
      assert.equal(back.headers.get("x-linked-etag"), `"${sha256(large)}"`);
      assert.ok(Buffer.from(await back.arrayBuffer()).equals(large));
    } finally {
      await small.close();
    }
  });
});

describe("limits enforced over HTTP", () => {
  const MAX_FILE = 64 * 1024;
  let hub: TestHangar;
  let token: string;
  before(async () => {
    hub = await startTestHangar({
      limits: { ...DEFAULT_LIMITS, maxFileSize: MAX_FILE, lfsThreshold: 16 * 1024, maxFilesPerCommit: 3 },
    });
    token = await hub.addUser("carol");
    await createRepo({ repo: "carol/limits", accessToken: token, hubUrl: hub.url });
  });
  after(() => hub.close());

  const head = async (): Promise<string> => {
    const sha = (await hub.hangar.catalog.repos.get({ type: "model", namespace: "carol", name: "limits" }))
      ?.sha;
    assert.ok(sha);
    return sha;
  };
  const mainRef = async (): Promise<string> => {
    const refs = (await (await fetch(`${hub.url}/api/models/carol/limits/refs`)).json()) as {
      branches: Array<{ name: string; targetCommit: string }>;
    };
    return refs.branches.find((branch) => branch.name === "main")!.targetCommit;
  };

  it("answers an LFS object over the file-size limit with a per-object 413 error, the others as usual", async () => {
    const tooBig = Buffer.alloc(MAX_FILE + 1, 1);
    const fits = Buffer.alloc(MAX_FILE, 2);
    const response = await lfsBatch(hub, token, "carol/limits", [
      { oid: sha256(tooBig), size: tooBig.byteLength },
      { oid: sha256(fits), size: fits.byteLength },
    ]);
    // The git-lfs batch convention: the request succeeds, and each object carries its own error.
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/vnd.git-lfs+json");
    const body = (await response.json()) as {
      transfer: string;
      objects: Array<{ oid: string; size: number; error?: unknown; actions?: { upload: { href: string } } }>;
    };
    assert.equal(body.transfer, "basic");
    assert.deepEqual(body.objects[0], {
      oid: sha256(tooBig),
      size: MAX_FILE + 1,
      error: { code: 413, message: `${sha256(tooBig)} is 65537 bytes, over the limit of 65536 bytes` },
    });
    assert.equal(body.objects[1]!.oid, sha256(fits));
    assert.equal(body.objects[1]!.error, undefined);
    assert.match(body.objects[1]!.actions!.upload.href, /^http:\/\/127\.0\.0\.1:\d+\/api\/lfs-upload\//);
  });

  it("makes the real client's upload of a too-large file fail with that message, and commits nothing", async () => {
    const before = await head();
    const error = await apiError(
      uploadFiles({
        repo: "carol/limits",
        accessToken: token,
        hubUrl: hub.url,
        files: [{ path: "weights.bin", content: new Blob([Buffer.alloc(MAX_FILE + 1, 3)]) }],
      }),
    );
    assert.equal(error.statusCode, 413);
    const oid = sha256(Buffer.alloc(MAX_FILE + 1, 3));
    assert.equal(
      error.message,
      `Error while doing LFS batch call for weights.bin: ${oid} is 65537 bytes, over the limit of 65536 bytes`,
    );
    assert.equal(await head(), before);
    assert.equal(await hub.hangar.blobs.sizeOf(oid), null);
  });

  it("refuses an inline NDJSON file over the file-size limit with 413 and stores nothing", async () => {
    const before = await mainRef();
    // Text, so it travels inline; it is still over the file-size limit.
    const content = Buffer.from("x".repeat(MAX_FILE + 1));
    const response = await postCommit(hub, token, "carol/limits", [
      header("Too large"),
      inlineFile("big.txt", content),
    ]);
    assert.equal(response.status, 413);
    assert.equal(response.headers.get("x-error-code"), "PayloadTooLarge");
    const message = "big.txt is 65537 bytes, over the limit of 65536 bytes";
    assert.equal(response.headers.get("x-error-message"), message);
    assert.deepEqual(await response.json(), { error: message, code: "HANGAR_ERR_PAYLOAD_TOO_LARGE" });
    assert.equal(await mainRef(), before);
    assert.equal(await hub.hangar.blobs.sizeOf(sha256(content)), null, "the refused bytes are not kept");
    const missing = await fetch(`${hub.url}/carol/limits/resolve/main/big.txt`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");

    // A file of exactly the limit is accepted.
    const exact = await postCommit(hub, token, "carol/limits", [
      header("At the limit"),
      inlineFile("exact.txt", "y".repeat(MAX_FILE)),
    ]);
    assert.equal(exact.status, 200, await exact.clone().text());
    assert.notEqual(await mainRef(), before);
  });

  it("refuses a commit with more files than the limit (413) and leaves the branch head unchanged", async () => {
    const before = await mainRef();
    const commitsBefore = (await (
      await fetch(`${hub.url}/api/models/carol/limits/commits/main`)
    ).json()) as [];
    const response = await postCommit(hub, token, "carol/limits", [
      header("Four files"),
      inlineFile("one.txt", "1"),
      inlineFile("two.txt", "2"),
      inlineFile("three.txt", "3"),
      inlineFile("four.txt", "4"),
    ]);
    assert.equal(response.status, 413);
    assert.equal(response.headers.get("x-error-code"), "PayloadTooLarge");
    const message = "A commit may hold at most 3 operations (line 5 is one more)";
    assert.deepEqual(await response.json(), { error: message, code: "HANGAR_ERR_PAYLOAD_TOO_LARGE" });
    assert.equal(await mainRef(), before);
    const commitsAfter = (await (
      await fetch(`${hub.url}/api/models/carol/limits/commits/main`)
    ).json()) as [];
    assert.deepEqual(commitsAfter, commitsBefore);
    const one = await fetch(`${hub.url}/carol/limits/resolve/main/one.txt`);
    assert.equal(one.status, 404);

    // The real client's commit of four files meets the same answer.
    const error = await apiError(
      uploadFiles({
        repo: "carol/limits",
        accessToken: token,
        hubUrl: hub.url,
        files: ["a", "b", "c", "d"].map((name) => ({ path: `${name}.txt`, content: new Blob([name]) })),
      }),
    );
    assert.equal(error.statusCode, 413);
    assert.match(error.message, /^A commit may hold at most 3 operations \(line 5 is one more\)\. URL: /);
    assert.equal(await mainRef(), before);

    // Three files are within the limit.
    const three = await postCommit(hub, token, "carol/limits", [
      header("Three files"),
      inlineFile("one.txt", "1"),
      inlineFile("two.txt", "2"),
      inlineFile("three.txt", "3"),
    ]);
    assert.equal(three.status, 200);
    assert.notEqual(await mainRef(), before);
  });

  it("refuses JSON bodies over the request-body limit with 413 before reading them", async () => {
    const small = await startTestHangar({ limits: { ...DEFAULT_LIMITS, maxRequestBodySize: 1024 } });
    try {
      const smallToken = await small.addUser("dora");
      await createRepo({ repo: "dora/r", accessToken: smallToken, hubUrl: small.url });
      const files = Array.from({ length: 40 }, (_, index) => ({
        path: `file-${index}.txt`,
        size: 1,
        sample: base64("x"),
      }));
      const response = await preupload(small, smallToken, "dora/r", files);
      assert.equal(response.status, 413);
      assert.equal(response.headers.get("x-error-code"), "PayloadTooLarge");
      const length = JSON.stringify({ files }).length;
      assert.deepEqual(await response.json(), {
        error: `The request body is ${length} bytes, over the limit of 1024 bytes`,
        code: "HANGAR_ERR_PAYLOAD_TOO_LARGE",
      });
    } finally {
      await small.close();
    }
  });
});

describe("limits from the environment", () => {
  const NAMES = [
    "HANGAR_MAX_FILE_SIZE",
    "HANGAR_MAX_REQUEST_BODY_SIZE",
    "HANGAR_MAX_FILES_PER_COMMIT",
    "HANGAR_LFS_THRESHOLD",
  ] as const;

  it("reads the four limit variables into config.limits", () => {
    const config = resolveConfig({
      env: {
        HANGAR_MAX_FILE_SIZE: "1073741824",
        HANGAR_MAX_REQUEST_BODY_SIZE: "1048576",
        HANGAR_MAX_FILES_PER_COMMIT: "100",
        HANGAR_LFS_THRESHOLD: "5242880",
      },
    });
    assert.deepEqual(config.limits, {
      maxFileSize: 1024 ** 3,
      maxRequestBodySize: MiB,
      maxFilesPerCommit: 100,
      lfsThreshold: 5 * MiB,
      maxPageSize: DEFAULT_LIMITS.maxPageSize,
    });
  });

  it("uses the defaults when the variables are unset or empty", () => {
    assert.deepEqual(resolveConfig({ env: {} }).limits, DEFAULT_LIMITS);
    const empty = Object.fromEntries(NAMES.map((name) => [name, ""]));
    assert.deepEqual(resolveConfig({ env: empty }).limits, DEFAULT_LIMITS);
  });

  it("refuses a malformed value with one line naming the variable and the value", () => {
    for (const name of NAMES) {
      // Number() would take the last four as 1000000, 16, 5 and 1.
      for (const value of ["10MB", "abc", "-1", "0", "1.5", "1e6", "0x10", " 5", "1.0"]) {
        assert.throws(
          () => resolveConfig({ env: { [name]: value } }),
          (error: unknown) => {
            assert.ok(HangarError.isInstance(error));
            assert.equal(error.code, "HANGAR_ERR_BAD_REQUEST");
            assert.equal(error.message, `${name} must be a positive integer, got "${value}"`);
            return true;
          },
          `${name}=${value}`,
        );
      }
    }
  });
});
