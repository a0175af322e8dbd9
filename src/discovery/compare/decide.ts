import {
  type Decision,
  type ModelComparison,
  type Pick,
  type PickName,
  WEIGHT_NAMES,
  type WeightName,
} from "./comparison.ts";
import { formatMs, formatRatio, formatScore, formatUsd } from "./format.ts";
import type { HardwareSpec } from "./hardware.ts";
import { describeReported, metricLabel, type QualityView } from "./quality-basis.ts";

export interface DecideParams {
  models: ModelComparison[];
  quality: QualityView | null;
  weights: Record<WeightName, number>;
  hardware: HardwareSpec;
  speedBasis: "measured" | "estimated";
}

const listed = (ids: string[]) =>
  ids.length <= 1 ? (ids[0] ?? "") : `${ids.slice(0, -1).join(", ")} and ${ids.at(-1)}`;

/**
 * The best model for speed, quality, cost and overall, each with its reason; or, where the evidence is
 * missing for one of the models, no pick and the reason why (`undecided`). A model is never named best over
 * one whose value is unknown: a 10k-parameter demonstration model with a score on its own test set is not
 * better than a real model that reports none on it, only not compared with it.
 */
export function decide(params: DecideParams): Decision {
  const { models, quality, weights, hardware, speedBasis } = params;
  const eligible = models.some((model) => model.eligible) ? models.filter((model) => model.eligible) : models;
  const excluded = models.filter((model) => !eligible.includes(model)).map((model) => model.id);
  const excludedNote = excluded.length ? ` (${excluded.join(", ")} left out: see notes)` : "";
  const undecided: Partial<Record<PickName, string>> = {};
  const unknownFor = (value: (model: ModelComparison) => number | null) =>
    eligible.filter((model) => value(model) === null).map((model) => model.id);
  // Equal values fall to `tie` (lower wins), then to the order the models were given, so the answer is
  // deterministic. Null when some model's value is unknown.
  const bestBy = (
    value: (model: ModelComparison) => number | null,
    lowerIsBetter: boolean,
    tie: (model: ModelComparison) => number | null = () => null,
  ) => {
    if (unknownFor(value).length > 0) return null;
    let best: ModelComparison | null = null;
    for (const model of eligible) {
      const current = value(model)!;
      const bestValue = best ? value(best)! : null;
      const better = bestValue === null || (lowerIsBetter ? current < bestValue : current > bestValue);
      const tied =
        best !== null && current === bestValue && (tie(model) ?? Infinity) < (tie(best) ?? Infinity);
      if (better || tied) best = model;
    }
    return best;
  };
  const others = (winner: ModelComparison) => eligible.filter((model) => model !== winner);

  const latency = (model: ModelComparison) => model.speed.latencyMs;
  const speedWinner = bestBy(latency, true);
  let bestForSpeed: Pick | null = null;
  if (speedWinner) {
    const where = speedBasis === "measured" ? "measured by Hangar" : `estimated on ${hardware.name}`;
    const nextFastest = others(speedWinner).sort((x, y) => latency(x)! - latency(y)!)[0];
    bestForSpeed = {
      id: speedWinner.id,
      reason:
        `${speedWinner.id} has the lowest latency: ${formatMs(latency(speedWinner)!)} per request (${where})` +
        (nextFastest
          ? `, ${formatRatio(latency(nextFastest)! / latency(speedWinner)!)} faster than ${nextFastest.id} (${formatMs(latency(nextFastest)!)})`
          : "") +
        excludedNote,
    };
  } else {
    undecided.speed = `unknown: no parameter count or measured latency for ${listed(unknownFor(latency))}`;
  }

  const qualityOf = (model: ModelComparison) => quality?.values[models.indexOf(model)] ?? null;
  const qualityWinner = quality ? bestBy(qualityOf, !quality.higherIsBetter) : null;
  let bestForQuality: Pick | null = null;
  if (eligible.length === 1 && models.length > 1) {
    // Best over no other model says nothing of its quality.
    undecided.quality = `not compared: ${eligible[0]!.id} is the only one of these models that does the task and fits ${hardware.name}${excludedNote}`;
  } else if (quality && qualityWinner) {
    const next = others(qualityWinner).sort((x, y) =>
      quality.higherIsBetter ? qualityOf(y)! - qualityOf(x)! : qualityOf(x)! - qualityOf(y)!,
    )[0];
    bestForQuality = {
      id: qualityWinner.id,
      reason:
        `${qualityWinner.id} scores ${formatScore(qualityOf(qualityWinner)!)} ${quality.metric} on ${quality.dataset} (${quality.provenance})` +
        (next
          ? `, ${formatScore(Math.abs(qualityOf(qualityWinner)! - qualityOf(next)!))} points ${quality.higherIsBetter ? "above" : "below"} ${next.id}`
          : "") +
        excludedNote,
    };
  } else {
    undecided.quality = qualityUnknown(eligible, quality, qualityOf);
  }

  // At a flat provider price every model costs the same: the faster one is then the better buy.
  const costOf = (model: ModelComparison) => model.cost.per1kRequestsUsd;
  const costWinner = bestBy(costOf, true, latency);
  let bestForCost: Pick | null = null;
  if (costWinner) {
    const next = others(costWinner).sort((x, y) => costOf(x)! - costOf(y)!)[0];
    const monthly =
      costWinner.cost.perMonthUsd !== null ? ` (${formatUsd(costWinner.cost.perMonthUsd)} a month)` : "";
    bestForCost = {
      id: costWinner.id,
      reason:
        `${costWinner.id} costs the least: ${formatUsd(costOf(costWinner)!)} per 1,000 requests${monthly}, ${costWinner.cost.basis}: ${costWinner.cost.note}` +
        (next && costOf(next)! > costOf(costWinner)!
          ? `; ${formatRatio(costOf(next)! / costOf(costWinner)!)} less than ${next.id}`
          : "") +
        excludedNote,
    };
  } else {
    undecided.cost = `unknown: no latency or no price for ${listed(unknownFor(costOf))}`;
  }

  const weighed = WEIGHT_NAMES.filter((name) => weights[name] > 0);
  let bestOverall: Pick | null = null;
  if (eligible.length === 1 && models.length > 1) {
    bestOverall = {
      id: eligible[0]!.id,
      reason: `${eligible[0]!.id} is the only one of these models that does the task and fits ${hardware.name}${excludedNote}`,
    };
  } else {
    const overallWinner = bestBy((model) => model.scores.overall, false);
    if (overallWinner) {
      const parts = weighed.map(
        (name) => `${name} ${formatScore(overallWinner.scores[name]!)}×${formatScore(weights[name])}`,
      );
      const next = others(overallWinner).sort((x, y) => y.scores.overall! - x.scores.overall!)[0];
      bestOverall = {
        id: overallWinner.id,
        reason:
          `${overallWinner.id} has the best weighted score, ${formatScore(overallWinner.scores.overall!)} (${parts.join(" + ")}, over the weights' sum)` +
          (next ? `, ahead of ${next.id} at ${formatScore(next.scores.overall!)}` : "") +
          excludedNote,
      };
    } else {
      undecided.overall = overallUnknown(eligible, weights, qualityOf);
    }
  }

  return {
    bestForSpeed,
    bestForQuality,
    bestForCost,
    bestOverall,
    undecided,
    tradeOffs: tradeOffs(models, speedWinner, costWinner, qualityWinner, quality),
  };
}

