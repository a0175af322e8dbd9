import { badRequest } from "../core/errors.ts";
import { visibleNamespaces } from "../hub/access.ts";
import { KNOWN_LICENSES } from "../hub/metadata/licenses.ts";
import type { ParsedQuery } from "./parse-query.ts";
import type { FilterPlan } from "./plan.ts";
import type { SearchIndex } from "./search-index.ts";
import type { SearchModelsParams } from "./search-params.ts";
import {
  COMMERCIAL_VALUES,
  closestValues,
  didYouMean,
  KNOWN_LIBRARIES,
  MODALITIES,
  SCAN_STATUSES,
  TASKS,
} from "./vocabulary.ts";

const LANGUAGE_CODE = /^([a-z]{2,3}(-[a-z0-9]+)?|multilingual)$/i;

export function unknownValue(kind: string, value: string, valid: readonly string[], listLimit = 40): never {
  const suggestions = closestValues(value, valid);
  const listed = valid.length > listLimit ? `${valid.slice(0, listLimit).join(", ")}, ...` : valid.join(", ");
  throw badRequest(`Unknown ${kind} "${value}"${didYouMean(suggestions) || "."} Valid: ${listed}`, {
    details: { parameter: kind, didYouMean: suggestions, valid: valid.slice(0, 500) },
  });
}

/** A filter over one dictionary dimension: which value ids pass. Unknown-but-valid values match nothing. */
function allowList(size: number, ids: Array<number | undefined>): Uint8Array {
  const allowed = new Uint8Array(Math.max(size, 1));
  for (const id of ids) if (id !== undefined) allowed[id] = 1;
  return allowed;
}

function checkValues(
  kind: string,
  values: string[] | undefined,
  isValid: (value: string) => boolean,
  valid: () => readonly string[],
): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  for (const value of values) if (!isValid(value)) unknownValue(kind, value, valid());
  return values;
}

function mergeLists(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!a) return b;
  if (!b) return a;
  return [...a, ...b];
}

function rangeValue(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw badRequest(`${name} must be a non-negative number, got ${value}`);
  return value;
}

/**
 * Searches the catalog's models: text, filters, sorts, facet counts over the whole result set and insights,
 * in one pass over the candidates. `source` is a hub (its index is built or refreshed as needed) or an index.

/** The values a query chose in the dimensions that related searches suggest. */
export interface ChosenValues {
  tasks?: string[];
  libraries?: string[];
  languages?: string[];
  baseModels?: string[];
}

/**
 * A query's filters (parameters and inline `field:value` words), validated against the vocabularies and the
 * catalog and compiled to a plan of allowed value ids, with the caller's visibility.
 */
