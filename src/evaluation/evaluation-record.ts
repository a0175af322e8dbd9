import { readFileSync } from "node:fs";
import type { EvaluationDetails, StoredEvaluation } from "../core/catalog-types.ts";

/** The version of Hangar that measures, recorded with every run. */
export const HANGAR_VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** One evaluation Hangar ran, as the library, the CLI and the HTTP API return it. */
export interface Evaluation {
  id: number;
  model: string;
  /** The model commit that was run. */
  modelCommit: string;
  dataset: string;
  datasetCommit: string;
  /** The labelled file of the dataset repo. */
  file: string;
  task: string;
  columns: { text: string; label: string };
  /** Examples the metrics are computed over. */
  examples: number;
  /** Rows left out because their text or label was empty. */
  skippedRows: number;
  /** The limit asked for (the first N usable examples), or null for the whole file. */
  limit: number | null;
  /** metric -> value: `accuracy` and `f1_macro` for classification, entity-level `f1`, `precision`, `recall` for tagging. */
  metrics: Record<string, number>;
  details: EvaluationDetails;
  durationMs: number;
  /** When the run finished (ISO 8601). */
  createdAt: string;
  /** `hangar`: measured by this Hangar's own inference runtime, not reported in a card. */
  measuredBy: string;
  hangarVersion: string;
}

export function toEvaluation(stored: StoredEvaluation): Evaluation {
  return {
    id: stored.id,
    model: stored.model,
    modelCommit: stored.modelCommit,
    dataset: stored.dataset,
    datasetCommit: stored.datasetCommit,
    file: stored.datasetFile,
    task: stored.task,
    columns: { text: stored.textColumn, label: stored.labelColumn },
    examples: stored.examples,
    skippedRows: stored.skippedRows,
    limit: stored.exampleLimit,
    metrics: stored.metrics,
    details: stored.details,
    durationMs: stored.durationMs,
    createdAt: stored.createdAt,
    measuredBy: stored.measuredBy,
    hangarVersion: stored.hangarVersion,
  };
}
