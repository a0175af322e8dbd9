import assert from "node:assert/strict";
import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { listModels } from "@huggingface/hub";
import { type SearchModelsResult, searchModels } from "../../src/discovery/index.ts";
import { localAdministrator } from "../../src/hub/accounts/principal.ts";
import { deleteRepo } from "../../src/hub/write/delete-repo.ts";
import { updateRepoSettings } from "../../src/hub/write/update-repo-settings.ts";
import { runCli } from "../helpers/cli-in-process.ts";
import {
  card,
  discoverQuery,
  publicEntries as publicModelEntries,
  startDiscoverCatalog,
} from "../helpers/discover-catalog.ts";
import { rawDb } from "../helpers/raw-store.ts";
import { importFiles, type TestHangar } from "../helpers/test-hangar.ts";

const admin = localAdministrator();

describe("discovery: visibility, GET /v1/discover, the Hub's /api/models and hangar search", () => {
  let hub: TestHangar;
  let aliceToken: string;
  const publicEntries = () => publicModelEntries(hub);

  before(async () => {
    ({ hub, aliceToken } = await startDiscoverCatalog());
  });

  after(async () => {
    await hub.close();
  });
  const discover = (query: string, token?: string) => discoverQuery(hub, query, token);

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
