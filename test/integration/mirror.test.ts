import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type CommitData,
  createRepo,
  datasetInfo,
  downloadFile,
  type ListFileEntry,
  listCommits,
  listFiles,
  modelInfo,
  uploadFiles,
} from "@huggingface/hub";
import { HangarError } from "../../src/core/errors.ts";
import { partialDownloadsFolder } from "../../src/hub/mirror/download-upstream-file.ts";
import { mirrorInfoOf } from "../../src/hub/mirror/mirror-info.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import { syncFromUpstream } from "../../src/hub/mirror/sync-from-upstream.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const BIG_SIZE = 10 * 1024 * 1024 + 12_345;
const big = randomBytes(BIG_SIZE);
const bigSha256 = createHash("sha256").update(big).digest("hex");
const FILES: Record<string, Uint8Array> = {
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

async function filesOf(url: string, name: string, accessToken?: string) {
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

async function bytesOf(url: string, name: string, path: string, revision?: string): Promise<Buffer> {
  const blob = await downloadFile({ repo: name, path, hubUrl: url, ...(revision ? { revision } : {}) });
  assert.ok(blob, `${path} downloads`);
  return Buffer.from(await blob.arrayBuffer());
}

/** The repo id's error from pullRepo: a HangarError with its code and message. */
async function pullError(promise: Promise<unknown>): Promise<HangarError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(HangarError.isInstance(error), `expected a HangarError, got ${String(error)}`);
    return error;
  }
  assert.fail("the pull succeeded");
}

