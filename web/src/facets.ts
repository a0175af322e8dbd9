import { MODALITY_LABELS, PIPELINE_DATA } from "@huggingface/tasks";
import type { FacetValue } from "./types.ts";

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
