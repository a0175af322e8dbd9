// The Hub read API's listings, read with the real @huggingface/hub client: models by search, task and owner,
// paging, raw filters, limits, listing fields, datasets, spaces, and private repos shown only to who may see
// them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listModels, modelInfo } from "@huggingface/hub";
import { collect, PAGE_SIZE, recordingFetch, startReadHub } from "../helpers/hub-read-fixture.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("Hub read API with the real @huggingface/hub client: listings", () => {
  let hub: TestHangar;
  let aliceToken: string;
  let bobToken: string;
  let classifierSha: string;

  before(async () => {
    ({ hub, aliceToken, bobToken, classifierSha } = await startReadHub());
  });
  after(() => hub.close());

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