describe("mirroring from an upstream Hangar", () => {
  let upstream: TestHangar;
  let token: string;
  let upstreamSha: string;
  const downstreams: TestHangar[] = [];
  const downstream = async (pullThrough = false) => {
    const instance = await startTestHangar({ upstream: { endpoint: upstream.url }, pullThrough });
    downstreams.push(instance);
    return instance;
  };

  before(async () => {
    upstream = await startTestHangar();
    token = await upstream.addUser("alice", "write");
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
    upstreamSha = (await modelInfo({ name: "alice/tiny", hubUrl: upstream.url, additionalFields: ["sha"] }))
      .sha;
  });
  after(async () => {
    for (const instance of downstreams) await instance.close();
    await upstream.close();
  });

  it("pulls a repo with the upstream's commit id, file list, commit details and bytes", async () => {
    const down = await downstream();
    const result = await pullRepo(down.hangar, { repo: "alice/tiny" });
    assert.equal(result.commit, upstreamSha);
    assert.equal(result.repoCreated, true);
    assert.equal(result.filesDownloaded, Object.keys(FILES).length + 1, "the files and .gitattributes");
    assert.equal(result.partial, false);
    assert.deepEqual(result.refs, ["main"]);

    const info = await modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(info.sha, upstreamSha);
    assert.equal(info.task, "text-classification", "metadata extracted from the pulled card");
    assert.deepEqual(await filesOf(down.url, "alice/tiny"), await filesOf(upstream.url, "alice/tiny"));
    const lfs = (await filesOf(down.url, "alice/tiny")).find((entry) => entry.path === "model.safetensors");
    assert.equal(lfs?.lfs?.oid, bigSha256);

    for (const [path, bytes] of Object.entries(FILES)) {
      assert.ok((await bytesOf(down.url, "alice/tiny", path)).equals(Buffer.from(bytes)), path);
    }
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors", upstreamSha)).equals(big));

    const firstCommit = async (url: string): Promise<CommitData> => {
      const first = await listCommits({ repo: "alice/tiny", hubUrl: url }).next();
      assert.ok(!first.done);
      return first.value;
    };
    const upstreamCommit = await firstCommit(upstream.url);
    const downstreamCommit = await firstCommit(down.url);
    assert.equal(downstreamCommit.title, "Add the model");
    assert.deepEqual(
      { ...downstreamCommit, authors: downstreamCommit.authors.map((author) => author.username) },
      { ...upstreamCommit, authors: upstreamCommit.authors.map((author) => author.username) },
    );

    const again = await pullRepo(down.hangar, { repo: "alice/tiny" });
    assert.equal(again.commit, upstreamSha);
    assert.equal(again.commitCreated, false);
    assert.equal(again.filesDownloaded, 0, "a second pull downloads nothing");
    assert.equal(again.bytesDownloaded, 0);
  });

  it("pulls a selection as a partial snapshot of the same commit, then completes it", async () => {
    const down = await downstream();
    const partial = await pullRepo(down.hangar, {
      repo: "alice/tiny",
      include: ["*.json", "*.md", "docs/"],
      exclude: ["config.json"],
    });
    assert.equal(partial.commit, upstreamSha);
    assert.equal(partial.partial, true);
    assert.equal(partial.upstreamFiles, 6);
    assert.deepEqual(
      (await filesOf(down.url, "alice/tiny")).map((entry) => entry.path),
      ["README.md", "docs/notes.txt"],
    );
    const info = await modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(info.sha, upstreamSha);

    const full = await pullRepo(down.hangar, { repo: "alice/tiny" });
    assert.equal(full.partial, false);
    assert.equal(full.filesDownloaded, 4, "only the files the partial pull left out");
    assert.deepEqual(await filesOf(down.url, "alice/tiny"), await filesOf(upstream.url, "alice/tiny"));
  });

  it("records a pulled tag as a tag, and as main in a repo that has none", async () => {
    const tagged = await fetch(`${upstream.url}/api/models/alice/tiny/tag/main`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ tag: "v1" }),
    });
    assert.equal(tagged.status, 200);
    const down = await downstream();
    const result = await pullRepo(down.hangar, { repo: "alice/tiny", revision: "v1", include: ["*.md"] });
    assert.equal(result.commit, upstreamSha);
    assert.deepEqual(result.refs, ["main", "refs/tags/v1"]);
    const refs = (await (await fetch(`${down.url}/api/models/alice/tiny/refs`)).json()) as {
      branches: Array<{ targetCommit: string }>;
      tags: unknown[];
    };
    assert.deepEqual(refs.tags, [{ name: "v1", ref: "refs/tags/v1", targetCommit: upstreamSha }]);
    assert.equal(refs.branches[0]?.targetCommit, upstreamSha);
  });

  it("resumes a download from its partial file with a Range request", async () => {
    const down = await downstream();
    const have = 3 * 1024 * 1024;
    await mkdir(partialDownloadsFolder(down.hangar), { recursive: true });
    await writeFile(join(partialDownloadsFolder(down.hangar), `${bigSha256}.part`), big.subarray(0, have));
    const result = await pullRepo(down.hangar, { repo: "alice/tiny", include: ["*.safetensors"] });
    assert.equal(result.filesDownloaded, 1);
    assert.equal(result.bytesDownloaded, BIG_SIZE - have, "only the bytes after the partial file");
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
  });

  it("refuses bytes that do not match the upstream's sha256, stores nothing, and succeeds on the next run", async () => {
    const down = await downstream();
    const partial = join(partialDownloadsFolder(down.hangar), `${bigSha256}.part`);
    await mkdir(partialDownloadsFolder(down.hangar), { recursive: true });
    // A partial file whose bytes are not the file's start: resumed, the whole cannot match.
    await writeFile(partial, randomBytes(1024 * 1024));
    const refused = await pullError(
      pullRepo(down.hangar, { repo: "alice/tiny", include: ["*.safetensors"] }),
    );
    assert.equal(refused.code, "HANGAR_ERR_UPSTREAM");
    assert.match(refused.message, new RegExp(`model\\.safetensors .*do not match its sha256 ${bigSha256}`));
    assert.equal(await down.hangar.blobs.has(bigSha256), false);
    assert.equal(
      await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "tiny" }),
      undefined,
    );
    await assert.rejects(stat(partial), "the bad partial file is gone");

    const result = await pullRepo(down.hangar, { repo: "alice/tiny", include: ["*.safetensors"] });
    assert.equal(result.bytesDownloaded, BIG_SIZE);
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
  });

  it("turns an upstream-only catalog entry into a local repo", async () => {
    const down = await downstream();
    await down.hangar.catalog.repos.insert({
      type: "model",
      namespace: "alice",
      name: "other",
      private: false,
      origin: "upstream",
      createdAt: new Date().toISOString(),
    });
    const result = await pullRepo(down.hangar, { repo: "alice/other" });
    assert.equal(result.repoCreated, false);
    const repo = await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "other" });
    assert.equal(repo?.origin, "local");
    assert.equal(repo?.sha, result.commit);
    assert.equal((await bytesOf(down.url, "alice/other", "a.txt")).toString(), "other\n");
  });

  it("pulls a dataset repo", async () => {
    await createRepo({
      repo: { type: "dataset", name: "alice/rows" },
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "data/train.csv", content: new Blob(["a,b\n1,2\n"]) }],
    });
    const down = await downstream();
    const result = await pullRepo(down.hangar, { repo: "alice/rows", type: "dataset" });
    const upstreamInfo = await datasetInfo({
      name: "alice/rows",
      hubUrl: upstream.url,
      additionalFields: ["sha"],
    });
    const info = await datasetInfo({ name: "alice/rows", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(result.commit, upstreamInfo.sha);
    assert.equal(info.sha, upstreamInfo.sha);
    const blob = await downloadFile({
      repo: { type: "dataset", name: "alice/rows" },
      path: "data/train.csv",
      hubUrl: down.url,
    });
    assert.equal(await blob?.text(), "a,b\n1,2\n");
  });

  it("needs a token for a private upstream repo and says so", async () => {
    const down = await downstream();
    const refused = await pullError(pullRepo(down.hangar, { repo: "alice/secret" }));
    assert.equal(refused.code, "HANGAR_ERR_UNAUTHORIZED");
    assert.match(refused.message, /alice\/secret does not exist or is private: .*set HF_TOKEN/);
    assert.equal(
      await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "secret" }),
      undefined,
    );

    const result = await pullRepo(down.hangar, { repo: "alice/secret", token });
    const upstreamInfo = await modelInfo({
      name: "alice/secret",
      hubUrl: upstream.url,
      accessToken: token,
      additionalFields: ["sha"],
    });
    assert.equal(result.commit, upstreamInfo.sha);
    // Private upstream stays private here: anonymous readers see nothing, the admin sees the repo.
    const anonymous = await fetch(`${down.url}/api/models/alice/secret`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("x-error-code"), "RepoNotFound");
    const info = await modelInfo({
      name: "alice/secret",
      hubUrl: down.url,
      accessToken: down.adminToken,
      additionalFields: ["sha"],
    });
    assert.equal(info.sha, upstreamInfo.sha);
  });

  it("says a gated upstream repo needs a token with access", async () => {
    await createRepo({
      repo: "alice/gated",
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "weights.txt", content: new Blob(["w\n"]) }],
    });
    const gated = await fetch(`${upstream.url}/api/models/alice/gated/settings`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ gated: "auto" }),
    });
    assert.equal(gated.status, 200);
    const down = await downstream();
    const refused = await pullError(pullRepo(down.hangar, { repo: "alice/gated" }));
    assert.equal(refused.code, "HANGAR_ERR_GATED_REPO");
    assert.match(
      refused.message,
      /^127\.0\.0\.1:\d+ says alice\/gated is gated: set HF_TOKEN to a token that has access$/,
    );
    const result = await pullRepo(down.hangar, { repo: "alice/gated", token });
    assert.equal(result.files, 2);
    assert.equal(
      (await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "gated" }))?.gated,
      "auto",
    );
  });

  it("hangar pull (the CLI) pulls into its home and prints the result", async () => {
    const home = await makeTempDir();
    try {
      const run = (args: string[]) => runCli(args, { HF_ENDPOINT: upstream.url });
      const pulled = await run([
        "pull",
        `alice/tiny@${upstreamSha}`,
        "--exclude",
        "*.safetensors",
        "--home",
        home.path,
        "--json",
      ]);
      assert.equal(pulled.code, 0, pulled.stderr);
      const result = JSON.parse(pulled.stdout) as {
        commit: string;
        files: number;
        partial: boolean;
        refs: string[];
      };
      assert.equal(result.commit, upstreamSha);
      assert.equal(result.files, 5);
      assert.equal(result.partial, true);
      assert.deepEqual(result.refs, ["main"], "a pinned pull into a new repo also becomes its main");

      const synced = await run(["sync", "--home", home.path, "--json"]);
      assert.equal(synced.code, 0, synced.stderr);
      assert.deepEqual(
        (JSON.parse(synced.stdout) as { repos: Array<{ repo: string; status: string }> }).repos.map(
          ({ repo, status }) => ({ repo, status }),
        ),
        [{ repo: "alice/tiny", status: "current" }],
        "a mirror pinned to a commit id is current",
      );

      const refused = await run(["pull", "alice/secret", "--home", home.path]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^hangar pull: .*alice\/secret does not exist or is private: .*HF_TOKEN/);
    } finally {
      await home.remove();
    }
  });

  it("hangar sync refreshes an entry and re-pulls a mirror whose upstream moved", async () => {
    const down = await downstream();
    await pullRepo(down.hangar, { repo: "alice/later" });
    await down.hangar.catalog.repos.insert({
      type: "model",
      namespace: "alice",
      name: "other",
      private: false,
      origin: "upstream",
      createdAt: "2020-01-01T00:00:00.000Z",
    });
    await uploadFiles({
      repo: "alice/later",
      accessToken: token,
      hubUrl: upstream.url,
      files: [{ path: "b.txt", content: new Blob(["b\n"]) }],
    });
    await down.hangar.catalog.facts.set(
      (await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "other" }))!.pk,
      {
        description: "An entry of the bundled snapshot",
        license: "mit",
        languages: [],
        parameters: null,
        baseModels: [],
        baseRelation: null,
        library: null,
        pipelineTag: null,
        evalResults: [],
        snapshotDate: "2020-01-01",
        snapshotSource: "bundled snapshot",
        sources: [],
      },
    );
    const moved = (await modelInfo({ name: "alice/later", hubUrl: upstream.url, additionalFields: ["sha"] }))
      .sha;
    const entries = await syncFromUpstream(down.hangar);
    assert.deepEqual(
      entries.map(({ repo, kind, status }) => ({ repo, kind, status })),
      [
        { repo: "alice/later", kind: "mirror", status: "pulled" },
        { repo: "alice/other", kind: "entry", status: "refreshed" },
      ],
    );
    const info = await modelInfo({ name: "alice/later", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(info.sha, moved);
    assert.equal((await bytesOf(down.url, "alice/later", "b.txt")).toString(), "b\n");
    const entry = await down.hangar.catalog.repos.get({ type: "model", namespace: "alice", name: "other" });
    assert.equal(entry?.origin, "upstream");
    assert.notEqual(entry?.lastModified, "2020-01-01T00:00:00.000Z");
    const facts = await down.hangar.catalog.facts.get(entry!.pk);
    assert.equal(facts?.snapshotSource, upstream.url, "the figures are now the upstream's");
    assert.equal(facts?.license, "mit");
  });

  it("pull-through serves a repo on first request, and keeps serving it once the upstream is gone", async () => {
    const down = await downstream(true);
    let upstreamInfoRequests = 0;
    const countInfoRequests = (request: IncomingMessage) => {
      if (request.url?.startsWith("/api/models/alice/tiny/revision/")) upstreamInfoRequests++;
    };
    upstream.server.on("request", countInfoRequests);
    const [first, second] = await Promise.all([
      modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] }),
      modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] }),
    ]);
    upstream.server.off("request", countInfoRequests);
    assert.equal(upstreamInfoRequests, 1, "concurrent requests share one pull");
    assert.equal(first.sha, upstreamSha);
    assert.equal(second.sha, upstreamSha);
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
    // A file request for a repo not asked for before pulls that file; a listing then pulls the rest.
    assert.equal((await bytesOf(down.url, "alice/other", "a.txt")).toString(), "other\n");
    const other = (await down.hangar.catalog.repos.get({
      type: "model",
      namespace: "alice",
      name: "other",
    }))!;
    const head = (await down.hangar.catalog.commits.getCommit(other.pk, other.sha!))!;
    assert.deepEqual(
      (await down.hangar.catalog.commits.listFiles(head.pk)).map((file) => file.path),
      ["a.txt"],
    );
    assert.equal(mirrorInfoOf(head)?.partial, true);
    const upstreamOther = await filesOf(upstream.url, "alice/other");
    assert.ok(upstreamOther.length > 1);
    assert.deepEqual(await filesOf(down.url, "alice/other"), upstreamOther);
    const missing = await fetch(`${down.url}/api/models/alice/nothing-here`);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("x-error-code"), "RepoNotFound");

    upstream.server.closeAllConnections();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));

    const offline = await modelInfo({ name: "alice/tiny", hubUrl: down.url, additionalFields: ["sha"] });
    assert.equal(offline.sha, upstreamSha);
    assert.ok((await bytesOf(down.url, "alice/tiny", "model.safetensors")).equals(big));
    assert.equal(
      (await bytesOf(down.url, "alice/tiny", "config.json")).toString(),
      Buffer.from(FILES["config.json"]!).toString(),
    );

    const neverPulled = await fetch(`${down.url}/api/models/alice/later`);
    assert.equal(neverPulled.status, 401);
    assert.equal(neverPulled.headers.get("x-error-code"), "RepoNotFound");
    const neverPulledFile = await fetch(`${down.url}/alice/later/resolve/main/a.txt`, {
      headers: { authorization: `Bearer ${down.adminToken}` },
    });
    assert.equal(neverPulledFile.status, 404);
    assert.equal(neverPulledFile.headers.get("x-error-code"), "RepoNotFound");

    // An upstream-only catalog entry is still described offline; its files are as missing as the repo.
    await down.hangar.catalog.repos.insert({
      type: "model",
      namespace: "acme",
      name: "catalogued",
      private: false,
      origin: "upstream",
      createdAt: new Date().toISOString(),
    });
    const entry = await fetch(`${down.url}/api/models/acme/catalogued`);
    assert.equal(entry.status, 200);
    assert.equal(((await entry.json()) as { id: string }).id, "acme/catalogued");
    const entryFile = await fetch(`${down.url}/acme/catalogued/resolve/main/config.json`);
    assert.equal(entryFile.status, 401);
    assert.equal(entryFile.headers.get("x-error-code"), "RepoNotFound");

    // Pulling directly says the upstream is unreachable, not that the repo does not exist.
    const unreachable = await pullError(pullRepo(down.hangar, { repo: "alice/later" }));
    assert.equal(unreachable.code, "HANGAR_ERR_UPSTREAM");
    assert.equal(unreachable.status, 502);
    assert.match(unreachable.message, /Cannot reach the upstream hub/);
  });
});
