import { badRequest } from "./errors.ts";

/**
 * The route groups rate limits apply to: reads of the Hub API and files (`hub-read`), writes to it (commits,
 * repos, branches: `hub-write`), the LFS batch API and uploads (`lfs`), inference (`inference`), and
 * Hangar's own API (`api`: `/v1/...` but inference, accounts, admin).
 */
export const RATE_LIMIT_GROUPS = ["hub-read", "hub-write", "lfs", "inference", "api"] as const;
export type RateLimitGroup = (typeof RATE_LIMIT_GROUPS)[number];

/** At most `limit` requests per caller (token, or address when anonymous) in each window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** The limit of each group; null turns a group's limit off. */
export type RateLimits = Record<RateLimitGroup, RateLimit | null>;

/** Generous: a busy client stays far below them; they stop floods and runaway scripts. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  "hub-read": { limit: 30_000, windowMs: 60_000 },
  "hub-write": { limit: 3_000, windowMs: 60_000 },
  lfs: { limit: 30_000, windowMs: 60_000 },
  inference: { limit: 6_000, windowMs: 60_000 },
  api: { limit: 12_000, windowMs: 60_000 },
};

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses `HANGAR_RATE_LIMITS`: `off` (no limits at all), or comma-separated `GROUP=LIMIT/PERIOD` or
 * `GROUP=off` entries, PERIOD being a number with a unit (`ms`, `s`, `m`, `h`) or a unit alone
 * (`hub-read=600/m,inference=10/1s,lfs=off`). Groups not named keep their defaults.
 */
export function parseRateLimits(value: string | undefined, name: string): Partial<RateLimits> | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (value.trim().toLowerCase() === "off") {
    return Object.fromEntries(RATE_LIMIT_GROUPS.map((group) => [group, null])) as RateLimits;
  }
  const limits: Partial<RateLimits> = {};
  for (const entry of value.split(",")) {
    const text = entry.trim();
    if (text === "") continue;
    const [group, setting] = text.split("=").map((part) => part.trim()) as [string, string | undefined];
    if (!(RATE_LIMIT_GROUPS as readonly string[]).includes(group)) {
      throw badRequest(
        `${name}: unknown route group "${group}" (the groups are ${RATE_LIMIT_GROUPS.join(", ")})`,
      );
    }
    if (setting?.toLowerCase() === "off") {
      limits[group as RateLimitGroup] = null;
      continue;
    }
    const match = /^(\d+)\/(\d*)(ms|s|m|h)$/.exec(setting ?? "");
    const limit = Number(match?.[1]);
    const windowMs = Number(match?.[2] || 1) * UNIT_MS[(match?.[3] ?? "s") as keyof typeof UNIT_MS];
    if (
      !match ||
      !Number.isSafeInteger(limit) ||
      limit < 1 ||
      !Number.isSafeInteger(windowMs) ||
      windowMs < 1
    ) {
      throw badRequest(
        `${name}: "${text}" must be GROUP=LIMIT/PERIOD (e.g. hub-read=600/1m, inference=10/s) or GROUP=off`,
      );
    }
    limits[group as RateLimitGroup] = { limit, windowMs };
  }
  return limits;
}

/** A config's rate limits, defaults filled in. */
export function rateLimitSettings(config: { rateLimits?: Partial<RateLimits> }): RateLimits {
  return { ...DEFAULT_RATE_LIMITS, ...config.rateLimits };
}

/** A Redis location for shared counters: `redis://[user:password@]host[:port][/db]` or `rediss://`. */
export function parseRedisUrl(value: string | undefined, source: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let valid = false;
  try {
    const url = new URL(value.trim());
    valid = (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
  } catch {}
  if (!valid) {
    throw badRequest(
      `${source} must be a redis:// or rediss:// URL, got "${value.replace(/:[^:@/]*@/, ":***@")}"`,
    );
  }
  return value.trim();
}

/** How long a shutdown waits for in-flight requests when `HANGAR_SHUTDOWN_TIMEOUT` is unset. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
