import { parsePositive } from "./config-values.ts";

/** Settings of prices, budgets and token rate limits (src/governance); every field has a default. */
export interface SpendSettings {
  /** A prices file (`HANGAR_PRICES`): YAML or JSON `prices: [...]`; unset, the defaults and the admin API. */
  pricesFile?: string;
  /** Where every budget's threshold alerts are POSTed unless the budget names its own (`HANGAR_BUDGET_WEBHOOK_URL`). */
  alertWebhookUrl?: string;
  /** The HMAC secret signing alerts without a secret of their own (`HANGAR_BUDGET_WEBHOOK_SECRET`). */
  alertWebhookSecret?: string;
  /** Alert thresholds, percent of a budget's limit, for budgets that name none (default 50, 80, 100). */
  alertThresholds: number[];
  /** Tokens per minute per token unless a user or token has its own limit (`HANGAR_TOKEN_RATE_LIMIT`); unset: none. */
  tokensPerMinute?: number;
  /**
   * The `max_tokens` given to a remote generation that names none while a usd or tokens budget or a token
   * rate limit applies (`HANGAR_MAX_TOKENS_BOUND`, default 4096), so its reservation is a true bound.
   */
  maxTokensBound: number;
  /**
   * How old a budget reservation may get before it no longer counts against its budget and is swept
   * (`HANGAR_BUDGET_RESERVATION_TTL_MS`): a call that is still running after it has ended long ago, so a
   * reservation that old is one its process never settled (it died). Unset: the inference timeout plus a
   * minute (`reservationTtl`).
   */
  reservationTtlMs?: number;
}

export const DEFAULT_SPEND: SpendSettings = { alertThresholds: [50, 80, 100], maxTokensBound: 4096 };

/** The spend settings of `HANGAR_PRICES`, `HANGAR_BUDGET_WEBHOOK_*`, `HANGAR_TOKEN_RATE_LIMIT`, `HANGAR_MAX_TOKENS_BOUND`. */
export function spendSettingsFromEnv(env: Record<string, string | undefined>): Partial<SpendSettings> {
  const settings: Partial<SpendSettings> = {};
  if (env.HANGAR_PRICES?.trim()) settings.pricesFile = env.HANGAR_PRICES.trim();
  if (env.HANGAR_BUDGET_WEBHOOK_URL?.trim()) settings.alertWebhookUrl = env.HANGAR_BUDGET_WEBHOOK_URL.trim();
  if (env.HANGAR_BUDGET_WEBHOOK_SECRET) settings.alertWebhookSecret = env.HANGAR_BUDGET_WEBHOOK_SECRET;
  const tokens = parsePositive(env.HANGAR_TOKEN_RATE_LIMIT, "HANGAR_TOKEN_RATE_LIMIT");
  if (tokens !== undefined) settings.tokensPerMinute = tokens;
  const bound = parsePositive(env.HANGAR_MAX_TOKENS_BOUND, "HANGAR_MAX_TOKENS_BOUND");
  if (bound !== undefined) settings.maxTokensBound = bound;
  const ttl = parsePositive(env.HANGAR_BUDGET_RESERVATION_TTL_MS, "HANGAR_BUDGET_RESERVATION_TTL_MS");
  if (ttl !== undefined) settings.reservationTtlMs = ttl;
  return settings;
}

export function spendSettings(config: { spend?: Partial<SpendSettings> }): SpendSettings {
  return { ...DEFAULT_SPEND, ...config.spend };
}

/** Added to the inference timeout for the default reservation bound: settling takes a moment after it. */
const RESERVATION_MARGIN_MS = 60_000;
/** The bound when inference has no timeout (0): an hour. */
const UNTIMED_RESERVATION_TTL_MS = 3_600_000;

/** How old a budget reservation may get (see `SpendSettings.reservationTtlMs`), given the inference timeout. */
export function reservationTtl(settings: SpendSettings, inferenceTimeoutMs: number): number {
  if (settings.reservationTtlMs !== undefined) return settings.reservationTtlMs;
  return inferenceTimeoutMs > 0 ? inferenceTimeoutMs + RESERVATION_MARGIN_MS : UNTIMED_RESERVATION_TTL_MS;
}
