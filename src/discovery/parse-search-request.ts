import { badRequest } from "../core/errors.ts";
import { SEARCH_SORTS, type SearchModelsParams, type SearchSort, SORT_ALIASES } from "./search-params.ts";
import { type CommercialValue, closestValue } from "./vocabulary.ts";

/** Request parameters of `GET /v1/discover` (and the CLI's flags, mapped onto them). */
export const SEARCH_REQUEST_PARAMETERS = [
  "q",
  "search",
  "task",
  "pipeline_tag",
  "modality",
  "library",
  "language",
  "license",
  "commercial",
  "author",
  "dataset",
  "base_model",
  "scan_status",
  "filter",
  "params_min",
  "params_max",
  "storage_min",
  "storage_max",
  "gated",
  "runs_locally",
  "sort",
  "direction",
  "page",
  "limit",
  "explain",
  "facets",
  "insights",
  "facet_limit",
] as const;

const SIZE_SUFFIXES: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9, g: 1e9, t: 1e12 };
const BYTE_SUFFIXES: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** `7B`, `500M`, `1.5e9` or `125000000` parameters. */
export function parseParameterCount(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmbgt]?)$/i.exec(value.trim());
  if (!match)
    throw badRequest(`${name} must be a number of parameters such as 7B, 500M or 125000000, got "${value}"`);
  return Number(match[1]) * (match[2] ? SIZE_SUFFIXES[match[2].toLowerCase()]! : 1);
}

/** `500MB`, `2GB` or a byte count. */
export function parseByteSize(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?b?)$/i.exec(value.trim());
  if (!match) throw badRequest(`${name} must be a size such as 500MB, 2GB or a byte count, got "${value}"`);
  return Number(match[1]) * (match[2] ? BYTE_SUFFIXES[match[2].toLowerCase()]! : 1);
}

function parseFlag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "1" || lower === "yes" || lower === "") return true;
  if (lower === "false" || lower === "0" || lower === "no") return false;
  throw badRequest(`${name} must be true or false, got "${value}"`);
}

function parseInteger(name: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    throw badRequest(`${name} must be an integer of at least ${minimum}, got "${value}"`);
  }
  return Number(value);
}

const COMMERCIAL_WORDS: Record<string, CommercialValue> = {
  true: "yes",
  yes: "yes",
  "1": "yes",
  false: "no",
  no: "no",
  "0": "no",
  conditional: "conditional",
  unknown: "unknown",
};

/**
 * Parses search request parameters (`get(name)` returns every value given for a name; values may also be
 * comma-separated). Unknown parameter names are a 400 naming the valid ones; values are checked against the
 * index's vocabularies later, by `searchModels`.
 */
export function parseSearchRequest(
  names: Iterable<string>,
  get: (name: string) => string[],
): SearchModelsParams {
  for (const name of names) {
    if (!(SEARCH_REQUEST_PARAMETERS as readonly string[]).includes(name)) {
      const suggestion = closestValue(name, SEARCH_REQUEST_PARAMETERS);
      throw badRequest(
        `Unknown search parameter "${name}"${suggestion ? `; did you mean ${suggestion}?` : "."} Valid: ${SEARCH_REQUEST_PARAMETERS.join(", ")}`,
      );
    }
  }
  const list = (...names: string[]): string[] | undefined => {
    const values = names
      .flatMap((name) => get(name))
      .flatMap((value) => value.split(","))
      .map((value) => value.trim())
      .filter(Boolean);
    return values.length > 0 ? values : undefined;
  };
  const one = (name: string): string | undefined => {
    const values = get(name);
    if (values.length > 1) throw badRequest(`${name} may be given once, got ${values.length} values`);
    return values[0];
  };
  const params: SearchModelsParams = {};
  const text = [...get("q"), ...get("search")].join(" ").trim();
  if (text) params.query = text;
  const assign = <K extends keyof SearchModelsParams>(
    key: K,
    value: SearchModelsParams[K] | undefined,
  ): void => {
    if (value !== undefined) params[key] = value;
  };
  assign("tasks", list("task", "pipeline_tag"));
  assign("modalities", list("modality"));
  assign("libraries", list("library"));
  assign("languages", list("language"));
  assign("licenses", list("license"));
  assign("authors", list("author"));
  assign("datasets", list("dataset"));
  assign("baseModels", list("base_model"));
  assign("scanStatuses", list("scan_status"));
  assign("tags", list("filter"));
  const commercial = list("commercial");
  if (commercial) {
    params.commercial = commercial.map((value) => {
      const mapped = COMMERCIAL_WORDS[value.toLowerCase()];
      if (!mapped) {
        throw badRequest(
          `Unknown commercial "${value}". Valid: true (licence allows commercial use), false, conditional, unknown`,
        );
      }
      return mapped;
    });
  }
  const parametersMin = one("params_min");
  const parametersMax = one("params_max");
  const storageMin = one("storage_min");
  const storageMax = one("storage_max");
  if (parametersMin !== undefined) params.parametersMin = parseParameterCount("params_min", parametersMin);
  if (parametersMax !== undefined) params.parametersMax = parseParameterCount("params_max", parametersMax);
  if (storageMin !== undefined) params.storageMin = parseByteSize("storage_min", storageMin);
  if (storageMax !== undefined) params.storageMax = parseByteSize("storage_max", storageMax);
  assign("gated", parseFlag("gated", one("gated")));
  assign("runsLocally", parseFlag("runs_locally", one("runs_locally")));
  assign("explain", parseFlag("explain", one("explain")));
  assign("facets", parseFlag("facets", one("facets")));
  assign("insights", parseFlag("insights", one("insights")));
  const sort = one("sort");
  if (sort !== undefined && sort !== "") {
    const resolved = (SEARCH_SORTS as readonly string[]).includes(sort)
      ? (sort as SearchSort)
      : SORT_ALIASES[sort];
    if (!resolved) {
      const suggestion = closestValue(sort, SEARCH_SORTS);
      throw badRequest(
        `Unknown sort "${sort}"${suggestion ? `; did you mean ${suggestion}?` : "."} Valid: ${SEARCH_SORTS.join(", ")}`,
      );
    }
    params.sort = resolved;
  }
  const direction = one("direction");
  if (direction !== undefined) {
    if (direction === "asc" || direction === "1") params.ascending = true;
    else if (direction === "desc" || direction === "-1") params.ascending = false;
    else throw badRequest(`direction must be asc or desc (or 1 / -1), got "${direction}"`);
  }
  assign("page", parseInteger("page", one("page"), 1));
  assign("limit", parseInteger("limit", one("limit"), 1));
  assign("facetLimit", parseInteger("facet_limit", one("facet_limit"), 1));
  return params;
}

