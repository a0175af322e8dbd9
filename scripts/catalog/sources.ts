/**
 * Reads and checks the catalog's source data files under data/sources/ (see data/sources/README.md):
 *
 * - order.yaml: the family and evaluation files in the order they apply (earlier facts win).
 * - families/<key>.yaml: one model family from its cards: defaults for the family, then one entry per repo.
 * - evals/<key>.yaml: one published-evaluation table: per model id, the scores that source states.
 * - community-quants.yaml, task-page-cards.yaml, web-llm-origins.yaml, web-llm-0.2.86-prebuilt.json.
 *
 * Every file's shape is checked; a mistake is reported with the file and the field, e.g.
 * `families/qwen3.yaml: items[4].parameters: expected a positive number, got "7B"`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BASE_RELATIONS, type BaseRelation, type EvalScore } from "../../src/core/catalog-types.ts";

export interface FamilyItem {
  name: string;
  /** The size the card or paper states. */
  parameters?: number;
  /** The size the name states in a form the name rule does not read (bloom-1b1 = 1.1B). */
  sizeInName?: number;
  task?: string;
  /** null: the repo states no licence, whatever the family's default. */
  license?: string | null;
  base?: string;
  relation?: BaseRelation;
  description?: string;
  languages?: string[];
  /** null: no library, whatever the family's default. */
  library?: string | null;
  evalResults?: EvalScore[];
}

export interface Family {
  key: string;
  source: string;
  org: string;
  task: string;
  library?: string;
  license?: string;
  languages?: string[];
  /** Take parameters from the size in the name when an item gives none. */
  sizeFromName: boolean;
  /** The description of items that carry none. */
  description?: string;
  items: FamilyItem[];
}

export interface EvalTable {
  key: string;
  source: string;
  results: Record<string, EvalScore[]>;
}

export interface WebLlmModel {
  repo: string;
  vramMB: number | null;
  contextWindow: number | null;
  modelType: string;
}

export interface CatalogSources {
  families: Family[];
  evals: EvalTable[];
  quants: { key: string; source: string; repos: Array<[id: string, base: string]> };
  taskPageCards: {
    key: string;
    source: string;
    models: Record<string, { license: string; parameters?: number }>;
  };
  webLlm: { models: WebLlmModel[] };
  webLlmOrigins: Array<{ pattern: RegExp; repo: string }>;
}

/** A data file that does not have the expected shape. */
export class SourceDataError extends Error {
  override name = "SourceDataError";
}

type Json = unknown;

/** Checks values of one file, naming the file and the field path in every error. */
class Checker {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, value: Json): never {
    const shown = value === undefined ? "nothing" : JSON.stringify(value);
    throw new SourceDataError(`${this.file}: ${path}: expected ${expected}, got ${shown?.slice(0, 80)}`);
  }

  object(path: string, value: Json, allowed: readonly string[]): Record<string, Json> {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      this.fail(path, "a mapping", value);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw new SourceDataError(
          `${this.file}: ${path ? `${path}.` : ""}${key}: unknown field (allowed: ${allowed.join(", ")})`,
        );
      }
    }
    return value as Record<string, Json>;
  }

  array(path: string, value: Json): Json[] {
    if (!Array.isArray(value)) this.fail(path, "a list", value);
    return value;
  }

  string(path: string, value: Json): string {
    if (typeof value !== "string" || value.trim() === "") this.fail(path, "a non-empty string", value);
    return value;
  }

  optString(path: string, value: Json): string | undefined {
    return value === undefined ? undefined : this.string(path, value);
  }

  /** undefined: absent; null: explicitly none. */
  nullableString(path: string, value: Json): string | null | undefined {
    return value === null ? null : this.optString(path, value);
  }

  number(path: string, value: Json, positive = false): number {
    if (typeof value !== "number" || !Number.isFinite(value) || (positive && value <= 0)) {
      this.fail(path, positive ? "a positive number" : "a number", value);
    }
    return value;
  }

  strings(path: string, value: Json): string[] | undefined {
    if (value === undefined) return undefined;
    return this.array(path, value).map((entry, index) => this.string(`${path}[${index}]`, entry));
  }

  repoId(path: string, value: Json): string {
    const id = this.string(path, value);
    if (!/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(id))
      this.fail(path, "a repo id (owner/name)", value);
    return id;
  }

  /** Scores keep their fields in the file's order (so the snapshot lists them as the source does). */
  evalScores(path: string, value: Json): EvalScore[] {
    return this.array(path, value).map((raw, index) => {
      const at = `${path}[${index}]`;
      const score = this.object(at, raw, ["task", "dataset", "split", "metric", "value"]);
      this.string(`${at}.dataset`, score.dataset);
      this.string(`${at}.metric`, score.metric);
      for (const [field, entry] of Object.entries(score)) {
        if (field === "value") this.number(`${at}.value`, entry);
        else this.string(`${at}.${field}`, entry);
      }
      this.number(`${at}.value`, score.value);
      return score as unknown as EvalScore;
    });
  }
}

