import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type CommitData,
  createRepo,
  datasetInfo,
  downloadFile,
  listCommits,
  modelInfo,
} from "@huggingface/hub";
import { partialDownloadsFolder } from "../../src/hub/mirror/download-upstream-file.ts";
import { pullRepo } from "../../src/hub/mirror/pull-repo.ts";
import {
  BIG_SIZE,
  big,
  bigSha256,
  bytesOf,
  FILES,
  filesOf,
  type MirrorUpstream,
  pullError,
  startMirrorUpstream,
} from "../helpers/mirror-upstream.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("mirroring from an upstream Hangar: pulling repos, selections, tags and datasets", () => {
  let mirror: MirrorUpstream;
  let upstream: TestHangar;
  let token: string;
  let upstreamSha: string;
  const downstream = (pullThrough = false) => mirror.downstream(pullThrough);

  before(async () => {
    mirror = await startMirrorUpstream();
    ({ upstream, token, upstreamSha } = mirror);
  });
  after(async () => {
    await mirror.close();
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
});