export function compileFilters(
  index: SearchIndex,
  params: SearchModelsParams,
  inline: ParsedQuery["filters"],
): { plan: FilterPlan; chosen: ChosenValues } {
  // Validation: every value must exist in the vocabulary (or in the catalog, for open vocabularies).
  const tasks = checkValues(
    "task",
    mergeLists(params.tasks, inline.task),
    (value) => TASKS.includes(value) || index.tasks.find(value) !== undefined,
    () => TASKS,
  );
  const modalities = checkValues(
    "modality",
    mergeLists(params.modalities, inline.modality),
    (value) => MODALITIES.includes(value),
    () => MODALITIES,
  );
  const libraries = checkValues(
    "library",
    mergeLists(params.libraries, inline.library),
    (value) => KNOWN_LIBRARIES.has(value) || index.libraries.find(value) !== undefined,
    () => [...new Set([...index.libraries.values.slice(1), ...KNOWN_LIBRARIES])].sort(),
  );
  const licenses = checkValues(
    "license",
    mergeLists(params.licenses, inline.license),
    (value) => KNOWN_LICENSES.includes(value) || index.licenses.find(value) !== undefined,
    () => [...new Set([...KNOWN_LICENSES, ...index.licenses.values.slice(1)])].sort(),
  );
  const languages = checkValues(
    "language",
    mergeLists(params.languages, inline.language),
    (value) => LANGUAGE_CODE.test(value) || index.languages.dictionary.find(value) !== undefined,
    () => index.languages.dictionary.values.slice(1).sort(),
  );
  const commercial = checkValues(
    "commercial",
    params.commercial,
    (value) => (COMMERCIAL_VALUES as readonly string[]).includes(value),
    () => COMMERCIAL_VALUES,
  );
  const scanStatuses = checkValues(
    "scan_status",
    params.scanStatuses,
    (value) => (SCAN_STATUSES as readonly string[]).includes(value),
    () => SCAN_STATUSES,
  );
  const authors = mergeLists(params.authors, inline.author);
  const datasets = mergeLists(params.datasets, inline.dataset);
  const baseModels = mergeLists(params.baseModels, inline.base_model);
  const parametersMin = rangeValue("params_min", params.parametersMin);
  const parametersMax = rangeValue("params_max", params.parametersMax);
  const storageMin = rangeValue("storage_min", params.storageMin);
  const storageMax = rangeValue("storage_max", params.storageMax);
  if (parametersMin !== undefined && parametersMax !== undefined && parametersMin > parametersMax) {
    throw badRequest(`params_min (${parametersMin}) is larger than params_max (${parametersMax})`);
  }
  if (storageMin !== undefined && storageMax !== undefined && storageMin > storageMax) {
    throw badRequest(`storage_min (${storageMin}) is larger than storage_max (${storageMax})`);
  }

  const visible = visibleNamespaces(params.caller ?? null);
  const visibleAuthors = new Uint8Array(index.authors.size);
  if (visible !== "all") {
    for (const name of visible) {
      const id = index.authors.find(name);
      if (id !== undefined) visibleAuthors[id] = 1;
    }
  }
  const requiredTags = params.tags?.filter(Boolean).map((tag) => index.tags.dictionary.find(tag)) ?? [];
  // Visibility is part of the plan: applied at query time from the index's current private flags.
  const plan: FilterPlan = {
    allowTask: tasks
      ? allowList(
          index.tasks.size,
          tasks.map((value) => index.tasks.find(value)),
        )
      : null,
    allowModality: modalities
      ? allowList(
          256,
          modalities.map((value) => MODALITIES.indexOf(value)),
        )
      : null,
    allowLibrary: libraries
      ? allowList(
          index.libraries.size,
          libraries.map((value) => index.libraries.find(value)),
        )
      : null,
    allowLicense: licenses
      ? allowList(
          index.licenses.size,
          licenses.map((value) => index.licenses.find(value)),
        )
      : null,
    allowCommercial: commercial
      ? allowList(
          COMMERCIAL_VALUES.length,
          commercial.map((value) => COMMERCIAL_VALUES.indexOf(value as never)),
        )
      : null,
    allowAuthor: authors
      ? allowList(
          index.authors.size,
          authors.map((value) => index.authors.find(value)),
        )
      : null,
    allowLanguage: languages
      ? allowList(
          index.languages.dictionary.size,
          languages.map((value) => index.languages.dictionary.find(value)),
        )
      : null,
    allowDataset: datasets
      ? allowList(
          index.datasets.dictionary.size,
          datasets.map((value) => index.datasets.dictionary.find(value)),
        )
      : null,
    allowBase: baseModels
      ? allowList(
          index.baseModels.dictionary.size,
          baseModels.map((value) => index.baseModels.dictionary.find(value)),
        )
      : null,
    allowScan: scanStatuses
      ? allowList(
          SCAN_STATUSES.length,
          scanStatuses.map((value) => SCAN_STATUSES.indexOf(value as never)),
        )
      : null,
    gated: params.gated === undefined ? -1 : params.gated ? 1 : 0,
    runsLocally: params.runsLocally === undefined ? -1 : params.runsLocally ? 1 : 0,
    parameterRange:
      parametersMin !== undefined || parametersMax !== undefined
        ? [parametersMin ?? 0, parametersMax ?? Number.POSITIVE_INFINITY]
        : null,
    storageRange:
      storageMin !== undefined || storageMax !== undefined
        ? [storageMin ?? 0, storageMax ?? Number.POSITIVE_INFINITY]
        : null,
    requiredTags: requiredTags.filter((id): id is number => id !== undefined),
    impossibleTags: requiredTags.some((id) => id === undefined),
    seeAll: visible === "all",
    visibleAuthors,
  };
  return { plan, chosen: { tasks, libraries, languages, baseModels } };
}
