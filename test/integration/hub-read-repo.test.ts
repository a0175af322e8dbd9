// The Hub read API on one repo, read with the real @huggingface/hub client: modelInfo and its fields,
// revisions (tags, shas, HEAD, refs/pr/N), file listings, paths-info, refs and commits.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listCommits, listFiles, modelInfo, pathsInfo } from "@huggingface/hub";
import { createCommit } from "../../src/hub/create-commit.ts";
import { storeLocalFile } from "../../src/hub/import-folder.ts";
import { collect, recordingFetch, startReadHub } from "../helpers/hub-read-fixture.ts";
import { makeTempDir, type TestHangar } from "../helpers/test-hangar.ts";
import { writeRepoFolder } from "../helpers/tiny-models.ts";

describe("Hub read API with the real @huggingface/hub client: a repo's info, revisions, files and commits", () => {
  let hub: TestHangar;
  let classifierSha: string;
  let firstSha: string;
  const temp: Array<() => Promise<void>> = [];

  before(async () => {
    ({ hub, classifierSha, firstSha } = await startReadHub());
  });
  after(async () => {
    await hub.close();
    for (const remove of temp) await remove();
  });

  it("describes a model with modelInfo and additionalFields", async () => {
    const info = await modelInfo({
      hubUrl: hub.url,
      name: "acme/tiny-classifier",
      additionalFields: [
        "sha",
        "tags",
        "cardData",
        "config",
        "transformersInfo",
        "library_name",
        "filePaths",
      ],
    });
    assert.equal(info.name, "acme/tiny-classifier");
    assert.equal(info.task, "text-classification");
    assert.equal(info.sha, classifierSha);
    assert.equal(info.library_name, "transformers");
    assert.ok(info.tags.includes("license:mit") && info.tags.includes("onnx") && info.tags.includes("bert"));
    assert.deepEqual(info.config, { architectures: ["BertForSequenceClassification"], model_type: "bert" });
    assert.deepEqual(info.transformersInfo, {
      auto_model: "AutoModelForSequenceClassification",
      pipeline_tag: "text-classification",
      processor: "AutoTokenizer",
    });
    assert.ok(info.filePaths.includes("onnx/model.onnx"));
    assert.equal((info.cardData as { language: string }).language, "en");
  });

  it("returns every field with Hub types, and blob details with blobs=true", async () => {
    const response = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier?blobs=true`);
    assert.equal(response.status, 200);
    const info = (await response.json()) as Record<string, unknown>;
    assert.equal(info.id, "acme/tiny-classifier");
    assert.equal(info.modelId, "acme/tiny-classifier");
    assert.match(info._id as string, /^[0-9a-f]{24}$/);
    assert.match(info.sha as string, /^[0-9a-f]{40}$/);
    assert.match(info.lastModified as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.match(info.createdAt as string, /Z$/);
    assert.equal(info.private, false);
    assert.equal(info.gated, false);
    assert.equal(info.disabled, false);
    assert.equal(typeof info.downloads, "number");
    assert.equal(typeof info.likes, "number");
    assert.equal(typeof info.usedStorage, "number");
    const siblings = info.siblings as Array<Record<string, unknown>>;
    const onnx = siblings.find((sibling) => sibling.rfilename === "onnx/model.onnx")!;
    assert.equal(onnx.size, 6);
    assert.match(onnx.blobId as string, /^[0-9a-f]{40}$/);
    const lfs = onnx.lfs as { size: number; sha256: string; pointerSize: number };
    assert.equal(lfs.size, 6);
    assert.match(lfs.sha256, /^[0-9a-f]{64}$/);
    assert.ok(lfs.pointerSize > 100 && lfs.pointerSize < 200);
    const readme = siblings.find((sibling) => sibling.rfilename === "README.md")!;
    assert.equal(readme.lfs, undefined);
  });

  it("resolves revisions by tag, sha, HEAD and encoded refs/pr/N", async () => {
    const repo = (await hub.hangar.catalog.repos.get({
      type: "model",
      namespace: "acme",
      name: "tiny-classifier",
    }))!;
    await hub.hangar.catalog.commits.setRef(repo.pk, "tag", "v1", firstSha, new Date().toISOString());
    const dir = await makeTempDir();
    temp.push(dir.remove);
    await writeRepoFolder(dir.path, { "proposal.txt": "please merge" });
    const stored = await storeLocalFile(hub.hangar, `${dir.path}/proposal.txt`, 12);
    const pr = await createCommit(hub.hangar, {
      repo,
      revision: "main",
      operations: [{ kind: "put", path: "proposal.txt", file: stored }],
      title: "Propose a file",
      author: "alice",
      createPr: true,
    });
    assert.equal(pr.pullRequestNumber, 1);

    const byTag = await modelInfo({
      hubUrl: hub.url,
      name: "acme/tiny-classifier",
      revision: "v1",
      additionalFields: ["sha"],
    });
    assert.equal(byTag.sha, firstSha);
    const bySha = await modelInfo({
      hubUrl: hub.url,
      name: "acme/tiny-classifier",
      revision: firstSha,
      additionalFields: ["sha"],
    });
    assert.equal(bySha.sha, firstSha);
    const byHead = await modelInfo({
      hubUrl: hub.url,
      name: "acme/tiny-classifier",
      additionalFields: ["sha"],
    });
    assert.equal(byHead.sha, classifierSha);
    const byPr = await modelInfo({
      hubUrl: hub.url,
      name: "acme/tiny-classifier",
      revision: "refs/pr/1",
      additionalFields: ["sha", "filePaths"],
    });
    assert.equal(byPr.sha, pr.commit.oid);
    assert.ok(byPr.filePaths.includes("proposal.txt"));

    // JS sends refs/pr/1 unencoded after /tree/; Python encodes it.
    const prFiles = await collect(
      listFiles({ hubUrl: hub.url, repo: "acme/tiny-classifier", revision: "refs/pr/1" }),
    );
    assert.ok(prFiles.some((file) => file.path === "proposal.txt"));
    const encoded = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/tree/refs%2Fpr%2F1`);
    assert.ok(
      ((await encoded.json()) as Array<{ path: string }>).some((file) => file.path === "proposal.txt"),
    );
    const tagFiles = await collect(
      listFiles({ hubUrl: hub.url, repo: "acme/tiny-classifier", revision: "v1" }),
    );
    assert.ok(!tagFiles.some((file) => file.path === "onnx"));

    const missing = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/revision/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-error-code"), "RevisionNotFound");
    await assert.rejects(
      modelInfo({ hubUrl: hub.url, name: "acme/tiny-classifier", revision: "nope" }),
      /Invalid rev id: nope/,
    );
  });

  it("lists files, recursively, with folders and LFS details, across pages", async () => {
    const recorder = recordingFetch();
    const top = await collect(
      listFiles({ hubUrl: hub.url, repo: "acme/tiny-classifier", fetch: recorder.fetch }),
    );
    assert.deepEqual(
      top.map((entry) => `${entry.type}:${entry.path}`),
      [
        "file:.gitattributes",
        "file:README.md",
        "file:config.json",
        "directory:data",
        "directory:onnx",
        "file:tokenizer_config.json",
      ],
    );
    const folder = top.find((entry) => entry.path === "onnx")!;
    assert.equal(folder.size, 0);
    assert.match(folder.oid!, /^[0-9a-f]{40}$/);

    const all = await collect(
      listFiles({ hubUrl: hub.url, repo: "acme/tiny-classifier", recursive: true, fetch: recorder.fetch }),
    );
    assert.equal(all.length, 6 + 12 + 1);
    assert.ok(recorder.urls.length >= 3, "the recursive listing took more than one page");
    const onnx = all.find((entry) => entry.path === "onnx/model.onnx")!;
    assert.equal(onnx.type, "file");
    assert.equal(onnx.size, 6);
    assert.match(onnx.lfs!.oid, /^[0-9a-f]{64}$/);
    assert.equal(onnx.xetHash, undefined);

    const expanded = await collect(
      listFiles({ hubUrl: hub.url, repo: "acme/tiny-classifier", path: "onnx", expand: true }),
    );
    assert.equal(expanded.length, 1);
    assert.equal(expanded[0]!.lastCommit!.id, classifierSha);
    assert.equal(typeof expanded[0]!.lastCommit!.title, "string");

    const nested = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/tree/main/data%2Fpart-00.txt`);
    assert.deepEqual(
      ((await nested.json()) as Array<{ path: string }>).map((entry) => entry.path),
      ["data/part-00.txt"],
    );
    const absent = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/tree/main/no-such-folder`);
    assert.equal(absent.status, 404);
    assert.equal(absent.headers.get("x-error-code"), "EntryNotFound");
    assert.equal(absent.headers.get("x-repo-commit"), classifierSha);
  });

  it("answers paths-info for JSON and form bodies", async () => {
    const info = await pathsInfo({
      hubUrl: hub.url,
      repo: "acme/tiny-classifier",
      paths: ["config.json", "onnx", "missing.txt", "onnx/model.onnx"],
      expand: true,
    });
    assert.deepEqual(
      info.map((entry) => `${entry.type}:${entry.path}`),
      ["file:config.json", "directory:onnx", "file:onnx/model.onnx"],
    );
    assert.equal(info[0]!.lastCommit!.id, firstSha);
    // A folder's last commit is the newest among its files.
    assert.equal(info[1]!.lastCommit!.id, classifierSha);
    assert.ok(info[2]!.lfs);

    const form = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/paths-info/main`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "paths=README.md&paths=tokenizer_config.json&expand=false",
    });
    const entries = (await form.json()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      entries.map((entry) => entry.path),
      ["README.md", "tokenizer_config.json"],
    );
    assert.equal(entries[0]!.lastCommit, undefined);
    const traversal = await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/paths-info/main`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ paths: ["../../etc/passwd"] }),
    });
    assert.equal(traversal.status, 400);
    assert.equal(traversal.headers.get("x-error-code"), "InvalidPath");
  });

  it("lists refs and paginated commits", async () => {
    const refs = (await (
      await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/refs`)
    ).json()) as Record<string, unknown>;
    assert.deepEqual(refs.branches, [{ name: "main", ref: "refs/heads/main", targetCommit: classifierSha }]);
    assert.deepEqual(refs.tags, [{ name: "v1", ref: "refs/tags/v1", targetCommit: firstSha }]);
    assert.deepEqual(refs.converts, []);
    assert.equal(refs.pullRequests, undefined);
    const withPrs = (await (
      await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/refs?include_prs=1`)
    ).json()) as { pullRequests: Array<{ name: string; ref: string }> };
    assert.deepEqual(
      withPrs.pullRequests.map((ref) => [ref.name, ref.ref]),
      [["refs/pr/1", "refs/pr/1"]],
    );

    const commits = await collect(
      listCommits({ hubUrl: hub.url, repo: "acme/tiny-classifier", batchSize: 1 }),
    );
    assert.deepEqual(
      commits.map((commit) => commit.oid),
      [classifierSha, firstSha, commits[2]!.oid],
    );
    assert.equal(commits[2]!.title, "initial commit");
    assert.deepEqual(
      commits[0]!.authors.map((author) => author.username),
      ["hangar"],
    );
    assert.ok(commits[0]!.date instanceof Date && !Number.isNaN(commits[0]!.date.getTime()));
    const raw = (await (
      await hub.fetch(`${hub.url}/api/models/acme/tiny-classifier/commits/refs%2Fpr%2F1`)
    ).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(raw[0]!).sort(), ["authors", "date", "id", "message", "title"]);
    assert.equal(raw[0]!.title, "Propose a file");
    assert.equal(raw[0]!.message, "");
  });
});
