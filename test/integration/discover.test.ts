import assert from "node:assert/strict";
import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { listModels } from "@huggingface/hub";
import { type SearchModelsResult, searchModels } from "../../src/discovery/index.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { commercialUseOf } from "../../src/hub/metadata/licenses.ts";
import { deleteRepo } from "../../src/hub/write/delete-repo.ts";
import { updateRepoSettings } from "../../src/hub/write/update-repo-settings.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { importFiles, startTestHangar, type TestHangar } from "../helpers/test-hangar.ts";

const admin = localAdministrator();
const SYNTHETIC_MODELS = 5000;

const SENTIMENT_README = `---
pipeline_tag: text-classification
license: mit
language:
  - en
  - de
datasets:
  - imdb
tags:
  - sentiment
model-index:
  - name: sentiment-tiny
    results:
      - task:
          type: text-classification
        dataset:
          name: IMDB
          type: imdb
        metrics:
          - type: accuracy
            value: 0.91
---
# Sentiment tiny

A sarcasm-aware sentiment classifier for product reviews.
`;

const BERT_CONFIG = JSON.stringify({ architectures: ["BertForSequenceClassification"], model_type: "bert" });

function card(task: string, license: string, body: string): string {
  return `---\npipeline_tag: ${task}\nlicense: ${license}\n---\n# Model\n\n${body}\n`;
}

interface Entry {
  pk: number;
  id: string;
  private: number;
  task: string | null;
  library: string | null;
  license: string | null;
  parameters: number | null;
  downloads: number;
  likes: number;
  created: string;
  languages: string[];
}

