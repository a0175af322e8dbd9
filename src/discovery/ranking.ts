/**
 * The relevance blend (docs/search-ranking.md). Every component is in [0, 1] and is multiplied by its weight;
 * the score is the sum of the weighted components, so `explain` can list them and they add up exactly.
 */
export const RANKING_WEIGHTS = {
  /** Field-weighted, idf-weighted term matches of the query (0 without a query). */
  text: 0.5,
  /** The whole query equals the repo id or its name: an exact hit ranks first whatever its popularity. */
  exactMatch: 1,
  /** log downloads and log likes. */
  popularity: 0.25,
  /** The Hub's trendingScore when known, else an estimate from popularity and how recently it changed. */
  trend: 0.1,
  /** How recently the model was updated (half-life one year). */
  recency: 0.05,
  /** Reported evaluation results: present, and their normalised values. */
  quality: 0.1,
} as const;

export type ScoreComponent = keyof typeof RANKING_WEIGHTS;

const DAY_MS = 86_400_000;
/** Recency halves every year; trend estimates fade with a 30-day half-life. */
const RECENCY_HALF_LIFE_DAYS = 365;
const TREND_HALF_LIFE_DAYS = 30;

/** log10 scales: 10 M downloads and 100 k likes reach 1. */
export function popularityComponent(downloads: number, likes: number): number {
  const downloadPart = Math.min(1, Math.log10(1 + Math.max(0, downloads)) / 7);
  const likePart = Math.min(1, Math.log10(1 + Math.max(0, likes)) / 5);
  return 0.75 * downloadPart + 0.25 * likePart;
}

function decay(ageMs: number, halfLifeDays: number): number {
  const days = Math.max(0, ageMs / DAY_MS);
  return 0.5 ** (days / halfLifeDays);
}

/**
 * The trendingScore is the Hub's recent-likes figure for upstream entries, or Hangar's own from its recent
 * downloads and likes (src/hub/social/trending-score.ts): tens to thousands for trending models, log-scaled
 * so 1,000 reaches 1. Entries without one (synthetic, snapshots, no recent traffic) get popularity faded by
 * the time since the last update, flagged as an estimate.
 */
export function trendComponent(
  trendingScore: number,
  popularity: number,
  lastModifiedMs: number,
  referenceMs: number,
): { value: number; estimated: boolean } {
  if (trendingScore > 0) return { value: Math.min(1, Math.log10(1 + trendingScore) / 3), estimated: false };
  return { value: popularity * decay(referenceMs - lastModifiedMs, TREND_HALF_LIFE_DAYS), estimated: true };
}

export function recencyComponent(lastModifiedMs: number, referenceMs: number): number {
  if (Number.isNaN(lastModifiedMs)) return 0;
  return decay(referenceMs - lastModifiedMs, RECENCY_HALF_LIFE_DAYS);
}

/**
 * Evaluation results make half the quality (they exist, so the card can be checked); the mean of their
 * normalised values (fractions as is, percentages over 100) makes the other half.
 */
export function qualityComponent(evalCount: number, normalisedMean: number): number {
  if (evalCount === 0) return 0;
  return 0.5 + 0.5 * (Number.isNaN(normalisedMean) ? 0 : normalisedMean);
}

/** The mean of a model's evaluation values on a [0, 1] scale; NaN when none is a fraction or percentage. */
export function normalisedEvalMean(values: number[]): number {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (!Number.isFinite(value) || value < 0) continue;
    if (value <= 1) sum += value;
    else if (value <= 100) sum += value / 100;
    else continue;
    count++;
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** The part of the score that does not depend on the query. */
export function staticScore(popularity: number, trend: number, recency: number, quality: number): number {
  return (
    RANKING_WEIGHTS.popularity * popularity +
    RANKING_WEIGHTS.trend * trend +
    RANKING_WEIGHTS.recency * recency +
    RANKING_WEIGHTS.quality * quality
  );
}

/** One model's weighted components; they sum to `score`. */
export interface ScoreExplanation {
  score: number;
  components: Record<ScoreComponent, number>;
  /** The unweighted values, for reading: text in [0, 1], exactMatch 0 or 1, and so on. */
  signals: Record<ScoreComponent, number>;
  trendEstimated: boolean;
}

export function explainScore(
  signals: Record<ScoreComponent, number>,
  trendEstimated: boolean,
): ScoreExplanation {
  const components = {} as Record<ScoreComponent, number>;
  let score = 0;
  for (const key of Object.keys(RANKING_WEIGHTS) as ScoreComponent[]) {
    const weighted = RANKING_WEIGHTS[key] * signals[key];
    components[key] = weighted;
    score += weighted;
  }
  return { score, components, signals, trendEstimated };
}
