import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listCommits, listFiles, listModels, modelInfo, pathsInfo } from "@huggingface/hub";
import { DEFAULT_LIMITS } from "../../src/core/hub-config.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { createCommit } from "../../src/hub/create-commit.ts";
import { createRepo } from "../../src/hub/create-repo.ts";
import { storeLocalFile } from "../../src/hub/import-folder.ts";
import { importFiles, makeTempDir, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { writeRepoFolder } from "../helpers/tiny-models.ts";

const admin = localAdministrator();
const PAGE_SIZE = 10;

const CLASSIFIER_README = `---
pipeline_tag: text-classification
license: mit
language: en
tags:
  - sentiment
---
# Tiny classifier
`;

const CLASSIFIER_CONFIG = JSON.stringify({
  architectures: ["BertForSequenceClassification"],
  model_type: "bert",
  id2label: { 0: "NEGATIVE", 1: "POSITIVE" },
});

/** A fetch that records the URLs the real client asks for, so a test can see that paging happened. */
function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    },
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("Hub read API with the real @huggingface/hub client", () => {
  let hub: TestHangar;
  let aliceToken: string;
  let bobToken: string;
  let classifierSha: string;
  let firstSha: string;
  const temp: Array<() => Promise<void>> = [];

  before(async () => {
    hub = await startTestHangar({ limits: { ...DEFAULT_LIMITS, maxPageSize: PAGE_SIZE } });
    aliceToken = await hub.addUser("alice", "read");
    bobToken = await hub.addUser("bob", "read");
    const first = await importFiles(hub.hangar, "acme/tiny-classifier", {
      "README.md": CLASSIFIER_README,
      "config.json": CLASSIFIER_CONFIG,
      "tokenizer_config.json": "{}",
    });
    firstSha = first.commit.oid;
    const second = await importFiles(hub.hangar, "acme/tiny-classifier", {
      "README.md": CLASSIFIER_README,
      "config.json": CLASSIFIER_CONFIG,
      "tokenizer_config.json": "{}",
      "onnx/model.onnx": new Uint8Array([0, 1, 2, 3, 0, 5]),
      ...Object.fromEntries(
        Array.from({ length: 12 }, (_, index) => [
          `data/part-${String(index).padStart(2, "0")}.txt`,
          `row ${index}`,
        ]),
      ),
    });
    classifierSha = second.commit.oid;
    await importFiles(hub.hangar, "acme/other-model", { "README.md": "---\npipeline_tag: fill-mask\n---\n" });
    await importFiles(hub.hangar, "alice/secret-model", { "README.md": "private" }, { private: true });
    await importFiles(hub.hangar, "acme/some-data", { "data.csv": "a,b\n1,2\n" }, { type: "dataset" });
    await importFiles(
      hub.hangar,
      "acme/demo-app",
      { "README.md": "---\nsdk: gradio\n---\n", "app.py": "print(1)\n" },
      { type: "space" },
    );
    for (let index = 0; index < 25; index++) {
      await createRepo(hub.hangar, admin, {
        type: "model",
        namespace: "bulk",
        name: `model-${String(index).padStart(2, "0")}`,
      });
    }
  });
  after(async () => {
    await hub.close();
    for (const remove of temp) await remove();
  });

  it("lists models by search, task and owner", async () => {
    const byTask = await collect(listModels({ hubUrl: hub.url, search: { task: "text-classification" } }));
    assert.deepEqual(
      byTask.map((model) => model.name),
      ["acme/tiny-classifier"],
    );
    assert.equal(byTask[0]!.task, "text-classification");
    assert.equal(byTask[0]!.private, false);
    assert.equal(byTask[0]!.gated, false);
    assert.equal(typeof byTask[0]!.id, "string");
    assert.ok(byTask[0]!.updatedAt instanceof Date && !Number.isNaN(byTask[0]!.updatedAt.getTime()));

    const bySearch = await collect(listModels({ hubUrl: hub.url, search: { query: "TINY" } }));
    assert.deepEqual(
      bySearch.map((model) => model.name),
      ["acme/tiny-classifier"],
    );
    const byOwner = await collect(listModels({ hubUrl: hub.url, search: { owner: "acme" } }));
    assert.deepEqual(byOwner.map((model) => model.name).sort(), ["acme/other-model", "acme/tiny-classifier"]);
    const byTag = await collect(
      listModels({ hubUrl: hub.url, search: { tags: ["sentiment", "license:mit"] } }),
    );
    assert.deepEqual(
      byTag.map((model) => model.name),
      ["acme/tiny-classifier"],
    );
  });

  it("pages through listings with an absolute Link that keeps every query parameter", async () => {
    const recorder = recordingFetch();
    const models = await collect(
      listModels({ hubUrl: hub.url, search: { owner: "bulk" }, sort: "id", fetch: recorder.fetch }),
    );
    assert.equal(models.length, 25);
    // Sorted by id, descending by default.
    assert.deepEqual(
      models.map((model) => model.name),
      Array.from({ length: 25 }, (_, index) => `bulk/model-${String(24 - index).padStart(2, "0")}`),
    );
    assert.equal(recorder.urls.length, 3);
    const [firstUrl, secondUrl] = recorder.urls.map((url) => new URL(url));
    assert.equal(secondUrl!.origin, hub.url);
    assert.ok(secondUrl!.searchParams.get("cursor"));
    for (const [name, value] of firstUrl!.searchParams) {
      assert.ok(secondUrl!.searchParams.getAll(name).includes(value), `${name}=${value} is kept`);
    }

    const ascending = await hub.fetch(`${hub.url}/api/models?author=bulk&sort=id&direction=1&limit=3`);
    assert.deepEqual(
      ((await ascending.json()) as Array<{ id: string }>).map((model) => model.id),
      ["bulk/model-00", "bulk/model-01", "bulk/model-02"],
    );
    const link = ascending.headers.get("link")!;
    assert.match(link, /^<http:\/\/127\.0\.0\.1:\d+\/api\/models\?.*cursor=[^>]+>; rel="next"$/);
    const next = await hub.fetch(/<([^>]+)>/.exec(link)![1]!);
    assert.deepEqual(
      ((await next.json()) as Array<{ id: string }>).map((model) => model.id),
      ["bulk/model-03", "bulk/model-04", "bulk/model-05"],
    );
  });

  it("filters by raw query parameters: pipeline_tag, repeated filter and search, gated", async () => {
    const ids = async (query: string) =>
      ((await (await hub.fetch(`${hub.url}/api/models?${query}`)).json()) as Array<{ id: string }>).map(
        (model) => model.id,
      );
    assert.deepEqual(await ids("pipeline_tag=fill-mask"), ["acme/other-model"]);
    assert.deepEqual(await ids("filter=sentiment&filter=en"), ["acme/tiny-classifier"]);
    assert.deepEqual(await ids("filter=sentiment&filter=fill-mask"), []);
    assert.deepEqual(await ids("search=acme&search=other"), ["acme/other-model"]);
    assert.deepEqual(await ids("gated=true"), []);
    const expanded = (await (
      await hub.fetch(`${hub.url}/api/models?search=tiny-classifier&expand=transformersInfo`)
    ).json()) as Array<{ transformersInfo: { processor: string } }>;
    assert.equal(expanded[0]!.transformersInfo.processor, "AutoTokenizer");
  });

  it("answers 400 naming the valid range for a bad limit, and caps large ones", async () => {
    for (const limit of ["-1", "abc", "0"]) {
      const response = await hub.fetch(`${hub.url}/api/models?limit=${limit}`);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("x-error-code"), "BadRequest");
      assert.match(((await response.json()) as { error: string }).error, /from 1 to 10/);
    }
    const capped = await hub.fetch(`${hub.url}/api/models?limit=100000`);
    assert.equal(((await capped.json()) as unknown[]).length, PAGE_SIZE);
    const badSort = await hub.fetch(`${hub.url}/api/models?sort=size`);
    assert.equal(badSort.status, 400);
    await badSort.body?.cancel();
    for (const path of [
      "/api/models",
      "/api/models/acme/tiny-classifier/tree/main",
      "/api/models/acme/tiny-classifier/commits/main",
    ]) {
      const badCursor = await hub.fetch(`${hub.url}${path}?cursor=not-a-cursor`);
      assert.equal(badCursor.status, 400, path);
      assert.match(((await badCursor.json()) as { error: string }).error, /Invalid cursor/);
    }
  });

  it("returns the Hub's default, full and expanded listing fields", async () => {
    const plain = (await (await hub.fetch(`${hub.url}/api/models?search=tiny-classifier`)).json()) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(Object.keys(plain[0]!).sort(), [
      "_id",
      "createdAt",
      "downloads",
      "id",
      "library_name",
      "likes",
      "modelId",
      "pipeline_tag",
      "private",
      "tags",
      "trendingScore",
    ]);
    const full = (await (
      await hub.fetch(`${hub.url}/api/models?search=tiny-classifier&full=true&config=true&cardData=true`)
    ).json()) as Array<Record<string, unknown>>;
    assert.equal(full[0]!.sha, classifierSha);
    assert.equal(full[0]!.author, "acme");
    assert.deepEqual((full[0]!.config as { model_type: string }).model_type, "bert");
    assert.equal((full[0]!.cardData as { license: string }).license, "mit");
    assert.ok(
      (full[0]!.siblings as Array<{ rfilename: string }>).some((file) => file.rfilename === "config.json"),
    );
    const expanded = (await (
      await hub.fetch(
        `${hub.url}/api/models?search=tiny-classifier&expand[]=sha&expand=likes&expand=unknownField`,
      )
    ).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(expanded[0]!).sort(), ["_id", "id", "likes", "sha"]);
  });

  it("lists datasets separately from models", async () => {
    const response = await hub.fetch(`${hub.url}/api/datasets`);
    const datasets = (await response.json()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      datasets.map((dataset) => dataset.id),
      ["acme/some-data"],
    );
    assert.equal(datasets[0]!.modelId, undefined);
    const info = (await (await hub.fetch(`${hub.url}/api/datasets/acme/some-data`)).json()) as Record<
      string,
      unknown
    >;
    assert.deepEqual(info.siblings, [{ rfilename: ".gitattributes" }, { rfilename: "data.csv" }]);
  });

  it("lists spaces with their sdk and serves their files under /spaces/", async () => {
    const spaces = (await (await hub.fetch(`${hub.url}/api/spaces`)).json()) as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      spaces.map((space) => [space.id, space.sdk]),
      [["acme/demo-app", "gradio"]],
    );
    const file = await hub.fetch(`${hub.url}/spaces/acme/demo-app/resolve/main/app.py`);
    assert.equal(await file.text(), "print(1)\n");
    const wrongPrefix = await hub.fetch(`${hub.url}/acme/demo-app/resolve/main/app.py`);
    assert.equal(wrongPrefix.headers.get("x-error-code"), "RepoNotFound");
    await wrongPrefix.body?.cancel();
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

  it("shows private repos only to callers who may see them", async () => {
    const anonymous = await collect(listModels({ hubUrl: hub.url, search: { owner: "alice" } }));
    assert.deepEqual(anonymous, []);
    const asBob = await collect(
      listModels({ hubUrl: hub.url, search: { owner: "alice" }, accessToken: bobToken }),
    );
    assert.deepEqual(asBob, []);
    const asAlice = await collect(
      listModels({ hubUrl: hub.url, search: { owner: "alice" }, accessToken: aliceToken }),
    );
    assert.deepEqual(
      asAlice.map((model) => [model.name, model.private]),
      [["alice/secret-model", true]],
    );
    const asAdmin = await collect(
      listModels({ hubUrl: hub.url, search: { owner: "alice" }, accessToken: hub.adminToken }),
    );
    assert.equal(asAdmin.length, 1);

    const info = await modelInfo({ hubUrl: hub.url, name: "alice/secret-model", accessToken: aliceToken });
    assert.equal(info.private, true);

    for (const path of ["", "/tree/main", "/refs", "/commits/main", "/revision/main"]) {
      const noToken = await hub.fetch(`${hub.url}/api/models/alice/secret-model${path}`);
      assert.equal(noToken.status, 401, path);
      assert.equal(noToken.headers.get("x-error-code"), "RepoNotFound");
      const wrongUser = await hub.fetch(`${hub.url}/api/models/alice/secret-model${path}`, {
        headers: { authorization: `Bearer ${bobToken}` },
      });
      assert.equal(wrongUser.status, 404, path);
      assert.equal(wrongUser.headers.get("x-error-code"), "RepoNotFound");
    }
    const missing = await hub.fetch(`${hub.url}/api/models/alice/does-not-exist`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    const hidden = await hub.fetch(`${hub.url}/api/models/alice/secret-model`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    assert.equal(missing.status, hidden.status);
    assert.equal(
      ((await missing.json()) as { error: string }).error.replace("does-not-exist", "X"),
      ((await hidden.json()) as { error: string }).error.replace("secret-model", "X"),
    );
  });
});
