import type { EvalScore } from "../../core/catalog-types.ts";
import { countNoun } from "../../core/count-noun.ts";
import type { MeasuredQualityBasis, ModelComparison, QualityBasis } from "./comparison.ts";
import type { MeasuredEvaluation } from "./model-profile.ts";

/** Metrics where a lower value is better; every other metric counts as higher-is-better. */
export const LOWER_IS_BETTER =
  /^(wer|cer|loss|perplexity|ppl|mae|mse|rmse|mape|smape|fid|ter|eer|der|latency)$/i;
/** Metrics that are shares of a whole: model cards give them as fractions (0.91) or in percent (91.3). */
const PROPORTION = /accuracy|^(f1|precision|recall|exact_match|em)$/i;

/**
 * One metric's scores on one scale: when some model reports a proportion in percent (a value above 1), the
 * fractions of the others are read in percent too, so 0.935 and 91.3 accuracy compare as 93.5 and 91.3.
 */
export function onOneScale(metric: string, values: Array<number | null>): Array<number | null> {
  if (!PROPORTION.test(metric)) return values;
  const known = values.filter((value): value is number => value !== null);
  const inPercent = known.some((value) => value > 1) && known.every((value) => value >= 0 && value <= 100);
  return inPercent ? values.map((value) => (value !== null && value <= 1 ? value * 100 : value)) : values;
}

/** A model's reported scores in a few words, for reasons: "accuracy 91.3 on sst2". */
export function describeReported(scores: EvalScore[], limit = 2): string {
  const shown = scores.slice(0, limit).map((score) => `${score.metric} ${score.value} on ${score.dataset}`);
  return `${shown.join(", ")}${scores.length > limit ? ` and ${scores.length - limit} more` : ""}`;
}

/** When several shared metrics cover as many models, the first of these wins, then alphabetical order. */
const METRIC_PREFERENCE = ["f1", "accuracy", "exact_match", "bleu", "rouge1", "rougeL", "wer", "spearman"];

export function chooseQualityBasis(
  ids: string[],
  evaluations: EvalScore[][],
  task: string | null,
): QualityBasis | null {
  const byKey = new Map<string, { score: EvalScore; models: Set<string> }>();
  evaluations.forEach((scores, index) => {
    for (const score of scores) {
      if (task && score.task && score.task !== task) continue;
      const key = `${score.dataset}\u0000${score.metric}`;
      const entry = byKey.get(key) ?? { score, models: new Set<string>() };
      entry.models.add(ids[index]!);
      byKey.set(key, entry);
    }
  });
  const ranked = [...byKey.values()].sort(
    (a, b) =>
      b.models.size - a.models.size ||
      metricRank(a.score.metric) - metricRank(b.score.metric) ||
      `${a.score.dataset}/${a.score.metric}`.localeCompare(`${b.score.dataset}/${b.score.metric}`),
  );
  const best = ranked[0];
  if (!best) return null;
  return {
    dataset: best.score.dataset,
    metric: best.score.metric,
    task: best.score.task ?? null,
    higherIsBetter: !LOWER_IS_BETTER.test(best.score.metric),
    models: ids.filter((id) => best.models.has(id)),
  };
}

export function scoreOn(scores: EvalScore[], basis: QualityBasis): number | null {
  return (
    scores.find((score) => score.dataset === basis.dataset && score.metric === basis.metric)?.value ?? null
  );
}

export const metricLabel = (basis: { dataset: string; metric: string }) => `${basis.dataset} ${basis.metric}`;
export const metricRank = (metric: string) => {
  const rank = METRIC_PREFERENCE.indexOf(metric);
  return rank === -1 ? METRIC_PREFERENCE.length : rank;
};
export const shortCommit = (commit: string) => commit.slice(0, 7);

/**
 * The test set and metric Hangar measured every model on at its head commit, or null. Several: the preferred
 * metric, then the test set in name order, so the answer is deterministic.
 */
