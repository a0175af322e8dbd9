import { MODALITY_LABELS, PIPELINE_DATA } from "@huggingface/tasks";
import type { FacetValue } from "./types.ts";

/**
 * The Explorer's filters, one per facet of `/v1/discover`. Task names and modalities come from
 * `@huggingface/tasks`, the same vocabulary the server validates against.
 */
export interface FacetSpec {
  /** The facet's key in `/v1/discover`'s `facets`. */
  key: string;
  title: string;
  /** list: values OR'ed in one query parameter; flag: true or false; range: min and max parameters. */
  kind: "list" | "flag" | "range";
  /** The query parameter(s) it sets. */
  param: string;
  maxParam?: string;
}

export const FACETS: readonly FacetSpec[] = [
  { key: "task", title: "Tasks", kind: "list", param: "task" },
  { key: "modality", title: "Modalities", kind: "list", param: "modality" },
  { key: "library", title: "Libraries", kind: "list", param: "library" },
  { key: "language", title: "Languages", kind: "list", param: "language" },
  { key: "license", title: "Licences", kind: "list", param: "license" },
  { key: "commercial", title: "Commercial use", kind: "list", param: "commercial" },
  { key: "parameters", title: "Parameters", kind: "range", param: "params_min", maxParam: "params_max" },
  { key: "storage", title: "Size on disk", kind: "range", param: "storage_min", maxParam: "storage_max" },
  { key: "runs_locally", title: "Runs locally", kind: "flag", param: "runs_locally" },
  { key: "scan_status", title: "Scan verdict", kind: "list", param: "scan_status" },
  { key: "gated", title: "Gated", kind: "flag", param: "gated" },
  { key: "author", title: "Authors", kind: "list", param: "author" },
  { key: "dataset", title: "Trained on", kind: "list", param: "dataset" },
  { key: "base_model", title: "Base models", kind: "list", param: "base_model" },
];

/** Every query parameter the Explorer keeps in the URL and sends to `/v1/discover`. */
export const SEARCH_PARAMS = [
  "q",
  "sort",
  "page",
  ...FACETS.flatMap((facet) => (facet.maxParam ? [facet.param, facet.maxParam] : [facet.param])),
];

const pipelines = PIPELINE_DATA as Record<string, { name: string; modality: string }>;
const modalityLabels = MODALITY_LABELS as Record<string, string>;

export function taskLabel(task: string): string {
  return pipelines[task]?.name ?? task;
}

export function modalityLabel(modality: string): string {
  return modalityLabels[modality] ?? modality;
}

/** Task values grouped by their modality, in the order the counts put the groups. */
export function groupTasks(values: FacetValue[]): Array<{ modality: string; values: FacetValue[] }> {
  const groups = new Map<string, FacetValue[]>();
  for (const value of values) {
    const modality = pipelines[value.value]?.modality ?? "other";
    const group = groups.get(modality) ?? [];
    group.push(value);
    groups.set(modality, group);
  }
  return [...groups].map(([modality, grouped]) => ({ modality, values: grouped }));
}

const VALUE_LABELS: Record<string, Record<string, string>> = {
  commercial: { yes: "Allowed", no: "Not allowed", conditional: "Conditional", unknown: "Unknown" },
  runs_locally: { true: "Runs locally", false: "Remote only" },
  gated: { true: "Gated", false: "Open" },
  scan_status: {
    safe: "Safe",
    unsafe: "Unsafe",
    suspicious: "Suspicious",
    unscanned: "Not scanned yet",
    unscannable: "Unscannable",
  },
};

export function valueLabel(facet: string, value: string): string {
  if (facet === "task") return taskLabel(value);
  if (facet === "modality") return modalityLabel(value);
  return VALUE_LABELS[facet]?.[value] ?? value;
}

export const SORTS: ReadonlyArray<{ value: string; label: string }> = [
  { value: "relevance", label: "Best match" },
  { value: "trending", label: "Trending" },
  { value: "likes", label: "Most likes" },
  { value: "downloads", label: "Most downloads" },
  { value: "created", label: "Recently created" },
  { value: "updated", label: "Recently updated" },
  { value: "parameters", label: "Most parameters" },
];