/**
 * Parameters of `GET /api/models` that the Hub does not have and that ask for Hangar's search: with any of
 * them (or `sort=relevance`) the listing is served by the search index, and the Hub's own parameters keep
 * their meaning (`search` an id substring, `author`, `filter` tags, `pipeline_tag`, `gated`, `sort`).
 */
export const HANGAR_LISTING_PARAMETERS = [
  "q",
  "task",
  "modality",
  "library",
  "language",
  "license",
  "commercial",
  "dataset",
  "base_model",
  "scan_status",
  "params_min",
  "params_max",
  "storage_min",
  "storage_max",
  "runs_locally",
  "num_parameters",
] as const;

/** Sort names of the Hub's listing that Hangar's search ranks by a close equivalent. */
const LISTING_SORT_ALIASES: Record<string, string> = { likes7d: "likes", likes30d: "likes" };

/** The Hub's `num_parameters=min:1B,max:7B` (either end may be left out). */
function parseParameterRange(value: string): { min?: number; max?: number } {
  const range: { min?: number; max?: number } = {};
  for (const part of value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const match = /^(min|max):(.+)$/.exec(part);
    if (!match) {
      throw badRequest(
        `num_parameters must look like min:1B,max:7B (either end may be left out), got "${value}"`,
      );
    }
    range[match[1] as "min" | "max"] = parseParameterCount(`num_parameters ${match[1]}`, match[2]!);
  }
  return range;
}

/**
 * The search a Hub listing request asks for, or null when it uses none of Hangar's parameters (the plain
 * listing then serves it). `get(name)` returns every value given for a name.
 */
export function parseListingSearch(
  names: Iterable<string>,
  get: (name: string) => string[],
): SearchModelsParams | null {
  const present = new Set(names);
  const hangarNames = HANGAR_LISTING_PARAMETERS.filter((name) => present.has(name));
  const sort = get("sort")[0];
  if (hangarNames.length === 0 && sort !== "relevance") return null;
  const passed = new Set<string>([...hangarNames.filter((name) => name !== "num_parameters")]);
  if (present.has("sort")) passed.add("sort");
  if (present.has("direction")) passed.add("direction");
  const params = parseSearchRequest(passed, (name) => {
    if (name === "sort") return get(name).map((value) => LISTING_SORT_ALIASES[value] ?? value);
    return passed.has(name) ? get(name) : [];
  });
  const ids = get("search").filter(Boolean);
  if (ids.length > 0) params.idContains = ids;
  const author = get("author").filter(Boolean);
  if (author.length > 0) params.authors = [...(params.authors ?? []), ...author];
  const tags = get("filter").filter(Boolean);
  if (tags.length > 0) params.tags = tags;
  const pipelineTag = get("pipeline_tag").filter(Boolean);
  if (pipelineTag.length > 0) params.tasks = [...(params.tasks ?? []), ...pipelineTag];
  const gated = parseFlag("gated", get("gated")[0]);
  if (gated !== undefined) params.gated = gated;
  for (const value of get("num_parameters")) {
    const range = parseParameterRange(value);
    if (range.min !== undefined) params.parametersMin = range.min;
    if (range.max !== undefined) params.parametersMax = range.max;
  }
  // The Hub lists by trend when no sort is given; words asked for with `q` rank by relevance.
  params.sort ??= params.query ? "relevance" : "trending";
  return params;
}