export function chooseMeasuredBasis(
  ids: string[],
  measured: MeasuredEvaluation[][],
  task: string | null,
): MeasuredQualityBasis | null {
  const shared = new Map<string, { score: MeasuredEvaluation; models: Set<string> }>();
  measured.forEach((scores, index) => {
    for (const score of scores) {
      if (!score.atHead || (task && score.task !== task)) continue;
      const key = `${score.testSet}\u0000${score.metric}`;
      const entry = shared.get(key) ?? { score, models: new Set<string>() };
      entry.models.add(ids[index]!);
      shared.set(key, entry);
    }
  });
  const complete = [...shared.values()]
    .filter((entry) => entry.models.size === ids.length)
    .sort(
      (a, b) =>
        metricRank(a.score.metric) - metricRank(b.score.metric) ||
        a.score.testSet.localeCompare(b.score.testSet) ||
        a.score.metric.localeCompare(b.score.metric),
    );
  const best = complete[0]?.score;
  if (!best) return null;
  return {
    dataset: best.dataset,
    datasetCommit: best.datasetCommit,
    file: best.file,
    examples: best.examples,
    metric: best.metric,
    task: best.task,
    higherIsBetter: !LOWER_IS_BETTER.test(best.metric),
    models: [...ids],
  };
}

export function measuredScoreOn(scores: MeasuredEvaluation[], basis: MeasuredQualityBasis): number | null {
  return (
    scores.find(
      (score) =>
        score.atHead &&
        score.dataset === basis.dataset &&
        score.datasetCommit === basis.datasetCommit &&
        score.file === basis.file &&
        score.examples === basis.examples &&
        score.metric === basis.metric,
    )?.value ?? null
  );
}

/** The quality figures the decision uses, on whichever basis was chosen, with the words that say which. */
export interface QualityView {
  source: "measured" | "reported";
  dataset: string;
  metric: string;
  higherIsBetter: boolean;
  /** One value per model, in the models' order; null when unknown. */
  values: Array<number | null>;
  /** Where a score comes from, for reasons. */
  provenance: string;
}

export function qualityView(
  models: ModelComparison[],
  measured: MeasuredQualityBasis | null,
  reported: QualityBasis | null,
): QualityView | null {
  if (measured) {
    return {
      source: "measured",
      dataset: measured.dataset,
      metric: measured.metric,
      higherIsBetter: measured.higherIsBetter,
      values: models.map((model) => measuredScoreOn(model.evaluations.measured, measured)),
      provenance:
        `measured by Hangar on the same ${countNoun(measured.examples, "example")} of ${measured.file}, ` +
        `${measured.dataset}@${shortCommit(measured.datasetCommit)}`,
    };
  }
  if (reported) {
    return {
      source: "reported",
      dataset: reported.dataset,
      metric: reported.metric,
      higherIsBetter: reported.higherIsBetter,
      values: onOneScale(
        reported.metric,
        models.map((model) => scoreOn(model.evaluations.reported, reported)),
      ),
      provenance: "reported in its model card",
    };
  }
  return null;
}

export function qualityAssumption(
  view: QualityView | null,
  measured: MeasuredQualityBasis | null,
  models: ModelComparison[],
): string {
  if (view?.source === "measured" && measured) {
    return (
      `quality = ${measured.metric} measured by Hangar's own inference runtime on ${measured.dataset}@${shortCommit(measured.datasetCommit)} ` +
      `${measured.file} (${countNoun(measured.examples, "example")}), the same test set for every model at its current commit; ` +
      "scores reported in model cards are listed beside it but do not decide"
    );
  }
  const someMeasured = models.some((model) => model.evaluations.measured.length > 0);
  const measurements = someMeasured
    ? "Hangar's own measurements (hangar evaluate) do not cover every one of these models on one test set"
    : "Hangar has measured none of these models (hangar evaluate measures a model on a labelled dataset)";
  return view
    ? "quality = evaluation results reported in model cards, compared on the dataset and metric most of these " +
        "models report (a proportion reported in percent by one card and as a fraction by another is read in " +
        `percent), and decided only when every model has a score on it; ${measurements}`
    : `quality unknown: no evaluation reported on a shared dataset and metric, and ${measurements}`;
}
