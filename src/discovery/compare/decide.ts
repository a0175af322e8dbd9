import {
  type Decision,
  type ModelComparison,
  type Pick,
  WEIGHT_NAMES,
  type WeightName,
} from "./comparison.ts";
import { formatMs, formatRatio, formatScore, formatUsd } from "./format.ts";
import type { HardwareSpec } from "./hardware.ts";
import { metricLabel, type QualityView } from "./quality-basis.ts";

export function decide(
  models: ModelComparison[],
  quality: QualityView | null,
  weights: Record<WeightName, number>,
  hardware: HardwareSpec,
  speedBasis: "measured" | "estimated",
): Decision {
  const eligible = models.some((model) => model.eligible) ? models.filter((model) => model.eligible) : models;
  const excluded = models.filter((model) => !eligible.includes(model)).map((model) => model.id);
  const excludedNote = excluded.length ? ` (${excluded.join(", ")} left out: see notes)` : "";
  // Ties keep the order the models were given, so the answer is deterministic.
  // Equal values fall to `tie` (lower wins), then to the order the models were given.
  const bestBy = (
    value: (model: ModelComparison) => number | null,
    lowerIsBetter: boolean,
    tie: (model: ModelComparison) => number | null = () => null,
  ) => {
    let best: ModelComparison | null = null;
    for (const model of eligible) {
      const current = value(model);
      if (current === null) continue;
      const bestValue = best ? value(best)! : null;
      const better = bestValue === null || (lowerIsBetter ? current < bestValue : current > bestValue);
      const tied =
        best !== null && current === bestValue && (tie(model) ?? Infinity) < (tie(best) ?? Infinity);
      if (better || tied) best = model;
    }
    return best;
  };
  const runnerUp = (winner: ModelComparison, value: (model: ModelComparison) => number | null) => {
    const others = eligible.filter((model) => model !== winner && value(model) !== null);
    return others.length ? others : null;
  };

  const speedWinner = bestBy((model) => model.speed.latencyMs, true);
  let bestForSpeed: Pick | null = null;
  if (speedWinner) {
    const others = runnerUp(speedWinner, (model) => model.speed.latencyMs);
    const where = speedBasis === "measured" ? "measured by Hangar" : `estimated on ${hardware.name}`;
    const nextFastest = others?.sort((x, y) => x.speed.latencyMs! - y.speed.latencyMs!)[0];
    bestForSpeed = {
      id: speedWinner.id,
      reason:
        `${speedWinner.id} has the lowest latency: ${formatMs(speedWinner.speed.latencyMs!)} per request (${where})` +
        (nextFastest
          ? `, ${formatRatio(nextFastest.speed.latencyMs! / speedWinner.speed.latencyMs!)} faster than ${nextFastest.id} (${formatMs(nextFastest.speed.latencyMs!)})`
          : "") +
        excludedNote,
    };
  }

  let bestForQuality: Pick | null = null;
  if (quality) {
    const qualityOf = (model: ModelComparison) => quality.values[models.indexOf(model)] ?? null;
    const winner = bestBy(qualityOf, !quality.higherIsBetter);
    if (winner) {
      const next = runnerUp(winner, qualityOf)?.sort((x, y) =>
        quality.higherIsBetter ? qualityOf(y)! - qualityOf(x)! : qualityOf(x)! - qualityOf(y)!,
      )[0];
      const unknown = eligible.filter((model) => qualityOf(model) === null).map((model) => model.id);
      bestForQuality = {
        id: winner.id,
        reason:
          `${winner.id} scores ${formatScore(qualityOf(winner)!)} ${quality.metric} on ${quality.dataset} (${quality.provenance})` +
          (next
            ? `, ${formatScore(Math.abs(qualityOf(winner)! - qualityOf(next)!))} points ${quality.higherIsBetter ? "above" : "below"} ${next.id}`
            : "") +
          (unknown.length ? `; no ${metricLabel(quality)} ${quality.source} for ${unknown.join(", ")}` : "") +
          excludedNote,
      };
    }
  }

  // At a flat provider price every model costs the same: the faster one is then the better buy.
  const costWinner = bestBy(
    (model) => model.cost.per1kRequestsUsd,
    true,
    (model) => model.speed.latencyMs,
  );
  let bestForCost: Pick | null = null;
  if (costWinner) {
    const next = runnerUp(costWinner, (model) => model.cost.per1kRequestsUsd)?.sort(
      (x, y) => x.cost.per1kRequestsUsd! - y.cost.per1kRequestsUsd!,
    )[0];
    const monthly =
      costWinner.cost.perMonthUsd !== null ? ` (${formatUsd(costWinner.cost.perMonthUsd)} a month)` : "";
    bestForCost = {
      id: costWinner.id,
      reason:
        `${costWinner.id} costs the least: ${formatUsd(costWinner.cost.per1kRequestsUsd!)} per 1,000 requests${monthly}, ${costWinner.cost.basis}: ${costWinner.cost.note}` +
        (next && next.cost.per1kRequestsUsd! > costWinner.cost.per1kRequestsUsd!
          ? `; ${formatRatio(next.cost.per1kRequestsUsd! / costWinner.cost.per1kRequestsUsd!)} less than ${next.id}`
          : "") +
        excludedNote,
    };
  }

  const overallWinner = bestBy((model) => model.scores.overall, false);
  let bestOverall: Pick | null = null;
  if (overallWinner) {
    const parts = WEIGHT_NAMES.filter((name) => weights[name] > 0).map(
      (name) => `${name} ${formatScore(overallWinner.scores[name])}×${formatScore(weights[name])}`,
    );
    const next = eligible
      .filter((model) => model !== overallWinner)
      .sort((x, y) => y.scores.overall - x.scores.overall)[0];
    bestOverall = {
      id: overallWinner.id,
      reason:
        `${overallWinner.id} has the best weighted score, ${formatScore(overallWinner.scores.overall)} (${parts.join(" + ")}, over the weights' sum)` +
        (next ? `, ahead of ${next.id} at ${formatScore(next.scores.overall)}` : "") +
        excludedNote,
    };
  }

  return {
    bestForSpeed,
    bestForQuality,
    bestForCost,
    bestOverall,
    tradeOffs: tradeOffs(models, speedWinner, costWinner, bestForQuality, quality),
  };
}

