import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { searchModels } from "../../src/discovery/index.ts";
import { commercialUseOf } from "../../src/hub/metadata/licenses.ts";
import {
  type Entry,
  facetMap,
  publicEntries as publicModelEntries,
  SYNTHETIC_MODELS,
  startDiscoverCatalog,
  tally,
} from "../helpers/discover-catalog.ts";
import type { TestHangar } from "../helpers/test-hangar.ts";

describe("discovery: search with facets and ranking", () => {
  let hub: TestHangar;
  const publicEntries = () => publicModelEntries(hub);

  before(async () => {
    ({ hub } = await startDiscoverCatalog());
  });

  after(async () => {
    await hub.close();
  });

  it("counts every public model, with facets matching straight SQL counts", async () => {
    const entries = publicEntries();
    const result = await searchModels(hub.hangar, { limit: 5, sort: "downloads" });
    assert.equal(result.total, entries.length);
    assert.equal(result.total, SYNTHETIC_MODELS + 3);
    assert.deepEqual(facetMap(result, "task"), tally(entries.map((entry) => entry.task)));
    assert.deepEqual(facetMap(result, "library"), tally(entries.map((entry) => entry.library)));
    const licences = tally(entries.map((entry) => entry.license));
    const topLicences = [...licences].sort((a, b) => b[1] - a[1]).slice(0, 30);
    assert.deepEqual(facetMap(result, "license"), new Map(topLicences));
    assert.deepEqual(facetMap(result, "language"), tally(entries.flatMap((entry) => entry.languages)));
    const commercial = tally(entries.map((entry) => commercialUseOf(entry.license) ?? "unknown"));
    assert.deepEqual(facetMap(result, "commercial"), commercial);
    assert.deepEqual(facetMap(result, "scan_status"), new Map([["unscanned", entries.length]]));
    // Every facet dimension is in the same answer.
    assert.deepEqual(Object.keys(result.facets!).sort(), [
      "author",
      "base_model",
      "commercial",
      "dataset",
      "gated",
      "language",
      "library",
      "license",
      "modality",
      "parameters",
      "runs_locally",
      "scan_status",
      "storage",
      "task",
    ]);
    const parameterBuckets = result.facets!.parameters.reduce((sum, bucket) => sum + bucket.count, 0);
    assert.equal(parameterBuckets, entries.length);
  });

  it("filters by task, licence, commercial use and parameter range, with disjunctive facet counts", async () => {
    const entries = publicEntries();
    const result = await searchModels(hub.hangar, {
      tasks: ["text-classification"],
      licenses: ["apache-2.0"],
      limit: 100,
      sort: "downloads",
    });
    const both = entries.filter(
      (entry) => entry.task === "text-classification" && entry.license === "apache-2.0",
    );
    assert.equal(result.total, both.length);
    assert.ok(result.total > 20, "the seed gives enough models for a meaningful check");
    assert.ok(
      result.results.every((hit) => hit.task === "text-classification" && hit.license === "apache-2.0"),
    );
    // A dimension's own counts ignore its own filter; the other filters apply.
    assert.deepEqual(
      facetMap(result, "task"),
      tally(entries.filter((entry) => entry.license === "apache-2.0").map((entry) => entry.task)),
    );
    assert.deepEqual(facetMap(result, "library"), tally(both.map((entry) => entry.library)));
    const licences = tally(
      entries.filter((entry) => entry.task === "text-classification").map((entry) => entry.license),
    );
    assert.deepEqual(
      facetMap(result, "license"),
      new Map([...licences].sort((a, b) => b[1] - a[1]).slice(0, 30)),
    );

    const commercial = await searchModels(hub.hangar, {
      commercial: ["yes"],
      parametersMin: 1e8,
      parametersMax: 2e9,
      facets: false,
    });
    const expected = entries.filter(
      (entry) =>
        commercialUseOf(entry.license) === "yes" &&
        entry.parameters !== null &&
        entry.parameters >= 1e8 &&
        entry.parameters <= 2e9,
    );
    assert.equal(commercial.total, expected.length);

    // The same through the commercial dimension (driven by the licences it allows).
    const commercialTask = await searchModels(hub.hangar, {
      commercial: ["yes"],
      tasks: ["token-classification"],
    });
    const isCommercial = (entry: Entry) => commercialUseOf(entry.license) === "yes";
    assert.equal(
      commercialTask.total,
      entries.filter((entry) => isCommercial(entry) && entry.task === "token-classification").length,
    );
    assert.deepEqual(
      facetMap(commercialTask, "task"),
      tally(entries.filter(isCommercial).map((entry) => entry.task)),
    );
    assert.deepEqual(
      facetMap(commercialTask, "commercial"),
      tally(
        entries
          .filter((entry) => entry.task === "token-classification")
          .map((entry) => commercialUseOf(entry.license) ?? "unknown"),
      ),
    );
    assert.deepEqual(
      facetMap(commercialTask, "language"),
      tally(
        entries
          .filter((entry) => isCommercial(entry) && entry.task === "token-classification")
          .flatMap((entry) => entry.languages),
      ),
    );

    const english = await searchModels(hub.hangar, { languages: ["de"], tasks: ["text-classification"] });
    const german = entries.filter(
      (entry) => entry.languages.includes("de") && entry.task === "text-classification",
    );
    assert.equal(english.total, german.length);
    assert.ok(english.results.some((hit) => hit.id === "acme/sentiment-tiny"));
  });

  it("sorts by downloads, likes, creation and parameters as SQL does, ties by more downloads then row", async () => {
    const entries = publicEntries();
    const byKey = (key: (entry: Entry) => number, ascending = false) =>
      [...entries]
        .sort(
          (a, b) =>
            (ascending ? key(a) - key(b) : key(b) - key(a)) || b.downloads - a.downloads || a.pk - b.pk,
        )
        .slice(0, 15)
        .map((entry) => entry.id);
    const ids = async (sort: "downloads" | "likes" | "created" | "parameters", ascending = false) =>
      (
        await searchModels(hub.hangar, { sort, ascending, limit: 15, facets: false, insights: false })
      ).results.map((hit) => hit.id);
    assert.deepEqual(
      await ids("downloads"),
      byKey((entry) => entry.downloads),
    );
    assert.deepEqual(
      await ids("downloads", true),
      byKey((entry) => entry.downloads, true),
    );
    assert.deepEqual(
      await ids("likes"),
      byKey((entry) => entry.likes),
    );
    assert.deepEqual(
      await ids("created"),
      byKey((entry) => Date.parse(entry.created)),
    );
    assert.deepEqual(
      await ids("parameters"),
      byKey((entry) => entry.parameters ?? Number.NEGATIVE_INFINITY),
    );
    // Pages follow on from each other.
    const first = (await searchModels(hub.hangar, { sort: "downloads", limit: 10, page: 1 })).results.map(
      (hit) => hit.id,
    );
    const second = (await searchModels(hub.hangar, { sort: "downloads", limit: 10, page: 2 })).results.map(
      (hit) => hit.id,
    );
    assert.deepEqual(
      [...first, ...second],
      (await searchModels(hub.hangar, { sort: "downloads", limit: 20 })).results.map((hit) => hit.id),
    );
  });

  it("ranks an exact id first, popular before obscure on equal text, and finds typos and prefixes", async () => {
    const entries = publicEntries();
    const target = entries.find((entry) => entry.id.startsWith("user-") && entry.downloads === 0)!;
    const exact = await searchModels(hub.hangar, { query: target.id, explain: true });
    assert.equal(exact.results[0]!.id, target.id);
    assert.equal(exact.results[0]!.explain!.signals.exactMatch, 1);

    const equal = await searchModels(hub.hangar, { query: "zephyrine" });
    assert.deepEqual(
      equal.results.map((hit) => hit.id),
      ["acme/zephyrine-popular", "acme/zephyrine-obscure"],
    );
    const typo = await searchModels(hub.hangar, { query: "zephyrnie" });
    assert.deepEqual(
      new Set(typo.results.map((hit) => hit.id)),
      new Set(["acme/zephyrine-popular", "acme/zephyrine-obscure"]),
    );
    assert.equal(typo.query.words[0]!.typos > 0, true);
    const prefix = await searchModels(hub.hangar, { query: "zephy" });
    assert.equal(prefix.total, 2);
    // A quoted word matches exactly: no prefix expansion.
    assert.equal((await searchModels(hub.hangar, { query: '"zephy"' })).total, 0);
    // Card text and tags are searched too.
    const sarcasm = await searchModels(hub.hangar, { query: "sarcasm" });
    assert.deepEqual(
      sarcasm.results.map((hit) => hit.id),
      ["acme/sentiment-tiny"],
    );
    assert.equal(sarcasm.results[0]!.evalResults, 1);
    assert.ok(sarcasm.results[0]!.quality > 0.9);
    // Inline field filters.
    const inline = await searchModels(hub.hangar, {
      query: "zephyrine task:text-generation license:apache-2.0",
    });
    assert.equal(inline.total, 2);
  });

  it("explains scores: the components add up to the score, and relevance order follows the score", async () => {
    const result = await searchModels(hub.hangar, { query: "llama instruct", explain: true, limit: 30 });
    assert.ok(result.results.length > 5);
    let previous = Number.POSITIVE_INFINITY;
    for (const hit of result.results) {
      const sum = Object.values(hit.explain!.components).reduce((total, value) => total + value, 0);
      assert.ok(Math.abs(sum - hit.score) < 1e-9, `${hit.id}: ${sum} vs ${hit.score}`);
      assert.ok(hit.score <= previous + 1e-12);
      previous = hit.score;
    }
  });

  it("gives insights: popular tasks, trending models, quality distribution and related searches", async () => {
    const result = await searchModels(hub.hangar, { query: "bert" });
    const insights = result.insights!;
    assert.ok(insights.popularTasks.length > 0);
    const top = insights.popularTasks[0]!;
    assert.equal(top.count, Math.max(...insights.popularTasks.map((task) => task.count)));
    assert.equal(insights.trendingModels.length, 5);
    assert.equal(insights.quality.withEvaluations + insights.quality.withoutEvaluations, result.total);
    assert.ok(insights.relatedSearches.length > 0);
    for (const related of insights.relatedSearches) {
      assert.equal(related.params.q, "bert");
      const narrowed = await searchModels(hub.hangar, { query: "bert", ...paramsOf(related.params) });
      assert.ok(narrowed.total > 0 && narrowed.total < result.total, related.label);
    }
  });
});

function paramsOf(params: Record<string, string>) {
  return {
    ...(params.task ? { tasks: [params.task] } : {}),
    ...(params.library ? { libraries: [params.library] } : {}),
    ...(params.language ? { languages: [params.language] } : {}),
    ...(params.base_model ? { baseModels: [params.base_model] } : {}),
  };
}