function readYaml(dir: string, file: string): Json {
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8");
  } catch {
    throw new SourceDataError(`${file}: cannot be read from ${dir}`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new SourceDataError(`${file}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
}

const ITEM_FIELDS = [
  "name",
  "parameters",
  "task",
  "license",
  "base",
  "relation",
  "description",
  "languages",
  "library",
  "evalResults",
  "sizeInName",
] as const;
const FAMILY_FIELDS = [
  "key",
  "source",
  "org",
  "task",
  "library",
  "license",
  "languages",
  "sizeFromName",
  "description",
  "items",
] as const;

function readFamily(dir: string, key: string): Family {
  const file = `families/${key}.yaml`;
  const check = new Checker(file);
  const raw = check.object("", readYaml(dir, file), FAMILY_FIELDS);
  if (raw.key !== key) check.fail("key", `"${key}" (the file's name)`, raw.key);
  if (raw.sizeFromName !== undefined && typeof raw.sizeFromName !== "boolean") {
    check.fail("sizeFromName", "true or false", raw.sizeFromName);
  }
  const names = new Set<string>();
  const items = check.array("items", raw.items).map((entry, index): FamilyItem => {
    const at = `items[${index}]`;
    if (typeof entry === "string") return { name: check.string(at, entry) };
    const item = check.object(at, entry, ITEM_FIELDS);
    const result: FamilyItem = { name: check.string(`${at}.name`, item.name) };
    if (item.parameters !== undefined)
      result.parameters = check.number(`${at}.parameters`, item.parameters, true);
    if (item.sizeInName !== undefined) {
      result.sizeInName = check.number(`${at}.sizeInName`, item.sizeInName, true);
      if (result.parameters !== undefined)
        check.fail(`${at}.sizeInName`, "no sizeInName beside parameters", item.sizeInName);
    }
    if (item.task !== undefined) result.task = check.string(`${at}.task`, item.task);
    if ("license" in item) result.license = check.nullableString(`${at}.license`, item.license);
    if (item.base !== undefined) result.base = check.repoId(`${at}.base`, item.base);
    if (item.relation !== undefined) {
      if (!BASE_RELATIONS.includes(item.relation as BaseRelation)) {
        check.fail(`${at}.relation`, `one of ${BASE_RELATIONS.join(", ")}`, item.relation);
      }
      result.relation = item.relation as BaseRelation;
    }
    if (item.description !== undefined)
      result.description = check.string(`${at}.description`, item.description);
    if (item.languages !== undefined) result.languages = check.strings(`${at}.languages`, item.languages);
    if ("library" in item) result.library = check.nullableString(`${at}.library`, item.library);
    if (item.evalResults !== undefined)
      result.evalResults = check.evalScores(`${at}.evalResults`, item.evalResults);
    return result;
  });
  for (const [index, item] of items.entries()) {
    check.repoId(`items[${index}].name`, `${raw.org}/${item.name}`);
    if (names.has(item.name))
      check.fail(`items[${index}].name`, "a name not listed before in this file", item.name);
    names.add(item.name);
  }
  return {
    key,
    source: check.string("source", raw.source),
    org: check.string("org", raw.org),
    task: check.string("task", raw.task),
    library: check.optString("library", raw.library),
    license: check.optString("license", raw.license),
    languages: check.strings("languages", raw.languages),
    sizeFromName: raw.sizeFromName === true,
    description: check.optString("description", raw.description),
    items,
  };
}

function readEvalTable(dir: string, key: string): EvalTable {
  const file = `evals/${key}.yaml`;
  const check = new Checker(file);
  const raw = check.object("", readYaml(dir, file), ["key", "source", "results"]);
  if (raw.key !== key) check.fail("key", `"${key}" (the file's name)`, raw.key);
  const results = check.object("results", raw.results, Object.keys(raw.results ?? {}));
  return {
    key,
    source: check.string("source", raw.source),
    results: Object.fromEntries(
      Object.entries(results).map(([id, scores]) => {
        check.repoId(`results.${id}`, id);
        return [id, check.evalScores(`results.${id}`, scores)];
      }),
    ),
  };
}

/** Lists a folder's `*.yaml` files by key, and checks order.yaml names each of them exactly once. */
function orderedKeys(dir: string, folder: string, listed: string[], check: Checker): string[] {
  const present = readdirSync(join(dir, folder))
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => name.slice(0, -".yaml".length));
  const seen = new Set<string>();
  for (const [index, key] of listed.entries()) {
    if (seen.has(key)) check.fail(`${folder}[${index}]`, "a key listed once", key);
    if (!present.includes(key))
      check.fail(`${folder}[${index}]`, `a file ${folder}/<key>.yaml that exists`, key);
    seen.add(key);
  }
  const missing = present.filter((key) => !seen.has(key));
  if (missing.length > 0)
    check.fail(folder, `every file of ${folder}/ listed (missing: ${missing.join(", ")})`, listed);
  return listed;
}

/** Reads every source data file under `dir` (data/sources), checking each one's shape. */
export function readCatalogSources(dir: string): CatalogSources {
  const orderCheck = new Checker("order.yaml");
  const order = orderCheck.object("", readYaml(dir, "order.yaml"), ["families", "evals"]);
  const familyKeys = orderedKeys(
    dir,
    "families",
    orderCheck.strings("families", order.families) ?? [],
    orderCheck,
  );
  const evalKeys = orderedKeys(dir, "evals", orderCheck.strings("evals", order.evals) ?? [], orderCheck);

  const quantCheck = new Checker("community-quants.yaml");
  const quants = quantCheck.object("", readYaml(dir, "community-quants.yaml"), ["key", "source", "repos"]);
  const repos = quantCheck.object("repos", quants.repos, Object.keys(quants.repos ?? {}));

  const cardCheck = new Checker("task-page-cards.yaml");
  const cards = cardCheck.object("", readYaml(dir, "task-page-cards.yaml"), ["key", "source", "models"]);
  const cardModels = cardCheck.object("models", cards.models, Object.keys(cards.models ?? {}));

  const originCheck = new Checker("web-llm-origins.yaml");
  const origins = originCheck.object("", readYaml(dir, "web-llm-origins.yaml"), ["origins"]);

  const webLlmFile = "web-llm-0.2.86-prebuilt.json";
  const webLlmCheck = new Checker(webLlmFile);
  let webLlmRaw: Json;
  try {
    webLlmRaw = JSON.parse(readFileSync(join(dir, webLlmFile), "utf8"));
  } catch (error) {
    throw new SourceDataError(`${webLlmFile}: cannot be read as JSON: ${(error as Error).message}`);
  }
  const webLlm = webLlmCheck.object("", webLlmRaw, Object.keys(webLlmRaw ?? {}));

  return {
    families: familyKeys.map((key) => readFamily(dir, key)),
    evals: evalKeys.map((key) => readEvalTable(dir, key)),
    quants: {
      key: quantCheck.string("key", quants.key),
      source: quantCheck.string("source", quants.source),
      repos: Object.entries(repos).map(([id, base]) => [
        quantCheck.repoId(`repos.${id}`, id),
        quantCheck.repoId(`repos.${id}`, base),
      ]),
    },
    taskPageCards: {
      key: cardCheck.string("key", cards.key),
      source: cardCheck.string("source", cards.source),
      models: Object.fromEntries(
        Object.entries(cardModels).map(([id, raw]) => {
          const at = `models.${id}`;
          cardCheck.repoId(at, id);
          const facts = cardCheck.object(at, raw, ["license", "parameters"]);
          const license = cardCheck.string(`${at}.license`, facts.license);
          const parameters =
            facts.parameters === undefined
              ? undefined
              : cardCheck.number(`${at}.parameters`, facts.parameters, true);
          return [id, parameters === undefined ? { license } : { license, parameters }];
        }),
      ),
    },
    webLlm: {
      models: webLlmCheck.array("models", webLlm.models).map((raw, index) => {
        const at = `models[${index}]`;
        const model = webLlmCheck.object(at, raw, Object.keys(raw ?? {}));
        const nullableNumber = (field: string) =>
          model[field] === null ? null : webLlmCheck.number(`${at}.${field}`, model[field]);
        return {
          repo: webLlmCheck.repoId(`${at}.repo`, model.repo),
          vramMB: nullableNumber("vramMB"),
          contextWindow: nullableNumber("contextWindow"),
          modelType: webLlmCheck.string(`${at}.modelType`, model.modelType),
        };
      }),
    },
    webLlmOrigins: originCheck.array("origins", origins.origins).map((raw, index) => {
      const at = `origins[${index}]`;
      const origin = originCheck.object(at, raw, ["pattern", "repo"]);
      const pattern = originCheck.string(`${at}.pattern`, origin.pattern);
      try {
        return { pattern: new RegExp(pattern), repo: originCheck.string(`${at}.repo`, origin.repo) };
      } catch {
        return originCheck.fail(`${at}.pattern`, "a regular expression", pattern);
      }
    }),
  };
}
