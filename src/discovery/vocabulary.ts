import { ALL_MODEL_LIBRARY_KEYS, MODALITY_LABELS, PIPELINE_DATA } from "@huggingface/tasks";
import type { CommercialUse } from "../core/types.ts";

/**
 * The vocabularies search filters and facets use. Tasks and modalities come from `@huggingface/tasks`, so
 * the CLI, the server and the UI validate and label them from one table.
 */
export const TASKS: readonly string[] = Object.keys(PIPELINE_DATA).sort();

export const MODALITIES: readonly string[] = Object.keys(MODALITY_LABELS);

/** Libraries the Hub knows, plus formats Hangar's catalogs use as a library name. */
export const KNOWN_LIBRARIES: ReadonlySet<string> = new Set([
  ...ALL_MODEL_LIBRARY_KEYS,
  "gguf",
  "onnx",
  "coqui",
]);

export function modalityOfTask(task: string): string | null {
  return Object.hasOwn(PIPELINE_DATA, task)
    ? (PIPELINE_DATA[task as keyof typeof PIPELINE_DATA].modality as string)
    : null;
}

/** `commercial=` values, in the order facets list them. "unknown" is a licence Hangar cannot judge. */
export const COMMERCIAL_VALUES = ["yes", "conditional", "no", "unknown"] as const;
export type CommercialValue = (typeof COMMERCIAL_VALUES)[number];

export function commercialValue(use: CommercialUse | null): CommercialValue {
  return use ?? "unknown";
}

/**
 * A model's security scan status: its head's worst verdict once every file is scanned (src/hub/scan;
 * invalid files count as suspicious), "unscanned" before.
 */
export const SCAN_STATUSES = ["unscanned", "safe", "suspicious", "unsafe"] as const;

export const GATED_VALUES = ["false", "auto", "manual"] as const;

/** A numeric range facet: `[min, max)` with null for an open end. */
export interface RangeBucket {
  label: string;
  min: number | null;
  max: number | null;
}

const M = 1e6;
const B = 1e9;
export const PARAMETER_BUCKETS: readonly RangeBucket[] = [
  { label: "<100M", min: null, max: 100 * M },
  { label: "100M-500M", min: 100 * M, max: 500 * M },
  { label: "500M-1B", min: 500 * M, max: B },
  { label: "1B-3B", min: B, max: 3 * B },
  { label: "3B-7B", min: 3 * B, max: 7 * B },
  { label: "7B-13B", min: 7 * B, max: 13 * B },
  { label: "13B-35B", min: 13 * B, max: 35 * B },
  { label: "35B-70B", min: 35 * B, max: 70 * B },
  { label: ">70B", min: 70 * B, max: null },
];

const MB = 1024 ** 2;
const GB = 1024 ** 3;
export const STORAGE_BUCKETS: readonly RangeBucket[] = [
  { label: "<100MB", min: null, max: 100 * MB },
  { label: "100MB-1GB", min: 100 * MB, max: GB },
  { label: "1GB-5GB", min: GB, max: 5 * GB },
  { label: "5GB-20GB", min: 5 * GB, max: 20 * GB },
  { label: ">20GB", min: 20 * GB, max: null },
];

/** Index of the bucket holding `value`; `buckets.length` stands for "unknown". */
export function bucketOf(buckets: readonly RangeBucket[], value: number): number {
  if (Number.isNaN(value)) return buckets.length;
  for (let index = 0; index < buckets.length; index++) {
    const bucket = buckets[index]!;
    if (bucket.max === null || value < bucket.max) return index;
  }
  return buckets.length - 1;
}

/** Levenshtein distance, for "did you mean" suggestions on short vocabularies. */
export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(
        above + 1,
        previous[j - 1]! + 1,
        diagonal + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * Values to suggest for an unknown one: the values it is the first part of ("apache" -> apache-2.0; "gpl" ->
 * gpl-2.0, gpl-3.0), shortest first, at most `limit`; else the closest within a third of its length.
 */
export function closestValues(value: string, candidates: readonly string[], limit = 3): string[] {
  const lower = value.toLowerCase();
  // The value must end where the candidate's next part begins: "apache" names apache-2.0, "apa" does not.
  const extendsValue = (candidate: string) => {
    const text = candidate.toLowerCase();
    return lower.length >= 2 && text.startsWith(lower) && /^[-._ 0-9]/.test(text.slice(lower.length));
  };
  const extensions = candidates
    .filter(extendsValue)
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .slice(0, limit);
  if (extensions.length > 0) return extensions;
  const closest = closestValue(value, candidates);
  return closest === null ? [] : [closest];
}

/** `; did you mean x?` or `; did you mean x, y or z?` for the suggestions of {@link closestValues}, else "". */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  const last = suggestions.at(-1)!;
  const listed = suggestions.length === 1 ? last : `${suggestions.slice(0, -1).join(", ")} or ${last}`;
  return `; did you mean ${listed}?`;
}

/** The closest value within a third of its length, for "did you mean ...?". */
export function closestValue(value: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = value.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.ceil(value.length / 3)) ? best : null;
}
