import { badRequest } from "../../core/errors.ts";
import type { RepoRef } from "../../core/types.ts";
import { getReadableRepo } from "../access.ts";
import type { Caller } from "../accounts/principal.ts";
import type { HubScope } from "../hub.ts";
import { dayOf } from "./trending-score.ts";

const DAY_MS = 86_400_000;
export const MAX_DAILY_FIGURE_DAYS = 365;

export interface DailyFigure {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  downloads: number;
  likes: number;
}

/**
 * A readable repo's downloads and likes per day (UTC) for the last `days` days up to today, oldest first,
 * one entry per day (0 on days without any).
 */
export async function getDailyFigures(
  hub: HubScope,
  caller: Caller,
  params: { repo: RepoRef; days: number; now?: number },
): Promise<DailyFigure[]> {
  const { days } = params;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAILY_FIGURE_DAYS)
    throw badRequest(
      `"days" must be a whole number from 1 to ${MAX_DAILY_FIGURE_DAYS}, got ${Number.isNaN(days) ? "something else" : days}`,
      {
        details: { param: "days" },
      },
    );
  const repo = await getReadableRepo(hub, caller, params.repo);
  const today = Date.parse(`${dayOf(params.now ?? Date.now())}T00:00:00Z`);
  const first = today - (days - 1) * DAY_MS;
  const rows = await hub.catalog.social.dailyFigures(repo.pk, dayOf(first));
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return Array.from({ length: days }, (_, index) => {
    const day = dayOf(first + index * DAY_MS);
    const row = byDay.get(day);
    return { day, downloads: row?.downloads ?? 0, likes: row?.likes ?? 0 };
  });
}
