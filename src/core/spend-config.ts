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
  return settings;
}

export function spendSettings(config: { spend?: Partial<SpendSettings> }): SpendSettings {
  return { ...DEFAULT_SPEND, ...config.spend };
}