function tradeOffs(
  models: ModelComparison[],
  speedWinner: ModelComparison | null,
  costWinner: ModelComparison | null,
  qualityPick: Pick | null,
  quality: QualityView | null,
): string[] {
  const lines: string[] = [];
  const qualityWinner = qualityPick ? (models.find((model) => model.id === qualityPick.id) ?? null) : null;
  const qualityOf = (model: ModelComparison) => quality?.values[models.indexOf(model)] ?? null;
  const basisNote = quality?.source === "measured" ? " (measured by Hangar)" : "";
  const describeQualityGap = (model: ModelComparison, winner: ModelComparison) => {
    if (!quality) return "";
    const value = qualityOf(model);
    if (value === null) return ` but reports no ${metricLabel(quality)} score`;
    const gap = Math.abs(qualityOf(winner)! - value);
    return ` but scores ${formatScore(gap)} points ${quality.higherIsBetter ? "lower" : "higher (worse)"} on ${metricLabel(quality)}${basisNote}`;
  };
  if (qualityWinner) {
    // Every model faster than the quality pick buys its speed with quality (or with unknown quality).
    for (const model of models) {
      if (model === qualityWinner || !model.eligible) continue;
      const latency = model.speed.latencyMs;
      const winnerLatency = qualityWinner.speed.latencyMs;
      if (latency === null || winnerLatency === null || latency >= winnerLatency) continue;
      const cheaper =
        model.cost.per1kRequestsUsd !== null && qualityWinner.cost.per1kRequestsUsd !== null
          ? ` and costs ${formatRatio(qualityWinner.cost.per1kRequestsUsd / model.cost.per1kRequestsUsd)} less`
          : "";
      lines.push(
        `${model.id} is ${formatRatio(winnerLatency / latency)} faster (${model.speed.basis})${cheaper} than ${qualityWinner.id}${describeQualityGap(model, qualityWinner)}.`,
      );
    }
  }
  const speedCost = speedWinner?.cost.per1kRequestsUsd ?? null;
  const cheapest = costWinner?.cost.per1kRequestsUsd ?? null;
  if (
    speedWinner &&
    costWinner &&
    speedWinner !== costWinner &&
    speedCost !== null &&
    cheapest !== null &&
    cheapest < speedCost &&
    costWinner.speed.latencyMs !== null
  ) {
    lines.push(
      `${speedWinner.id} is the fastest, ${costWinner.id} the cheapest: ${formatMs(speedWinner.speed.latencyMs!)} vs ${formatMs(costWinner.speed.latencyMs)} per request, ${formatUsd(speedCost)} vs ${formatUsd(cheapest)} per 1,000.`,
    );
  }
  if (lines.length === 0 && speedWinner && speedWinner === qualityWinner) {
    lines.push(
      `${speedWinner.id} is both the fastest and the best on ${metricLabel(quality!)}: no trade-off.`,
    );
  }
  if (!quality) {
    lines.push(
      "No evaluation is reported by these models on a shared dataset and metric, and Hangar has not measured all of them on one test set: quality cannot be compared (hangar evaluate measures a model on a labelled dataset).",
    );
  }
  return lines;
}
