import type { SearchModelsResult } from "../../src/discovery/index.ts";
import { generateCatalog } from "../../src/hub/catalog/generate-catalog.ts";
import { rawDb } from "./raw-store.ts";
import { importFiles, startTestHangar, type TestHangar } from "./test-hangar.ts";

/**
 * The catalog the discovery tests search: a synthetic catalog of SYNTHETIC_MODELS models plus a few repos
 * written for the ranking checks (a sentiment model with a card and scores, two "zephyrine" generators of
 * very different popularity, and alice's private "secret-quokka"), with the straight-SQL side of the checks.
 */

export const SYNTHETIC_MODELS = 5000;

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

export function card(task: string, license: string, body: string): string {
  return `---\npipeline_tag: ${task}\nlicense: ${license}\n---\n# Model\n\n${body}\n`;
}

export interface Entry {
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

export interface DiscoverCatalog {
  hub: TestHangar;
  /** A read token of alice, who owns the private model. */
  aliceToken: string;
}

export async function startDiscoverCatalog(): Promise<DiscoverCatalog> {
  const hub = await startTestHangar();
  const aliceToken = await hub.addUser("alice", "read");
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
  return { hub, aliceToken };
}

/** Every public model, read straight from SQL: the independent side of the count checks. */
export function publicEntries(hub: TestHangar): Entry[] {
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

export function tally(values: Array<string | null>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

export function facetMap(
  result: SearchModelsResult,
  dimension: keyof NonNullable<SearchModelsResult["facets"]>,
) {
  return new Map(result.facets![dimension].map((entry) => [entry.value, entry.count]));
}

/** GET /v1/discover?query, as anyone or with a token. */
export async function discoverQuery(
  hub: TestHangar,
  query: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}/v1/discover?${query}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