/** Why quality picks no model: what each model reports, and what is missing for a comparison. */
function qualityUnknown(
  eligible: ModelComparison[],
  quality: QualityView | null,
  qualityOf: (model: ModelComparison) => number | null,
): string {
  if (!quality) {
    // A basis is chosen as soon as one model reports a score: none means no card reports any.
    return (
      "unknown: none of these models reports an evaluation in its card, and Hangar has not measured them on " +
      "one test set (hangar evaluate measures a model on a labelled dataset)"
    );
  }
  const scored = eligible.filter((model) => qualityOf(model) !== null);
  const missing = eligible.filter((model) => qualityOf(model) === null);
  const label = metricLabel(quality);
  const leader =
    scored.length > 1
      ? [...scored].sort((x, y) =>
          quality.higherIsBetter ? qualityOf(y)! - qualityOf(x)! : qualityOf(x)! - qualityOf(y)!,
        )[0]!
      : null;
  const among = leader
    ? `among the models scored on ${label}, ${leader.id} leads with ${formatScore(qualityOf(leader)!)}; `
    : scored.length === 1
      ? `only ${scored[0]!.id} (${formatScore(qualityOf(scored[0]!)!)}) is scored on ${label}; `
      : "";
  const others = missing.map((model) => {
    const reported = describeReported(model.evaluations.reported);
    return quality.source === "measured"
      ? `Hangar has not measured ${model.id} on ${label}`
      : `${model.id} reports no ${label}${reported ? ` (its card reports ${reported})` : ""}`;
  });
  return `unknown: ${among}${others.join("; ")}, and scores on different test sets do not compare`;
}

