import type { CatalogTables } from "../../store/catalog.ts";

/** Days of figures a trending score looks at. */
export const TRENDING_DAYS = 7;
/** A like weighs as much as this many downloads. */
export const LIKE_WEIGHT = 5;

const DAY_MS = 86_400_000;

export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * A repo's trending score from its own recent traffic: the downloads and likes (a like counting as
 * LIKE_WEIGHT downloads) of the last TRENDING_DAYS days, each day weighed by how recent it is (today fully,
 * a week ago by 1/7), rounded to an integer as the Hub's `trendingScore` is. Unlikes count negatively.
 */
export function trendingScore(
  figures: ReadonlyArray<{ day: string; downloads: number; likes: number }>,
  now: number,
): number {
  const today = Date.parse(`${dayOf(now)}T00:00:00Z`);
  let score = 0;
  for (const { day, downloads, likes } of figures) {
    const age = Math.round((today - Date.parse(`${day}T00:00:00Z`)) / DAY_MS);
    if (age < 0 || age >= TRENDING_DAYS) continue;
    score += (downloads + LIKE_WEIGHT * likes) * ((TRENDING_DAYS - age) / TRENDING_DAYS);
  }
  return Math.max(0, Math.round(score));
}

/** The first day whose figures still count on `now`. */
export function trendingSince(now: number): string {
  return dayOf(now - (TRENDING_DAYS - 1) * DAY_MS);
}

/** Recomputes one repo's trending score (after a download or a like). */
export async function rescoreRepo(catalog: CatalogTables, repoPk: number, now = Date.now()): Promise<number> {
  const score = trendingScore(await catalog.social.dailyFigures(repoPk, trendingSince(now)), now);
  await catalog.social.setPopularity(repoPk, { trendingScore: score });
  return score;
}
