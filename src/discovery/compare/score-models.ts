import { countNoun } from "../../core/count-noun.ts";
import { type ModelComparison, type Pairwise, WEIGHT_NAMES, type WeightName } from "./comparison.ts";
import { formatCount, formatRatio, formatScore } from "./format.ts";
import { LOWER_IS_BETTER, metricLabel, onOneScale, type QualityView } from "./quality-basis.ts";

// How compared models rank: each criterion on a 0..1 scale among them, the weighted overall, and what
// tells each pair apart.

/** 1 for the best value, 0 for the worst, linear between; unknown values stay unknown. All equal: 1. */
function normalise(values: Array<number | null>, lowerIsBetter: boolean): Array<number | null> {
  const known = values.filter((value): value is number => value !== null);
  if (known.length === 0) return values.map(() => null);
  const min = Math.min(...known);
  const max = Math.max(...known);
  return values.map((value) => {
    if (value === null) return null;
    if (max === min) return 1;
    return lowerIsBetter ? (max - value) / (max - min) : (value - min) / (max - min);
  });
}

/**
 * Size as parameters when every model's count is known, else as stored bytes when every model has files
 * here; never a mix of the two, which do not compare.
 */
function sizeValues(models: ModelComparison[]): Array<number | null> {
  if (models.every((model) => model.parameters !== null)) return models.map((model) => model.parameters);
  if (models.every((model) => model.storageBytes !== null)) return models.map((model) => model.storageBytes);
  return models.map((model) => model.parameters);
}

/** Fills each model's 0..1 score per criterion and the weighted overall (null when a weighed one is unknown). */
export function scoreModels(
  models: ModelComparison[],
  quality: QualityView | null,
  weights: Record<WeightName, number>,
): void {
  const eligible = models.some((model) => model.eligible) ? models.filter((model) => model.eligible) : models;
  // A criterion unknown for one of the models it ranks among ranks none of them: a 1 that only means
  // "the one we know" would read as "the best".
  const ranked = (values: Array<number | null>, lowerIsBetter: boolean) =>
    eligible.every((model) => values[models.indexOf(model)] !== null)
      ? normalise(values, lowerIsBetter)
      : values.map(() => null);
  const scores: Record<WeightName, Array<number | null>> = {
    speed: ranked(
      models.map((model) => model.speed.latencyMs),
      true,
    ),
    quality: quality ? ranked(quality.values, !quality.higherIsBetter) : models.map(() => null),
    cost: ranked(
      models.map((model) => model.cost.per1kRequestsUsd),
      true,
    ),
    size: ranked(sizeValues(models), true),
  };
  const weighed = WEIGHT_NAMES.filter((name) => weights[name] > 0);
  const weightTotal = weighed.reduce((total, name) => total + weights[name], 0);
  models.forEach((model, index) => {
    for (const name of WEIGHT_NAMES) model.scores[name] = scores[name][index]!;
    model.scores.overall = weighed.every((name) => model.scores[name] !== null)
      ? weighed.reduce((total, name) => total + weights[name] * model.scores[name]!, 0) / weightTotal
      : null;
  });
}

/** What tells each pair of the models apart: size, speed and cost ratios and score differences, in words. */
export function pairwiseDeltas(models: ModelComparison[]): Pairwise[] {
  const pairs: Pairwise[] = [];
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++) {
      const a = models[i]!;
      const b = models[j]!;
      const lines: string[] = [];
      const ratio = (x: number | null, y: number | null) =>
        x !== null && y !== null && y > 0 ? x / y : null;
      const parametersRatio = ratio(a.parameters, b.parameters);
      if (parametersRatio !== null && a.parameters !== b.parameters) {
        const [big, small, r] = parametersRatio > 1 ? [a, b, parametersRatio] : [b, a, 1 / parametersRatio];
        lines.push(
          `${big.id} is ${formatRatio(r)} larger than ${small.id} (${formatCount(big.parameters!)} vs ${formatCount(small.parameters!)} parameters)`,
        );
      }
      const latencyRatio = ratio(a.speed.latencyMs, b.speed.latencyMs);
      if (latencyRatio !== null && latencyRatio !== 1) {
        const [fast, slow, r] = latencyRatio < 1 ? [a, b, 1 / latencyRatio] : [b, a, latencyRatio];
        lines.push(`${fast.id} is ${formatRatio(r)} faster than ${slow.id} (${fast.speed.basis})`);
      }
      const costRatio = ratio(a.cost.per1kRequestsUsd, b.cost.per1kRequestsUsd);
      if (costRatio !== null && costRatio !== 1) {
        const [cheap, dear, r] = costRatio < 1 ? [a, b, 1 / costRatio] : [b, a, costRatio];
        lines.push(
          `${cheap.id} costs ${formatRatio(r)} less per request than ${dear.id} (${cheap.cost.basis})`,
        );
      }
      const metricDeltas: Pairwise["metricDeltas"] = [];
      for (const score of a.evaluations.reported) {
        const other = b.evaluations.reported.find(
          (candidate) => candidate.dataset === score.dataset && candidate.metric === score.metric,
        );
        if (!other) continue;
        const [aValue, bValue] = onOneScale(score.metric, [score.value, other.value]) as [number, number];
        const delta = aValue - bValue;
        metricDeltas.push({ dataset: score.dataset, metric: score.metric, delta, source: "reported" });
        if (delta === 0) continue;
        const lowerBetter = LOWER_IS_BETTER.test(score.metric);
        const aBetter = lowerBetter ? delta < 0 : delta > 0;
        const [better, worse] = aBetter ? [a, b] : [b, a];
        lines.push(
          `${better.id} is ${formatScore(Math.abs(delta))} points better than ${worse.id} on ${metricLabel(score)} (reported)`,
        );
      }
      for (const score of a.evaluations.measured) {
        const other = b.evaluations.measured.find(
          (candidate) => candidate.testSet === score.testSet && candidate.metric === score.metric,
        );
        if (!other) continue;
        const delta = score.value - other.value;
        metricDeltas.push({ dataset: score.dataset, metric: score.metric, delta, source: "measured" });
        if (delta === 0) continue;
        const aBetter = LOWER_IS_BETTER.test(score.metric) ? delta < 0 : delta > 0;
        const [better, worse] = aBetter ? [a, b] : [b, a];
        lines.push(
          `${better.id} is ${formatScore(Math.abs(delta))} points better than ${worse.id} on ${metricLabel(score)} (measured by Hangar on ${countNoun(score.examples, "example")} of ${score.file})`,
        );
      }
      pairs.push({ a: a.id, b: b.id, parametersRatio, latencyRatio, costRatio, metricDeltas, lines });
    }
  }
  return pairs;
}
