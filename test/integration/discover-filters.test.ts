import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type SearchModelsResult, searchModels } from "../../src/discovery/index.ts";
import { modalityOfTask } from "../../src/discovery/vocabulary.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { updateRepoSettings } from "../../src/hub/write/update-repo-settings.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";
import { tinyClassifierFiles } from "../helpers/tiny-models.ts";

/**
 * The filter dimensions and sorts not covered by discover-search.test.ts, on a synthetic catalog plus a few repos
 * made for each dimension, and Hangar's filters on the Hub's own GET /api/models. Expected answers come
 * from the repos as written or from straight SQL over the catalog, never from the search index.
 */

const SYNTHETIC_MODELS = 1500;

function card(
  fields: Record<string, string | string[]>,
  body = "A model made for the filter tests.",
): string {
  const yaml = Object.entries(fields)
    .map(([key, value]) =>
      Array.isArray(value) ? `${key}:\n${value.map((item) => `  - ${item}`).join("\n")}` : `${key}: ${value}`,
    )
    .join("\n");
  return `---\n${yaml}\n---\n# Model\n\n${body}\n`;
}

interface Row {
  pk: number;
  id: string;
  task: string | null;
  license: string | null;
  parameters: number | null;
  gated: string;
  downloads: number;
  lastModified: string;
}

