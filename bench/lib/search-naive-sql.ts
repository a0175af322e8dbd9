// The naive implementation `bench:search` measures its engine against: each query as plain SQL on the
// catalog's tables (LIKE for text, WHERE for filters, ORDER BY for the page, COUNT(*) for the total and one
// GROUP BY per facet dimension), what a hub without a search index would run.
import type { SearchModelsParams } from "../../src/discovery/index.ts";
import { commercialUseOf } from "../../src/hub/metadata/licenses.ts";
import type { Catalog } from "../../src/store/catalog.ts";
import { rawDb } from "../../test/helpers/raw-store.ts";

/** The catalog's licences that allow commercial use: what the naive path filters `commercial: yes` by. */
export function commercialLicensesOf(catalog: Catalog): string[] {
  return (
    rawDb(catalog)
      .prepare("SELECT DISTINCT license FROM repo_facts WHERE license IS NOT NULL")
      .pluck()
      .all() as string[]
  ).filter((license) => commercialUseOf(license) === "yes");
}

const NAIVE_ORDER: Record<string, string> = {
  relevance: "r.downloads DESC",
  trending: "r.trending_score DESC, r.downloads DESC",
  downloads: "r.downloads DESC",
  likes: "r.likes DESC",
  updated: "r.last_modified DESC",
  created: "r.created_at DESC",
  parameters: "f.parameters DESC",
};

/**
 * The same query as plain SQL: LIKE on id and description per word (no prefix index, no typos), the filters
 * as WHERE clauses, ORDER BY for the page, COUNT(*) for the total, and one GROUP BY per facet dimension over
 * the result set. Returns the total.
 */
export function naiveSearch(
  catalog: Catalog,
  query: SearchModelsParams,
  commercialLicenses: string[],
): number {
  const where: string[] = ["r.type = 'model'", "r.private = 0"];
  const args: unknown[] = [];
  for (const word of (query.query ?? "").split(/\s+/).filter(Boolean)) {
    where.push("(lower(r.namespace || '/' || r.name) LIKE ? OR lower(f.description) LIKE ?)");
    args.push(`%${word.toLowerCase()}%`, `%${word.toLowerCase()}%`);
  }
  const list = (column: string, values: string[] | undefined) => {
    if (!values) return;
    where.push(`${column} IN (${values.map(() => "?").join(", ")})`);
    args.push(...values);
  };
  list("r.pipeline_tag", query.tasks);
  list("r.library_name", query.libraries);
  list("f.license", query.licenses);
  if (query.commercial) list("f.license", commercialLicenses);
  if (query.languages) {
    where.push(
      `r.pk IN (SELECT repo_pk FROM repo_languages WHERE language IN (${query.languages.map(() => "?").join(", ")}))`,
    );
    args.push(...query.languages);
  }
  if (query.parametersMin !== undefined) {
    where.push("f.parameters >= ?");
    args.push(query.parametersMin);
  }
  if (query.parametersMax !== undefined) {
    where.push("f.parameters <= ?");
    args.push(query.parametersMax);
  }
  if (query.gated !== undefined) where.push(query.gated ? "r.gated != 'false'" : "r.gated = 'false'");
  const from = `FROM repos r LEFT JOIN repo_facts f ON f.repo_pk = r.pk WHERE ${where.join(" AND ")}`;
  const db = rawDb(catalog);
  db.prepare(`SELECT r.pk ${from} ORDER BY ${NAIVE_ORDER[query.sort ?? "relevance"]} LIMIT 20`).all(...args);
  const total = db
    .prepare(`SELECT COUNT(*) ${from}`)
    .pluck()
    .get(...args) as number;
  for (const column of [
    "r.pipeline_tag",
    "r.library_name",
    "f.license",
    "r.namespace",
    "r.gated",
    "CASE WHEN f.parameters IS NULL THEN -1 WHEN f.parameters < 1e8 THEN 0 WHEN f.parameters < 1e9 THEN 1 WHEN f.parameters < 7e9 THEN 2 ELSE 3 END",
  ]) {
    db.prepare(
      `SELECT ${column} AS value, COUNT(*) AS n ${from} GROUP BY value ORDER BY n DESC LIMIT 30`,
    ).all(...args);
  }
  db.prepare(
    `SELECT l.language, COUNT(*) AS n FROM repo_languages l WHERE l.repo_pk IN (SELECT r.pk ${from}) GROUP BY l.language ORDER BY n DESC LIMIT 30`,
  ).all(...args);
  db.prepare(
    `SELECT b.base_model, COUNT(*) AS n FROM repo_base_models b WHERE b.repo_pk IN (SELECT r.pk ${from}) GROUP BY b.base_model ORDER BY n DESC LIMIT 30`,
  ).all(...args);
  return total;
}
