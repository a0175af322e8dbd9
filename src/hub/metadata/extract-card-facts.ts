import type { EvalResult, ModelCardFacts } from "../../core/types.ts";

export function stringList(value: unknown): string[] {
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) {
    return value
      .filter((item): item is string => typeof item === "string" && item.trim() !== "")
      .map((item) => item.trim());
  }
  return [];
}

function text(value: unknown): string | null {
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number") return String(value);
  return null;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/**
 * Flattens `model-index` (entries → results → metrics) into one row per metric value. Rows without a
 * task, dataset, metric type or value are skipped with a warning, as the Hub skips them when rendering.
 */
export function flattenModelIndex(modelIndex: unknown, warnings: string[]): EvalResult[] {
  if (modelIndex === undefined || modelIndex === null) return [];
  if (!Array.isArray(modelIndex)) {
    warnings.push("README.md model-index is not a list; it was ignored");
    return [];
  }
  const results: EvalResult[] = [];
  let skipped = 0;
  for (const entry of modelIndex) {
    const entryRecord = record(entry);
    const modelName = text(entryRecord.name);
    for (const result of Array.isArray(entryRecord.results) ? entryRecord.results : []) {
      const resultRecord = record(result);
      const task = record(resultRecord.task);
      const dataset = record(resultRecord.dataset);
      const source = record(resultRecord.source);
      for (const metric of Array.isArray(resultRecord.metrics) ? resultRecord.metrics : []) {
        const metricRecord = record(metric);
        const value = metricRecord.value;
        const taskType = text(task.type);
        const datasetType = text(dataset.type);
        const metricType = text(metricRecord.type);
        if (
          !taskType ||
          !datasetType ||
          !metricType ||
          (typeof value !== "number" && typeof value !== "string")
        ) {
          skipped++;
          continue;
        }
        results.push({
          model: modelName,
          task: taskType,
          taskName: text(task.name),
          dataset: datasetType,
          datasetName: text(dataset.name),
          datasetConfig: text(dataset.config),
          datasetSplit: text(dataset.split),
          metric: metricType,
          metricName: text(metricRecord.name),
          value,
          verified: typeof metricRecord.verified === "boolean" ? metricRecord.verified : null,
          source: Object.keys(source).length > 0 ? { name: text(source.name), url: text(source.url) } : null,
        });
      }
    }
  }
  if (skipped > 0) {
    warnings.push(
      `README.md model-index has ${skipped} result(s) without task, dataset, metric type or value; they were ignored`,
    );
  }
  return results;
}

/** The known fields of a card's YAML, normalised to the shapes the rest of Hangar reads. */
export function extractCardFacts(cardData: Record<string, unknown>, warnings: string[]): ModelCardFacts {
  const gating: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cardData))
    if (key.startsWith("extra_gated_")) gating[key] = value;
  const license = stringList(cardData.license)[0] ?? null;
  return {
    license: license?.toLowerCase() ?? null,
    licenseName: text(cardData.license_name),
    licenseLink: text(cardData.license_link),
    languages: stringList(cardData.language),
    tags: stringList(cardData.tags),
    datasets: stringList(cardData.datasets),
    metrics: stringList(cardData.metrics),
    baseModels: stringList(cardData.base_model),
    baseModelRelation: text(cardData.base_model_relation),
    pipelineTag: text(cardData.pipeline_tag),
    libraryName: text(cardData.library_name),
    evalResults: flattenModelIndex(cardData["model-index"], warnings),
    widget: Array.isArray(cardData.widget) ? cardData.widget : [],
    gating,
  };
}