describe("discovery: search with facets and ranking", () => {
  let hub: TestHangar;
  let aliceToken: string;
  const cleanup: Array<() => Promise<void>> = [];

  /** Every public model, read straight from SQL: the independent side of the count checks. */
  function publicEntries(): Entry[] {
    const rows = rawDb(hub.hangar.catalog)
      .prepare(
        `SELECT r.pk, r.namespace || '/' || r.name AS id, r.private, COALESCE(r.pipeline_tag, f.pipeline_tag) AS task,
           COALESCE(r.library_name, f.library) AS library, f.license, f.parameters, r.downloads, r.likes,
           r.created_at AS created, f.languages
         FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk WHERE r.type = 'model' AND r.private = 0`,
      )
      .all() as Array<Omit<Entry, "languages"> & { languages: string | null }>;
    return rows.map((row) => ({ ...row, languages: JSON.parse(row.languages ?? "[]") as string[] }));
  }

  function tally(values: Array<string | null>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
    return counts;
  }

  function facetMap(result: SearchModelsResult, dimension: keyof NonNullable<SearchModelsResult["facets"]>) {
    return new Map(result.facets![dimension].map((entry) => [entry.value, entry.count]));
  }

  async function discover(
    query: string,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${hub.url}/v1/discover?${query}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    hub = await startTestHangar();
    aliceToken = await hub.addUser("alice", "read");
    await generateCatalog(hub.hangar.catalog, { count: SYNTHETIC_MODELS, seed: 11, batchSize: 2500 });
    await importFiles(hub.hangar, "acme/sentiment-tiny", {
      "README.md": SENTIMENT_README,
      "config.json": BERT_CONFIG,
    });
    await importFiles(hub.hangar, "acme/zephyrine-popular", {
      "README.md": card("text-generation", "apache-2.0", "A small generator."),
    });
    await importFiles(hub.hangar, "acme/zephyrine-obscure", {
      "README.md": card("text-generation", "apache-2.0", "A small generator."),
    });
    await importFiles(
      hub.hangar,
      "alice/secret-quokka",
      { "README.md": card("fill-mask", "mit", "Internal only.") },
      { private: true },
    );
    const catalog = hub.hangar.catalog;
    for (const [id, downloads] of [
      ["zephyrine-popular", 50_000],
      ["zephyrine-obscure", 3],
    ] as const) {
      const repo = (await catalog.repos.get({ type: "model", namespace: "acme", name: id }))!;
      await catalog.repos.setUpstreamFigures(repo.pk, { downloads, likes: Math.floor(downloads / 100) });
    }
  });

  after(async () => {
    await hub.close();
    for (const remove of cleanup) await remove();
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

  it("keeps private repos to their owners, and follows visibility, new and deleted repos at once", async () => {
    assert.equal((await searchModels(hub.hangar, { query: "quokka" })).total, 0);
    let answer = await discover("q=quokka");
    assert.equal(answer.body.total, 0);
    answer = await discover("q=quokka", aliceToken);
    assert.equal(answer.body.total, 1);
    const ref = { type: "model" as const, namespace: "alice", name: "secret-quokka" };
    await updateRepoSettings(hub.hangar, admin, { repo: ref, private: false });
    assert.equal((await discover("q=quokka")).body.total, 1);
    await updateRepoSettings(hub.hangar, admin, { repo: ref, private: true });
    assert.equal((await discover("q=quokka")).body.total, 0);

    await importFiles(hub.hangar, "acme/fresh-narwhal", {
      "README.md": card("fill-mask", "mit", "Brand new."),
    });
    assert.deepEqual(
      (await searchModels(hub.hangar, { query: "narwhal" })).results.map((hit) => hit.id),
      ["acme/fresh-narwhal"],
    );
    await deleteRepo(hub.hangar, admin, {
      repo: { type: "model", namespace: "acme", name: "fresh-narwhal" },
    });
    assert.equal((await searchModels(hub.hangar, { query: "narwhal" })).total, 0);

    // A changed figure moves a model in the precomputed orders at once; a deleted model leaves them.
    const catalog = hub.hangar.catalog;
    const [obscure, leader] = rawDb(catalog)
      .prepare(
        "SELECT pk, namespace || '/' || name AS id FROM repos WHERE type = 'model' ORDER BY downloads ASC, pk LIMIT 1",
      )
      .all()
      .concat(
        rawDb(catalog)
          .prepare(
            "SELECT pk, namespace || '/' || name AS id FROM repos WHERE type = 'model' ORDER BY downloads DESC, pk LIMIT 1",
          )
          .all(),
      ) as Array<{ pk: number; id: string }>;
    await catalog.repos.setUpstreamFigures(obscure!.pk, { downloads: 10_000_000_000 });
    const top = async () =>
      (await searchModels(hub.hangar, { sort: "downloads", limit: 2 })).results.map((hit) => hit.id);
    assert.equal((await top())[0], obscure!.id);
    assert.equal((await top())[1], leader!.id);
    rawDb(catalog).prepare("DELETE FROM repos WHERE pk = ?").run(obscure!.pk);
    assert.equal((await top())[0], leader!.id);
    const everything = await searchModels(hub.hangar, {});
    assert.equal(everything.total, publicEntries().length);
  });

  it("serves GET /v1/discover with results, facets and insights", async () => {
    const answer = await discover(
      "q=zephyrine&task=text-generation&commercial=true&sort=relevance&explain=true&limit=1",
    );
    assert.equal(answer.status, 200);
    assert.equal(answer.body.total, 2);
    const results = answer.body.results as Array<{
      id: string;
      explain: { components: Record<string, number> };
    }>;
    assert.equal(results.length, 1);
    assert.equal(results[0]!.id, "acme/zephyrine-popular");
    assert.ok((results[0]!.explain.components.popularity ?? 0) > 0);
    assert.ok("facets" in answer.body && "insights" in answer.body);
    const paged = await discover("sort=downloads&limit=5&page=2&params_min=100M&params_max=7B");
    assert.equal(paged.status, 200);
    assert.equal((paged.body.results as unknown[]).length, 5);
  });

  it("compresses /v1/discover answers with brotli or gzip as Accept-Encoding asks", async () => {
    const raw = (acceptEncoding: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const request = httpGet(
          `${hub.url}/v1/discover?q=zephyrine&limit=20&facets=true&insights=false`,
          { headers: { "accept-encoding": acceptEncoding } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
            response.on("error", reject);
          },
        );
        request.on("error", reject);
      });
    const withoutTime = (text: string) => {
      const { tookMs: _took, ...rest } = JSON.parse(text) as Record<string, unknown>;
      return rest;
    };
    const plain = await raw("identity");
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.match(String(plain.headers.vary), /Accept-Encoding/);
    assert.ok(plain.body.byteLength > 1024, "a page with facets is worth compressing");
    const br = await raw("gzip, deflate, br");
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(Number(br.headers["content-length"]), br.body.byteLength);
    assert.ok(
      br.body.byteLength < plain.body.byteLength / 2,
      `${br.body.byteLength} of ${plain.body.byteLength}`,
    );
    assert.deepEqual(
      withoutTime(brotliDecompressSync(br.body).toString()),
      withoutTime(plain.body.toString()),
    );
    assert.match(String(br.headers.vary), /Origin/, "the CORS Vary stays");
    const gz = await raw("gzip;q=1, br;q=0");
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.deepEqual(withoutTime(gunzipSync(gz.body).toString()), withoutTime(plain.body.toString()));
  });

  it("keeps the Hub's GET /api/models meaning for search, author and filter", async () => {
    const models = [];
    for await (const model of listModels({
      hubUrl: hub.url,
      search: { query: "zephyrine", owner: "acme" },
    })) {
      models.push(model.name);
    }
    assert.deepEqual(models.sort(), ["acme/zephyrine-obscure", "acme/zephyrine-popular"]);
  });

  it("answers bad input with 400s that name the valid values", async () => {
    const typo = await discover("task=text-clasification");
    assert.equal(typo.status, 400);
    assert.match(
      String(typo.body.error),
      /Unknown task "text-clasification"; did you mean text-classification\? Valid: /,
    );
    const parameter = await discover("colour=red");
    assert.equal(parameter.status, 400);
    assert.match(String(parameter.body.error), /Unknown search parameter "colour".*Valid: q, search, task/);
    const quote = await discover(`q=${encodeURIComponent('llama "chat')}`);
    assert.equal(quote.status, 400);
    assert.match(String(quote.body.error), /Unbalanced quote/);
    const field = await discover(`q=${encodeURIComponent("licence:mit")}`);
    assert.equal(field.status, 400);
    assert.match(String(field.body.error), /Unknown field "licence" in the query; did you mean license\?/);
    const sort = await discover("sort=populer");
    assert.equal(sort.status, 400);
    assert.match(String(sort.body.error), /Unknown sort "populer".*Valid: relevance, trending/);
    const library = await discover("library=transfomers");
    assert.match(String(library.body.error), /did you mean transformers\?/);
    const range = await discover("params_min=7B&params_max=1B");
    assert.equal(range.status, 400);
    const size = await discover("params_min=lots");
    assert.match(String(size.body.error), /params_min must be a number of parameters/);
    // Page sizes are capped at 100; deep pages past 10,000 results are refused.
    const capped = await discover("limit=1000&facets=false&insights=false");
    assert.equal(capped.status, 200);
    assert.equal(capped.body.limit, 100);
    assert.equal((capped.body.results as unknown[]).length, 100);
    const deep = await discover("limit=100&page=101");
    assert.equal(deep.status, 400);
    assert.match(String(deep.body.error), /past the first 10000 results/);
  });

  it("hangar search prints a table and parses as --json", async () => {
    const run = (...args: string[]) => runCli(["search", ...args, "--home", hub.home]);
    const table = await run("zephyrine", "--sort", "downloads", "--explain");
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split("\n");
    assert.match(
      lines[0]!,
      /^MODEL\s+TASK\s+LIBRARY\s+LICENSE\s+PARAMS\s+DOWNLOADS\s+LIKES\s+UPDATED\s+SCORE/,
    );
    assert.match(lines[1]!, /^acme\/zephyrine-popular\s/);
    assert.match(table.stdout, /2 models match/);
    const json = await run(
      "--task",
      "text-classification",
      "--license",
      "mit",
      "--commercial",
      "--limit",
      "3",
      "--json",
    );
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as SearchModelsResult;
    assert.equal(parsed.results.length, 3);
    assert.ok(parsed.results.every((hit) => hit.task === "text-classification" && hit.license === "mit"));
    const bad = await run("--task", "text-clasification");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /did you mean text-classification\?/);
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
