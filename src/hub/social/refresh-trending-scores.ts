import type { HubContext } from "../hub.ts";
import { rescoreRepo, trendingSince } from "./trending-score.ts";

/**
 * Recomputes the trending score of every repo that has one or had traffic in the window, so scores fade
 * as days pass without new downloads or likes, and forgets download sessions that have ended. `hangar
 * serve` runs it every hour.
 */
export async function refreshTrendingScores(hub: HubContext, now = Date.now()): Promise<number> {
  const pks = await hub.catalog.social.reposToRescore(trendingSince(now));
  for (const pk of pks) await rescoreRepo(hub.catalog, pk, now);
  await hub.catalog.social.deleteExpiredSessions(now);
  return pks.length;
}
