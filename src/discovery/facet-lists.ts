import type { FacetArrays } from "./facet-counts.ts";
import type { ChosenValues } from "./query-plan.ts";
import type { SearchIndex } from "./search-index.ts";
import type { FacetValue, SearchInsights } from "./search-models.ts";
import type { FacetDimension } from "./search-params.ts";
import {
  COMMERCIAL_VALUES,
  GATED_VALUES,
  MODALITIES,
  PARAMETER_BUCKETS,
  type RangeBucket,
  SCAN_STATUSES,
  STORAGE_BUCKETS,
} from "./vocabulary.ts";

/**
 * Facet lists from counts. The counts are disjunctive (see facet-scan.ts and scan.ts): a document that passes every filter
 * counts in every dimension; one that fails exactly one filter counts only in that filter's dimension, so a
 * dimension's counts are "what you would get choosing this value instead", the usual faceted-search convention.
 */
export function toFacets(
  index: SearchIndex,
  counts: FacetArrays,
  limit: number,
): Record<FacetDimension, FacetValue[]> {
  const named = (values: Uint32Array, names: readonly string[], skipZeroId = true): FacetValue[] => {
    // Authors and base models run to hundreds of thousands of values: keep only counts that can make the
    // list (at least the limit-th largest) before building and sorting objects.
    let threshold = 1;
    if (values.length > limit * 8) {
      const cap = 4096;
      const histogram = new Uint32Array(cap + 1);
      for (let id = skipZeroId ? 1 : 0; id < values.length; id++) histogram[Math.min(cap, values[id]!)]!++;
      let seen = 0;
      for (let count = cap; count >= 1; count--) {
        seen += histogram[count]!;
        if (seen >= limit) {
          threshold = count;
          break;
        }
      }
    }
    const list: FacetValue[] = [];
    for (let id = skipZeroId ? 1 : 0; id < values.length; id++) {
      if (values[id]! >= threshold) list.push({ value: names[id]!, count: values[id]! });
    }
    list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    return list.slice(0, limit);
  };
  const ranges = (values: Uint32Array, buckets: readonly RangeBucket[]): FacetValue[] => {
    const list: FacetValue[] = buckets.map((bucket, at) => ({
      value: bucket.label,
      count: values[at]!,
      min: bucket.min,
      max: bucket.max,
    }));
    list.push({ value: "unknown", count: values[buckets.length]!, min: null, max: null });
    return list.filter((value) => value.count > 0);
  };
  return {
    task: named(counts.task, index.tasks.values),
    modality: named(counts.modality, MODALITIES, false),
    library: named(counts.library, index.libraries.values),
    language: named(counts.language, index.languages.dictionary.values),
    license: named(counts.license, index.licenses.values),
    commercial: named(counts.commercial, COMMERCIAL_VALUES, false),
    author: named(counts.author, index.authors.values),
    parameters: ranges(counts.parameters, PARAMETER_BUCKETS),
    storage: ranges(counts.storage, STORAGE_BUCKETS),
    gated: named(counts.gated, GATED_VALUES, false),
    runs_locally: named(counts.runsLocally, ["false", "true"], false),
    scan_status: named(counts.scan, SCAN_STATUSES, false),
    base_model: named(counts.baseModel, index.baseModels.dictionary.values),
    dataset: named(counts.dataset, index.datasets.dictionary.values),
  };
}

export function buildInsights(
  index: SearchIndex,
  input: {
    total: number;
    counts: FacetArrays;
    taskFilter: Uint8Array | null;
    trending: number[];
    sample: number[];
    query: string;
    params: ChosenValues;
  },
): SearchInsights {
  // Task counts are disjunctive; within the result set only the chosen tasks (if any) remain.
  const popularTasks: SearchInsights["popularTasks"] = [];
  for (let id = 1; id < input.counts.task.length; id++) {
    if (input.taskFilter !== null && input.taskFilter[id] !== 1) continue;
    const count = input.counts.task[id]!;
    if (count > 0) popularTasks.push({ task: index.tasks.values[id]!, count, share: count / input.total });
  }
  popularTasks.sort((a, b) => b.count - a.count);
  popularTasks.splice(5);
  const trendingModels = input.trending.map((doc) => ({
    id: index.ids[doc]!,
    trend: index.trend[doc]!,
    estimated: index.trendEstimated[doc] === 1,
  }));
  const histogram = Array.from(input.counts.qualityHistogram, (count, bin) => ({
    from: bin / 10,
    to: (bin + 1) / 10,
    count,
  }));
  return {
    popularTasks,
    trendingModels,
    quality: {
      withEvaluations: input.counts.withEvaluations,
      withoutEvaluations: input.total - input.counts.withEvaluations,
      histogram,
    },
    relatedSearches: relatedSearches(index, input.sample.slice(0, 50), input.query, input.params),
  };
}

/**
 * Suggested refinements: the libraries, tasks, languages and base models that co-occur most among the top
 * results and are not already chosen, each turned into the query plus that filter.
 */
function relatedSearches(
  index: SearchIndex,
  sample: number[],
  query: string,
  chosen: ChosenValues,
): SearchInsights["relatedSearches"] {
  if (sample.length === 0) return [];
  const tally = (values: Array<string | null>, exclude: string[] | undefined): Array<[string, number]> => {
    const counts = new Map<string, number>();
    for (const value of values) {
      if (!value || exclude?.includes(value)) continue;
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const suggestions: SearchInsights["relatedSearches"] = [];
  const add = (entries: Array<[string, number]>, parameter: string, take: number): void => {
    for (const [value, count] of entries.slice(0, take)) {
      if (count < 2) continue;
      const params: Record<string, string> = { ...(query ? { q: query } : {}), [parameter]: value };
      suggestions.push({
        label: query ? `${query} ${parameter}:${value}` : `${parameter}:${value}`,
        params,
        count,
      });
    }
  };
  const patched = (doc: number) => index.patched[doc] === 1;
  add(
    tally(
      sample.map((doc) => index.libraries.values[index.library[doc]!] || null),
      chosen.libraries,
    ),
    "library",
    2,
  );
  add(
    tally(
      sample.map((doc) => index.tasks.values[index.task[doc]!] || null),
      chosen.tasks,
    ),
    "task",
    2,
  );
  add(
    tally(
      sample.flatMap((doc) => index.languages.names(doc, patched(doc))),
      chosen.languages,
    ),
    "language",
    1,
  );
  add(
    tally(
      sample.flatMap((doc) => index.baseModels.names(doc, patched(doc))),
      chosen.baseModels,
    ),
    "base_model",
    1,
  );
  return suggestions.sort((a, b) => b.count - a.count).slice(0, 6);
}