/** Whether a model's value on a criterion is unknown (its score may be null only because another's is). */
function unknownValue(model: ModelComparison, name: WeightName, quality: number | null): boolean {
  if (name === "speed") return model.speed.latencyMs === null;
  if (name === "cost") return model.cost.per1kRequestsUsd === null;
  if (name === "size") return model.parameters === null && model.storageBytes === null;
  return quality === null;
}

/** Why the overall picks no model: the weighed criteria unknown for some model, and how to decide without. */
function overallUnknown(
  eligible: ModelComparison[],
  weights: Record<WeightName, number>,
  qualityOf: (model: ModelComparison) => number | null,
): string {
  const unknownValueOf = (model: ModelComparison, name: WeightName) =>
    unknownValue(model, name, qualityOf(model));
  const weighed = WEIGHT_NAMES.filter((name) => weights[name] > 0);
  const unknown = weighed.filter((name) => eligible.some((model) => unknownValueOf(model, name)));
  const missing = unknown.map((name) => {
    const ids = eligible.filter((model) => unknownValueOf(model, name)).map((model) => model.id);
    return `${name} (weight ${formatScore(weights[name])}) for ${listed(ids)}`;
  });
  const rest = weighed.filter((name) => !unknown.includes(name));
  const instead = rest.length
    ? `; to decide on ${listed(rest)} alone, weigh only ${rest.length > 1 ? "them" : "it"} (weights ${rest.map((name) => `${name}=${formatScore(weights[name])}`).join(",")})`
    : "";
  return `unknown: ${missing.join("; ")} is not known${instead}`;
}

function tradeOffs(
  models: ModelComparison[],
  speedWinner: ModelComparison | null,
  costWinner: ModelComparison | null,
  qualityWinner: ModelComparison | null,
  quality: QualityView | null,
): string[] {
  const lines: string[] = [];
  const qualityOf = (model: ModelComparison) => quality?.values[models.indexOf(model)] ?? null;
  const basisNote = quality?.source === "measured" ? " (measured by Hangar)" : "";
  if (quality && qualityWinner) {
    // Every model faster than the quality pick buys its speed with quality.
    for (const model of models) {
      if (model === qualityWinner || !model.eligible) continue;
      const latency = model.speed.latencyMs;
      const winnerLatency = qualityWinner.speed.latencyMs;
      const value = qualityOf(model);
      if (latency === null || winnerLatency === null || value === null || latency >= winnerLatency) continue;
      const cheaper =
        model.cost.per1kRequestsUsd !== null && qualityWinner.cost.per1kRequestsUsd !== null
          ? ` and costs ${formatRatio(qualityWinner.cost.per1kRequestsUsd / model.cost.per1kRequestsUsd)} less`
          : "";
      const gap = Math.abs(qualityOf(qualityWinner)! - value);
      lines.push(
        `${model.id} is ${formatRatio(winnerLatency / latency)} faster (${model.speed.basis})${cheaper} than ${qualityWinner.id} but scores ${formatScore(gap)} points ${quality.higherIsBetter ? "lower" : "higher (worse)"} on ${metricLabel(quality)}${basisNote}.`,
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
  if (lines.length === 0 && speedWinner && quality && speedWinner === qualityWinner) {
    lines.push(
      `${speedWinner.id} is both the fastest and the best on ${metricLabel(quality)}: no trade-off.`,
    );
  }
  return lines;
}