describe("discovery: every filter dimension, the remaining sorts, and Hangar's filters on /api/models", () => {
  let hub: TestHangar;

  function publicRows(): Row[] {
    return rawDb(hub.hangar.catalog)
      .prepare(
        `SELECT r.pk, r.namespace || '/' || r.name AS id, COALESCE(r.pipeline_tag, f.pipeline_tag) AS task,
           f.license, f.parameters, r.gated, r.downloads, r.last_modified AS lastModified
         FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk WHERE r.type = 'model' AND r.private = 0`,
      )
      .all() as Row[];
  }

  const ids = (result: { results: Array<{ id: string }> }) => result.results.map((hit) => hit.id).sort();

  /** Every page of a Hub listing, following its Link headers, with the first page's X-Total-Count. */
  async function listAll(query: string): Promise<{ ids: string[]; total: string | null; pages: number }> {
    let url: string | undefined = `${hub.url}/api/models?${query}`;
    const found: string[] = [];
    let total: string | null = null;
    let pages = 0;
    while (url) {
      const response = await fetch(url);
      assert.equal(response.status, 200, await response.clone().text());
      if (pages === 0) total = response.headers.get("x-total-count");
      pages++;
      for (const entry of (await response.json()) as Array<{ id: string }>) found.push(entry.id);
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }
    return { ids: found, total, pages };
  }

  before(async () => {
    hub = await startTestHangar();
    await generateCatalog(hub.hangar.catalog, { count: SYNTHETIC_MODELS, seed: 5, batchSize: 1500 });
    await importFiles(hub.hangar, "lab/tiny-runner", tinyClassifierFiles());
    await importFiles(hub.hangar, "lab/base-encoder", {
      "README.md": card({
        pipeline_tag: "feature-extraction",
        license: "apache-2.0",
        datasets: ["wikipedia"],
      }),
      "weights.bin": randomBytes(300 * 1024),
    });
    await importFiles(hub.hangar, "lab/encoder-finetune", {
      "README.md": card({
        pipeline_tag: "text-classification",
        license: "apache-2.0",
        base_model: "lab/base-encoder",
        datasets: ["imdb", "sst2"],
      }),
    });
    await importFiles(hub.hangar, "lab/vision-gated", {
      "README.md": card({ pipeline_tag: "image-classification", license: "mit" }),
    });
    await updateRepoSettings(hub.hangar, localAdministrator(), {
      repo: { type: "model", namespace: "lab", name: "vision-gated" },
      gated: "auto",
    });
    await importFiles(hub.hangar, "lab/speech-listener", {
      "README.md": card({ pipeline_tag: "automatic-speech-recognition", license: "cc-by-nc-4.0" }),
    });
  });
  after(() => hub.close());

  it("filters by modality, against the task table over every public model", async () => {
    const rows = publicRows();
    for (const modality of ["cv", "audio", "nlp"]) {
      const expected = rows.filter((row) => row.task && modalityOfTask(row.task) === modality);
      const result = await searchModels(hub.hangar, { modalities: [modality], facets: false, limit: 100 });
      assert.equal(result.total, expected.length, modality);
      assert.ok(result.results.every((hit) => hit.modality === modality));
    }
    const lab = await searchModels(hub.hangar, { authors: ["lab"], modalities: ["cv", "audio"] });
    assert.deepEqual(ids(lab), ["lab/speech-listener", "lab/vision-gated"]);
  });

  it("filters by author, base model and dataset", async () => {
    const rows = publicRows();
    const author = await searchModels(hub.hangar, { authors: ["lab"], limit: 100 });
    assert.deepEqual(ids(author), [
      "lab/base-encoder",
      "lab/encoder-finetune",
      "lab/speech-listener",
      "lab/tiny-runner",
      "lab/vision-gated",
    ]);
    const someAuthor = rows.find((row) => !row.id.startsWith("lab/"))!.id.split("/")[0]!;
    assert.equal(
      (await searchModels(hub.hangar, { authors: [someAuthor], facets: false })).total,
      rows.filter((row) => row.id.startsWith(`${someAuthor}/`)).length,
    );
    assert.deepEqual(ids(await searchModels(hub.hangar, { baseModels: ["lab/base-encoder"] })), [
      "lab/encoder-finetune",
    ]);
    assert.deepEqual(ids(await searchModels(hub.hangar, { datasets: ["sst2"] })), ["lab/encoder-finetune"]);
    assert.deepEqual(
      ids(await searchModels(hub.hangar, { datasets: ["wikipedia", "imdb"], authors: ["lab"] })),
      ["lab/base-encoder", "lab/encoder-finetune"],
    );
  });

  it("filters by gated, runs-locally and storage size", async () => {
    const rows = publicRows();
    const gated = await searchModels(hub.hangar, { gated: true, facets: false, limit: 100 });
    assert.equal(gated.total, rows.filter((row) => row.gated !== "false").length);
    assert.ok(ids(gated).includes("lab/vision-gated"));
    assert.equal(
      (await searchModels(hub.hangar, { gated: false, facets: false })).total,
      rows.filter((row) => row.gated === "false").length,
    );
    assert.deepEqual(ids(await searchModels(hub.hangar, { runsLocally: true })), ["lab/tiny-runner"]);

    // Only repos with files have a measured size; catalog entries have none and match no size range.
    const sizes = rawDb(hub.hangar.catalog)
      .prepare(
        "SELECT namespace || '/' || name AS id, used_storage AS size FROM repos WHERE type = 'model' AND sha IS NOT NULL",
      )
      .all() as Array<{ id: string; size: number }>;
    const big = sizes.filter((entry) => entry.size >= 200 * 1024).map((entry) => entry.id);
    assert.deepEqual(big, ["lab/base-encoder"]);
    assert.deepEqual(ids(await searchModels(hub.hangar, { storageMin: 200 * 1024 })), big);
    const small = sizes.filter((entry) => entry.size <= 10 * 1024).map((entry) => entry.id);
    assert.ok(small.length >= 3);
    assert.deepEqual(
      ids(await searchModels(hub.hangar, { storageMax: 10 * 1024, limit: 100 })),
      small.sort(),
    );
    const storage = (await searchModels(hub.hangar, { authors: ["lab"] })).facets!.storage;
    assert.equal(
      storage.reduce((sum, bucket) => sum + bucket.count, 0),
      5,
      "every lab repo has a size bucket",
    );
  });

  it("sorts by last update as SQL does, and by trend with insights that agree", async () => {
    const rows = publicRows();
    const expected = [...rows]
      .sort(
        (a, b) =>
          Date.parse(b.lastModified) - Date.parse(a.lastModified) || b.downloads - a.downloads || a.pk - b.pk,
      )
      .slice(0, 20)
      .map((row) => row.id);
    const updated = await searchModels(hub.hangar, {
      sort: "updated",
      limit: 20,
      facets: false,
      insights: false,
    });
    assert.deepEqual(
      updated.results.map((hit) => hit.id),
      expected,
    );

    const trending = await searchModels(hub.hangar, { sort: "trending", limit: 40, explain: true });
    const trends = trending.results.map((hit) => hit.explain!.signals.trend);
    assert.ok(trends[0]! > 0);
    for (let at = 1; at < trends.length; at++)
      assert.ok(trends[at]! <= trends[at - 1]!, `trend order at ${at}`);
    assert.deepEqual(
      trending.insights!.trendingModels.map((model) => model.id),
      trending.results.slice(0, 5).map((hit) => hit.id),
    );
  });

  it("refuses a licence it does not know, naming the closest one", async () => {
    const response = await hub.fetch(`${hub.url}/v1/discover?license=mitt`);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get("x-error-code"), "BadRequest");
    const body = (await response.json()) as { error: string };
    assert.match(body.error, /^Unknown license "mitt"; did you mean mit\? Valid: /);
    // Known licences no model uses are valid and match nothing.
    const unused = await hub.fetch(`${hub.url}/v1/discover?license=eupl-1.2`);
    assert.equal(unused.status, 200);
    assert.equal(((await unused.json()) as { total: number }).total, 0);
  });

  it("serves Hangar's filters on GET /api/models in the Hub's shape, every page linked", async () => {
    const rows = publicRows();
    const expected = rows
      .filter((row) => row.task === "text-classification" && row.license === "apache-2.0")
      .map((row) => row.id)
      .sort();
    assert.ok(expected.length > 30, "enough models for several pages");
    const listed = await listAll("pipeline_tag=text-classification&license=apache-2.0&limit=25");
    assert.deepEqual([...listed.ids].sort(), expected);
    assert.equal(listed.ids.length, new Set(listed.ids).size, "no model twice across pages");
    assert.equal(listed.total, String(expected.length));
    assert.ok(listed.pages > 1);

    // The Hub's `search` stays an id substring, combined with Hangar's filters.
    const substring = await listAll("search=lab/&license=apache-2.0");
    assert.deepEqual(substring.ids.sort(), ["lab/base-encoder", "lab/encoder-finetune", "lab/tiny-runner"]);
    // The Hub's num_parameters range.
    const sized = rows.filter(
      (row) => row.parameters !== null && row.parameters >= 1e8 && row.parameters <= 2e9,
    );
    const ranged = await listAll("num_parameters=min:100M,max:2B&limit=100");
    assert.equal(ranged.ids.length, sized.length);
    // Words with `q` rank by relevance; the entries carry the fields the Hub's clients read.
    const ranked = await hub.fetch(`${hub.url}/api/models?q=encoder&author=lab&full=true`);
    const entries = (await ranked.json()) as Array<{
      id: string;
      modelId: string;
      pipeline_tag: string;
      siblings: Array<{ rfilename: string }>;
    }>;
    assert.deepEqual(entries.map((entry) => entry.id).sort(), ["lab/base-encoder", "lab/encoder-finetune"]);
    const encoder = entries.find((entry) => entry.id === "lab/base-encoder")!;
    assert.equal(encoder.modelId, "lab/base-encoder");
    assert.equal(encoder.pipeline_tag, "feature-extraction");
    assert.deepEqual(encoder.siblings.map((file) => file.rfilename).sort(), [
      ".gitattributes",
      "README.md",
      "weights.bin",
    ]);

    // Without a Hangar parameter the Hub's plain listing answers, as before.
    const plain = await hub.fetch(`${hub.url}/api/models?author=lab&limit=2`);
    assert.equal(plain.headers.get("x-total-count"), null);
    assert.equal(((await plain.json()) as unknown[]).length, 2);
  });

  it("answers bad Hangar filters on /api/models with 400s naming the valid values", async () => {
    const answers = await Promise.all(
      [
        "library=transfomers",
        "license=apache2",
        "num_parameters=lots",
        "params_min=7B&params_max=1B",
        "sort=id&q=bert",
      ].map(async (query) => {
        const response = await hub.fetch(`${hub.url}/api/models?${query}`);
        return { status: response.status, error: ((await response.json()) as { error: string }).error };
      }),
    );
    assert.ok(answers.every((answer) => answer.status === 400));
    assert.match(answers[0]!.error, /Unknown library "transfomers"; did you mean transformers\?/);
    assert.match(answers[1]!.error, /Unknown license "apache2"; did you mean apache-2\.0\?/);
    assert.match(answers[2]!.error, /^num_parameters must look like min:1B,max:7B/);
    assert.match(answers[3]!.error, /params_min .* is larger than params_max/);
    assert.match(answers[4]!.error, /^Unknown sort "id".*Valid: relevance, trending/);
  });

  it("hangar search takes a flag for every filter dimension", async () => {
    const search = async (...args: string[]) => {
      const run = await runCli(["search", ...args, "--home", hub.home, "--json"]);
      assert.equal(run.code, 0, run.stderr);
      return ids(JSON.parse(run.stdout) as SearchModelsResult);
    };
    assert.deepEqual(await search("--author", "lab", "--runs-locally"), ["lab/tiny-runner"]);
    assert.deepEqual(await search("--dataset", "imdb", "--dataset", "wikipedia", "--min-size", "200KB"), [
      "lab/base-encoder",
    ]);
    assert.deepEqual(await search("--author", "lab", "--modality", "cv", "--modality", "audio", "--gated"), [
      "lab/vision-gated",
    ]);
    assert.deepEqual(
      await search("--base-model", "lab/base-encoder", "--max-size", "10KB", "--scan-status", "unscanned"),
      ["lab/encoder-finetune"],
    );
  });
});
