import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  createRepo,
  downloadFile,
  type ListFileEntry,
  listFiles,
  modelInfo,
  uploadFiles,
} from "@huggingface/hub";
import { HangarError } from "../../src/core/errors.ts";
import { startTestHangar, type TestHangar } from "./test-hangar.ts";

/**
 * An upstream Hangar for the mirror tests, with alice's repos: "tiny" (a card, a config, a folder, an empty
 * file and a 10 MB LFS file), "other" and "later" (one small file each) and the private "secret"; and
 * downstream Hangars that pull from it.
 */

export const BIG_SIZE = 10 * 1024 * 1024 + 12_345;
export const big = randomBytes(BIG_SIZE);
export const bigSha256 = createHash("sha256").update(big).digest("hex");
export const FILES: Record<string, Uint8Array> = {
  "README.md": Buffer.from("---\nlicense: mit\npipeline_tag: text-classification\n---\n# Tiny\n"),
  "config.json": Buffer.from(JSON.stringify({ model_type: "bert", architectures: ["BertModel"] })),
  "docs/notes.txt": Buffer.from("notes\n"),
  "empty.txt": new Uint8Array(0),
  "model.safetensors": big,
};

function sortedEntries(entries: ListFileEntry[]) {
  return entries
    .filter((entry) => entry.type === "file")
    .map(({ path, size, oid, lfs }) => ({ path, size, oid, lfs }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

export async function filesOf(url: string, name: string, accessToken?: string) {
  const entries: ListFileEntry[] = [];
  for await (const entry of listFiles({
    repo: name,
    hubUrl: url,
    recursive: true,
    ...(accessToken ? { accessToken } : {}),
  })) {
    entries.push(entry);
  }
  return sortedEntries(entries);
}

export async function bytesOf(url: string, name: string, path: string, revision?: string): Promise<Buffer> {
  const blob = await downloadFile({ repo: name, path, hubUrl: url, ...(revision ? { revision } : {}) });
  assert.ok(blob, `${path} downloads`);
  return Buffer.from(await blob.arrayBuffer());
}

/** The repo id's error from pullRepo: a HangarError with its code and message. */
export async function pullError(promise: Promise<unknown>): Promise<HangarError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    return error;
  }
  assert.fail("the pull succeeded");
}

export interface MirrorUpstream {
  upstream: TestHangar;
  /** alice's write token on the upstream. */
  token: string;
  /** The upstream's commit of alice/tiny. */
  upstreamSha: string;
  /** A new Hangar that mirrors the upstream (closed by `close`). */
  downstream(pullThrough?: boolean): Promise<TestHangar>;
  close(): Promise<void>;
}

export async function startMirrorUpstream(): Promise<MirrorUpstream> {
  const upstream = await startTestHangar();
  const token = await upstream.addUser("alice", "write");
  await createRepo({ repo: "alice/tiny", accessToken: token, hubUrl: upstream.url });
  await uploadFiles({
    repo: "alice/tiny",
    accessToken: token,
    hubUrl: upstream.url,
    commitTitle: "Add the model",
    files: Object.entries(FILES).map(([path, bytes]) => ({ path, content: new Blob([bytes]) })),
    useXet: false,
  });
  for (const name of ["other", "later"]) {
    await createRepo({
      repo: `alice/${name}`,
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "a.txt", content: new Blob([`${name}\n`]) }],
    });
  }
  await createRepo({
    repo: "alice/secret",
    accessToken: token,
    hubUrl: upstream.url,
    private: true,
    files: [{ path: "secret.txt", content: new Blob(["s3cret\n"]) }],
  });
  const upstreamSha = (
    await modelInfo({ name: "alice/tiny", hubUrl: upstream.url, additionalFields: ["sha"] })
  ).sha;
  const downstreams: TestHangar[] = [];
  return {
    upstream,
    token,
    upstreamSha,
    async downstream(pullThrough = false) {
      const instance = await startTestHangar({ upstream: { endpoint: upstream.url }, pullThrough });
      downstreams.push(instance);
      return instance;
    },
    async close() {
      for (const instance of downstreams) await instance.close();
      await upstream.close();
    },
  };
}
